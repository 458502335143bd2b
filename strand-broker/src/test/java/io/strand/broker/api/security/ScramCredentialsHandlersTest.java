package io.strand.broker.api.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.metadata.image.MetadataDelta;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.record.UserScramCredentialRecord;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData.UserName;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData.DescribeUserScramCredentialsResult;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeUserScramCredentialsRequest;
import org.apache.kafka.common.requests.SaslAuthenticateRequest;
import org.apache.kafka.common.requests.SaslHandshakeRequest;
import org.junit.jupiter.api.Test;

class ScramCredentialsHandlersTest {

    private static MetadataImage imageWith(UserScramCredentialRecord... credentials) {
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        delta.replayAll(List.of(credentials));
        return delta.apply(1);
    }

    private static UserScramCredentialRecord credential(String user, byte mechanism, int iterations) {
        return new UserScramCredentialRecord(user, mechanism, new byte[] {1}, new byte[] {2}, new byte[] {3}, iterations);
    }

    private static Map<String, DescribeUserScramCredentialsResult> describe(MetadataImage image, String... users) {
        DescribeUserScramCredentialsRequestData data = new DescribeUserScramCredentialsRequestData()
                .setUsers(users.length == 0 ? null : java.util.Arrays.stream(users)
                        .map(u -> new UserName().setName(u)).toList());
        DescribeUserScramCredentialsResponseData response = new DescribeUserScramCredentialsHandler(() -> image)
                .handle(null, new DescribeUserScramCredentialsRequest.Builder(data).build((short) 0)).join();
        Map<String, DescribeUserScramCredentialsResult> byUser = new TreeMap<>();
        response.results().forEach(r -> byUser.put(r.user(), r));
        return byUser;
    }

    @Test
    void describeListsMechanismsAndIterationsNeverKeys() {
        MetadataImage image = imageWith(credential("alice", (byte) 1, 4096), credential("alice", (byte) 2, 8192),
                credential("bob", (byte) 2, 4096));
        Map<String, DescribeUserScramCredentialsResult> all = describe(image);
        assertThat(all.keySet()).containsExactly("alice", "bob");
        assertThat(all.get("alice").credentialInfos()).extracting(c -> c.mechanism() + ":" + c.iterations())
                .containsExactly("1:4096", "2:8192");

        Map<String, DescribeUserScramCredentialsResult> named = describe(image, "bob", "carol", "alice", "alice");
        assertThat(named.get("bob").errorCode()).isZero();
        assertThat(Errors.forCode(named.get("carol").errorCode())).isEqualTo(Errors.RESOURCE_NOT_FOUND);
        assertThat(named.get("carol").errorMessage())
                .isEqualTo("Attempt to describe a user credential that does not exist: carol");
        assertThat(Errors.forCode(named.get("alice").errorCode())).isEqualTo(Errors.DUPLICATE_RESOURCE);
        assertThat(named.get("alice").errorMessage())
                .isEqualTo("Cannot describe SCRAM credentials for the same user twice in a single request: alice");
        assertThat(describe(MetadataImage.EMPTY)).isEmpty();
    }

    @Test
    void saslRequestsOutsideAnAuthenticationAreIllegalSaslState() {
        assertThat(new SaslHandshakeHandler().handle(null, new SaslHandshakeRequest.Builder(
                new SaslHandshakeRequestData().setMechanism("PLAIN")).build((short) 1)).join().errorCode())
                .isEqualTo(Errors.ILLEGAL_SASL_STATE.code());
        assertThat(new SaslAuthenticateHandler().handle(null, new SaslAuthenticateRequest.Builder(
                new SaslAuthenticateRequestData().setAuthBytes(new byte[0])).build((short) 2)).join().errorCode())
                .isEqualTo(Errors.ILLEGAL_SASL_STATE.code());
    }
}
