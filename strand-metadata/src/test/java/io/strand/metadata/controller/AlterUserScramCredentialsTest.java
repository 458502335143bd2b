package io.strand.metadata.controller;

import static io.strand.metadata.controller.ControllerTestSupport.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.strand.metadata.image.LocalMetadataLog;
import io.strand.metadata.image.MetadataDelta;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.record.UserScramCredentialRecord;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData.ScramCredentialDeletion;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData.ScramCredentialUpsertion;
import org.apache.kafka.common.message.AlterUserScramCredentialsResponseData.AlterUserScramCredentialsResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AlterUserScramCredentialsTest {

    private static final byte SHA256 = 1;
    private static final byte SHA512 = 2;

    private final LocalMetadataLog metadataLog = new LocalMetadataLog();
    private final QuorumController controller = new QuorumController(metadataLog, Time.SYSTEM, new Random(3));

    @AfterEach
    void close() {
        controller.close();
    }

    private static ScramCredentialUpsertion upsert(String user, byte mechanism, int iterations) throws Exception {
        ScramFormatter formatter = new ScramFormatter(mechanism == SHA256 ? ScramMechanism.SCRAM_SHA_256
                : ScramMechanism.SCRAM_SHA_512);
        byte[] salt = {1, 2, 3, 4};
        return new ScramCredentialUpsertion().setName(user).setMechanism(mechanism).setIterations(iterations)
                .setSalt(salt).setSaltedPassword(formatter.saltedPassword(user + "-secret", salt, Math.max(1, iterations)));
    }

    private static ScramCredentialDeletion delete(String user, byte mechanism) {
        return new ScramCredentialDeletion().setName(user).setMechanism(mechanism);
    }

    private Map<String, Errors> alter(AlterUserScramCredentialsRequestData request) {
        return get(controller.alterUserScramCredentials(request)).results().stream().collect(Collectors.toMap(
                AlterUserScramCredentialsResult::user, r -> Errors.forCode(r.errorCode())));
    }

    @Test
    void storesTheKeysAClientProofIsCheckedAgainstNotThePassword() throws Exception {
        assertThat(alter(new AlterUserScramCredentialsRequestData().setUpsertions(
                java.util.List.of(upsert("alice", SHA256, 4096))))).containsEntry("alice", Errors.NONE);
        UserScramCredentialRecord stored = metadataLog.image().scram().credential("alice", SHA256);
        ScramCredential expected = new ScramFormatter(ScramMechanism.SCRAM_SHA_256)
                .generateCredential(new byte[] {1, 2, 3, 4}, new ScramFormatter(ScramMechanism.SCRAM_SHA_256)
                        .saltedPassword("alice-secret", new byte[] {1, 2, 3, 4}, 4096), 4096);
        assertThat(stored.storedKey()).isEqualTo(expected.storedKey());
        assertThat(stored.serverKey()).isEqualTo(expected.serverKey());
        assertThat(stored.iterations()).isEqualTo(4096);
        assertThat(metadataLog.image().scram().credential("alice", SHA512)).isNull();
    }

    @Test
    void refusesWithKafkasErrorCodesAndAppliesOnlyTheValidUsers() throws Exception {
        alter(new AlterUserScramCredentialsRequestData().setUpsertions(java.util.List.of(upsert("carol", SHA512, 8192))));
        Map<String, Errors> results = alter(new AlterUserScramCredentialsRequestData()
                .setUpsertions(java.util.List.of(upsert("few", SHA256, 4095), upsert("many", SHA512, 16_385),
                        upsert("", SHA256, 4096), upsert("twice", SHA256, 4096), upsert("twice", SHA512, 4096),
                        upsert("ok", SHA512, 16_384)))
                .setDeletions(java.util.List.of(delete("missing", SHA256), delete("odd", (byte) 3),
                        delete("carol", SHA256), delete("carol-too", SHA512), delete("dave", (byte) 0))));
        assertThat(results).containsEntry("few", Errors.UNACCEPTABLE_CREDENTIAL)
                .containsEntry("many", Errors.UNACCEPTABLE_CREDENTIAL)
                .containsEntry("", Errors.UNACCEPTABLE_CREDENTIAL)
                .containsEntry("twice", Errors.DUPLICATE_RESOURCE)
                .containsEntry("ok", Errors.NONE)
                .containsEntry("missing", Errors.RESOURCE_NOT_FOUND)
                .containsEntry("odd", Errors.UNSUPPORTED_SASL_MECHANISM)
                .containsEntry("dave", Errors.UNSUPPORTED_SASL_MECHANISM)
                .containsEntry("carol", Errors.RESOURCE_NOT_FOUND)
                .containsEntry("carol-too", Errors.RESOURCE_NOT_FOUND);
        assertThat(metadataLog.image().scram().all().keySet()).containsExactly("carol", "ok");
        assertThat(alter(new AlterUserScramCredentialsRequestData().setDeletions(java.util.List.of(
                delete("carol", SHA512))))).containsEntry("carol", Errors.NONE);
        assertThat(metadataLog.image().scram().all().keySet()).containsExactly("ok");
    }

    @Test
    void credentialsSurviveASnapshot() throws Exception {
        alter(new AlterUserScramCredentialsRequestData().setUpsertions(java.util.List.of(upsert("alice", SHA256, 4096))));
        alter(new AlterUserScramCredentialsRequestData().setUpsertions(java.util.List.of(upsert("bob", SHA512, 4096))));
        MetadataImage image = metadataLog.image();
        MetadataDelta reload = MetadataDelta.replacing(MetadataImage.EMPTY);
        reload.replayAll(image.toRecords());
        MetadataImage reloaded = reload.apply(image.appliedOffset());
        assertThat(reloaded.scram()).isEqualTo(image.scram());
        assertThat(reloaded).isEqualTo(image);
    }
}
