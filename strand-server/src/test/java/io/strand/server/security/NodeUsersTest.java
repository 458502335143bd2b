package io.strand.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.network.ScramCredentialStore;
import io.strand.common.config.BrokerConfig;
import io.strand.server.http.BasicAuthGate.PasswordCheck.Verdict;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.junit.jupiter.api.Test;

/**
 * Passwords checked as the node's SASL listeners would: PLAIN users from the JAAS line, SCRAM
 * credentials by salting the password with the stored salt and iterations.
 */
class NodeUsersTest {

    private static ScramCredential credential(ScramMechanism mechanism, String password) throws Exception {
        return new ScramFormatter(mechanism).generateCredential(password, 4096);
    }

    @Test
    void plainUsersComeFromTheSaslListenersJaasLine() {
        BrokerConfig config = BrokerConfig.of(Map.of(
                "listeners", "SASL://127.0.0.1:0,INTERNAL://127.0.0.1:0,CONTROLLER://127.0.0.1:9093",
                "controller.quorum.voters", "1@127.0.0.1:9093",
                "listener.security.protocol.map", "SASL:SASL_PLAINTEXT,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name", "INTERNAL",
                "listener.name.sasl.sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256",
                "listener.name.sasl.plain.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule"
                        + " required user_admin=\"admin-secret\" user_bob=\"bob:secret\";"));
        NodeUsers users = NodeUsers.of(config, () -> ScramCredentialStore.NONE);

        assertThat(users.check("admin", "admin-secret")).isEqualTo(Verdict.VALID);
        assertThat(users.check("bob", "bob:secret")).isEqualTo(Verdict.VALID);
        assertThat(users.check("admin", "admin-secreT")).isEqualTo(Verdict.INVALID);
        assertThat(users.check("admin", "")).isEqualTo(Verdict.INVALID);
        assertThat(users.check("nobody", "admin-secret")).isEqualTo(Verdict.INVALID);
    }

    @Test
    void scramPasswordsAreCheckedAgainstTheStoredKeyOfEitherMechanism() throws Exception {
        Map<String, ScramCredential> stored = new HashMap<>();
        stored.put("alice/SCRAM-SHA-256", credential(ScramMechanism.SCRAM_SHA_256, "alice-secret"));
        stored.put("carol/SCRAM-SHA-512", credential(ScramMechanism.SCRAM_SHA_512, "carol-secret"));
        NodeUsers users = new NodeUsers(Map.of(), () -> (user, mechanism) -> stored.get(user + "/" + mechanism));

        assertThat(users.check("alice", "alice-secret")).isEqualTo(Verdict.VALID);
        assertThat(users.check("alice", "alice-secret")).isEqualTo(Verdict.VALID); // remembered
        assertThat(users.check("alice", "carol-secret")).isEqualTo(Verdict.INVALID);
        assertThat(users.check("carol", "carol-secret")).isEqualTo(Verdict.VALID);
        assertThat(users.check("carol", "Carol-secret")).isEqualTo(Verdict.INVALID);
        assertThat(users.check("dave", "alice-secret")).isEqualTo(Verdict.INVALID);
    }

    @Test
    void onlySaltingIsLeftForLaterEverythingElseIsToldAtOnce() throws Exception {
        ScramCredential alice = credential(ScramMechanism.SCRAM_SHA_256, "alice-secret");
        NodeUsers users = new NodeUsers(Map.of("admin", List.of("admin-secret".getBytes(StandardCharsets.UTF_8))),
                () -> (user, mechanism) -> user.equals("alice") && mechanism.equals("SCRAM-SHA-256") ? alice : null);
        assertThat(users.checkAtOnce("admin", "admin-secret")).contains(Verdict.VALID);
        assertThat(users.checkAtOnce("nobody", "x")).contains(Verdict.INVALID);
        assertThat(users.checkAtOnce("alice", "alice-secret")).isEmpty();
        assertThat(users.check("alice", "alice-secret")).isEqualTo(Verdict.VALID);
        assertThat(users.checkAtOnce("alice", "alice-secret")).contains(Verdict.VALID);
        assertThat(users.checkAtOnce("alice", "guess")).isEmpty();
    }

    @Test
    void aChangedOrDeletedScramCredentialIsCheckedAfresh() throws Exception {
        AtomicReference<ScramCredential> alice = new AtomicReference<>(credential(ScramMechanism.SCRAM_SHA_256, "old"));
        NodeUsers users = new NodeUsers(Map.of(), () -> (user, mechanism) ->
                user.equals("alice") && mechanism.equals("SCRAM-SHA-256") ? alice.get() : null);
        assertThat(users.check("alice", "old")).isEqualTo(Verdict.VALID);

        alice.set(credential(ScramMechanism.SCRAM_SHA_256, "new"));
        assertThat(users.check("alice", "old")).isEqualTo(Verdict.INVALID);
        assertThat(users.check("alice", "new")).isEqualTo(Verdict.VALID);

        alice.set(null);
        assertThat(users.check("alice", "new")).isEqualTo(Verdict.INVALID);
    }

    @Test
    void scramUsersCannotBeToldBeforeTheBrokerServesButPlainUsersCan() {
        NodeUsers users = new NodeUsers(Map.of("admin", List.of("admin-secret".getBytes(StandardCharsets.UTF_8))),
                () -> null);
        assertThat(users.check("admin", "admin-secret")).isEqualTo(Verdict.VALID);
        assertThat(users.check("admin", "wrong")).isEqualTo(Verdict.INVALID);
        assertThat(users.check("alice", "alice-secret")).isEqualTo(Verdict.UNAVAILABLE);
    }

    @Test
    void matchesIsRfc5802sStoredKey() throws Exception {
        ScramCredential credential = credential(ScramMechanism.SCRAM_SHA_512, "pencil");
        assertThat(NodeUsers.matches(ScramMechanism.SCRAM_SHA_512, credential, "pencil")).isTrue();
        assertThat(NodeUsers.matches(ScramMechanism.SCRAM_SHA_512, credential, "pencil ")).isFalse();
    }
}
