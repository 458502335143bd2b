package io.strand.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.strand.common.config.BrokerConfig;
import io.strand.common.test.ThreadLeakCheck;
import io.strand.common.tls.TestPki;
import io.strand.metadata.image.MetadataListener;
import io.strand.metadata.quorum.LeaderRequestClient;
import io.strand.metadata.quorum.MetadataQuorum;
import io.strand.metadata.quorum.QuorumOptions;
import io.strand.metadata.quorum.QuorumTransport;
import io.strand.metadata.record.TopicRecord;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Voters whose controller listener is SASL_PLAINTEXT (or SASL_SSL) with PLAIN: they elect and replicate
 * through the authenticating tunnel, a broker with the listener's username and password reaches the
 * leader's handler (and the new leader's after a failover), while a broker with a wrong password or
 * without SASL is refused (its requests time out) and a voter whose password is wrong neither receives
 * the log nor takes part.
 */
class QuorumOverSaslTest {

    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(60);
    private static final QuorumOptions STEADY = QuorumOptions.defaults().withElectionTimeoutMs(1_000, 1_500);
    private static final short API_KEY = 55;
    private static final String PASSWORD = "quorum-secret";

    @TempDir
    Path dir;

    private final ThreadLeakCheck threads = ThreadLeakCheck.start();
    private final Map<Integer, MetadataQuorum> voters = new HashMap<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    /** Closed last, after the voters and clients using them. */
    private final List<QuorumTransport> transports = new ArrayList<>();
    private Map<Integer, InetSocketAddress> addresses;
    private String protocol = "SASL_PLAINTEXT";
    private TestPki pki;

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        voters.values().forEach(MetadataQuorum::close);
        transports.forEach(QuorumTransport::close);
        threads.assertNoNewThreads();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** A node's settings for a SASL controller listener, authenticating as admin with {@code password}. */
    private Map<String, String> node(String roles, int nodeId, String password) {
        Map<String, String> props = new HashMap<>();
        props.put("process.roles", roles);
        props.put("node.id", Integer.toString(nodeId));
        StringBuilder quorum = new StringBuilder();
        addresses.forEach((id, a) -> quorum.append(quorum.isEmpty() ? "" : ",").append(id).append("@127.0.0.1:")
                .append(a.getPort()));
        props.put("controller.quorum.voters", quorum.toString());
        props.put("listeners", roles.equals("controller") ? "CONTROLLER://127.0.0.1:" + addresses.get(nodeId).getPort()
                : "PLAINTEXT://127.0.0.1:0");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:" + protocol);
        props.put("sasl.mechanism.controller.protocol", "PLAIN");
        props.put("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
        props.put("listener.name.controller.plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\" password=\""
                        + password + "\" user_admin=\"" + password + "\";");
        if (protocol.equals("SASL_SSL")) {
            TestPki.Identity identity = pki.issue("node-" + nodeId, "CN=node-" + nodeId + ",O=Strand",
                    "localhost", "127.0.0.1");
            props.put("listener.name.controller.ssl.keystore.type", "PKCS12");
            props.put("listener.name.controller.ssl.keystore.location", identity.keystore("PKCS12").toString());
            props.put("listener.name.controller.ssl.keystore.password", TestPki.PASSWORD);
            props.put("listener.name.controller.ssl.truststore.location", pki.truststore("JKS").toString());
            props.put("listener.name.controller.ssl.truststore.password", TestPki.PASSWORD);
        }
        return props;
    }

    private QuorumTransport transport(Map<String, String> props) {
        QuorumTransport transport = QuorumTransports.of(BrokerConfig.of(props));
        transports.add(transport);
        return transport;
    }

    private void startVoters(int count, Map<Integer, String> passwords) throws IOException {
        addresses = new LinkedHashMap<>();
        for (int id = 1; id <= count; id++) {
            addresses.put(id, new InetSocketAddress("127.0.0.1", freePort()));
        }
        for (int id = 1; id <= count; id++) {
            QuorumTransport transport = transport(node("controller", id, passwords.getOrDefault(id, PASSWORD)));
            assertThat(transport.isTunnelled()).isTrue();
            MetadataQuorum quorum = MetadataQuorum.start(id, addresses, dir.resolve("node" + id), Time.SYSTEM,
                    MetadataListener.NOOP, STEADY.withRandom(new Random(id)), transport);
            int answer = id;
            // The leader's handler echoes its node id, so a test sees which voter answered.
            quorum.setLeaderRequestHandler((key, version, data) ->
                    CompletableFuture.completedFuture(ByteBuffer.allocate(4).putInt(0, answer)));
            voters.put(id, quorum);
        }
    }

    private MetadataQuorum awaitLeader() {
        return await().atMost(STEP_TIMEOUT).until(() -> voters.values().stream()
                .filter(MetadataQuorum::isLeader).findFirst().orElse(null), q -> q != null);
    }

    /**
     * Appends {@code record} through whichever voter leads: on a busy machine a just-elected leader may
     * lose its term before the append, which Ratis then refuses whole (NotControllerException), so the
     * append goes again to the next leader; any other failure fails the test.
     */
    private void appendThroughTheLeader(TopicRecord record) {
        await().atMost(STEP_TIMEOUT).until(() -> {
            try {
                awaitLeader().append(List.of(record)).get(30, TimeUnit.SECONDS);
                return true;
            } catch (ExecutionException e) {
                if (e.getCause() instanceof NotControllerException) {
                    return false;
                }
                throw e;
            }
        });
    }

    private LeaderRequestClient client(String name, QuorumTransport transport, long timeoutMs) {
        LeaderRequestClient client = LeaderRequestClient.open(name, addresses, timeoutMs, 1_000, () -> -1, transport);
        closeables.add(client);
        return client;
    }

    private static int answeringNode(LeaderRequestClient client) throws Exception {
        return client.send(API_KEY, (short) 0, ByteBuffer.allocate(0)).get(60, TimeUnit.SECONDS).getInt(0);
    }

    private static void assertRefused(LeaderRequestClient client) {
        long startNs = System.nanoTime();
        assertThatThrownBy(() -> client.send(API_KEY, (short) 0, ByteBuffer.allocate(0)).get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TimeoutException.class)
                .hasMessageContaining("No metadata leader answered");
        assertThat(Duration.ofNanos(System.nanoTime() - startNs)).isLessThan(Duration.ofSeconds(15));
    }

    @Test
    void votersElectAndReplicateOverSaslAndOnlyBrokersWithThePasswordReachTheLeader() throws Exception {
        startVoters(3, Map.of());
        MetadataQuorum leader = awaitLeader();
        await().atMost(STEP_TIMEOUT).until(() -> voters.values().stream().allMatch(q -> q.caughtUp().isDone()));
        appendThroughTheLeader(new TopicRecord("over-sasl", new Uuid(1, 1)));
        leader = awaitLeader();
        await().atMost(STEP_TIMEOUT).untilAsserted(() -> assertThat(voters.values())
                .allSatisfy(q -> assertThat(q.image().topics().byName("over-sasl")).isPresent()));
        // The voters' addresses are their controller listeners, as configured.
        voters.forEach((id, q) -> assertThat(q.raftAddress()).isEqualTo(addresses.get(id)));

        LeaderRequestClient client = client("4-test", transport(node("broker", 4, PASSWORD)), 60_000);
        assertThat(answeringNode(client)).isEqualTo(leader.nodeId());
        assertRefused(client("5-wrong-password", transport(node("broker", 5, "wrong")), 2_000));
        assertRefused(client("6-plaintext", QuorumTransport.plaintext(), 2_000));

        // The leader goes away: the other two elect through the tunnel and the broker finds the new one.
        int oldLeader = leader.nodeId();
        voters.remove(oldLeader).close();
        MetadataQuorum newLeader = awaitLeader();
        assertThat(newLeader.nodeId()).isNotEqualTo(oldLeader);
        assertThat(answeringNode(client)).isEqualTo(newLeader.nodeId());
    }

    @Test
    void aVoterWithAWrongPasswordGetsNothing() throws Exception {
        // Voter 3 authenticates, and checks others, with another password than 1 and 2.
        startVoters(3, Map.of(3, "wrong"));
        assertThat(awaitLeader().nodeId()).isIn(1, 2);
        appendThroughTheLeader(new TopicRecord("kept-out", new Uuid(2, 2)));
        await().atMost(STEP_TIMEOUT).untilAsserted(() -> assertThat(List.of(voters.get(1), voters.get(2)))
                .allSatisfy(q -> assertThat(q.image().topics().byName("kept-out")).isPresent()));
        // For many times the leader's heartbeat interval, nothing reaches voter 3 and it never leads.
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() ->
                voters.get(3).image().topics().byName("kept-out").isEmpty() && !voters.get(3).isLeader());
    }

    @Test
    void saslSslCarriesTheQuorumOverTls() throws Exception {
        protocol = "SASL_SSL";
        pki = TestPki.create(dir.resolve("pki"));
        startVoters(1, Map.of());
        awaitLeader();
        assertThat(answeringNode(client("4-tls", transport(node("broker", 4, PASSWORD)), 60_000))).isEqualTo(1);
        assertRefused(client("5-wrong-password", transport(node("broker", 5, "wrong")), 2_000));
    }
}
