package io.strand.broker.network.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.strand.common.config.BrokerConfig;
import io.strand.common.test.FreePorts;
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
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three voters whose controller listener is SSL with {@code ssl.client.auth=required}: they elect and
 * replicate over mutual TLS, a broker presenting its controller listener's certificate reaches the
 * leader's handler (and the new leader's after a failover), and a client that does not present a trusted
 * certificate, presents none, or speaks plaintext is refused: its requests fail within their timeout.
 * A voter's certificate must name its host unless {@code ssl.endpoint.identification.algorithm} is empty,
 * and a lone voter on an ephemeral port is reached at the host it bound.
 */
class QuorumOverTlsTest {

    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(60);
    private static final QuorumOptions STEADY = QuorumOptions.defaults().withElectionTimeoutMs(1_000, 1_500);
    private static final short API_KEY = 55;

    @TempDir
    Path dir;

    private final ThreadLeakCheck threads = ThreadLeakCheck.start();
    private final Map<Integer, MetadataQuorum> voters = new HashMap<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private Map<Integer, InetSocketAddress> addresses;
    private TestPki pki;

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        voters.values().forEach(MetadataQuorum::close);
        threads.assertNoNewThreads();
    }

    /** Below the ephemeral range: the voters' own outgoing connections cannot take it first (FreePorts). */
    private static int freePort() throws IOException {
        return FreePorts.reserve();
    }

    /** A node's ssl.* for its controller listener, with the key store of {@code identity} (null: none). */
    private Map<String, String> node(String roles, int nodeId, TestPki.Identity identity, TestPki trusted) {
        Map<String, String> props = new HashMap<>();
        props.put("process.roles", roles);
        props.put("node.id", Integer.toString(nodeId));
        StringBuilder quorum = new StringBuilder();
        addresses.forEach((id, a) -> quorum.append(quorum.isEmpty() ? "" : ",").append(id).append("@127.0.0.1:")
                .append(a.getPort()));
        props.put("controller.quorum.voters", quorum.toString());
        props.put("listeners", roles.equals("controller") ? "CONTROLLER://127.0.0.1:" + addresses.get(nodeId).getPort()
                : "PLAINTEXT://127.0.0.1:0");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:SSL");
        if (identity != null) {
            props.put("listener.name.controller.ssl.keystore.type", "PKCS12");
            props.put("listener.name.controller.ssl.keystore.location", identity.keystore("PKCS12").toString());
            props.put("listener.name.controller.ssl.keystore.password", TestPki.PASSWORD);
        }
        props.put("listener.name.controller.ssl.truststore.location", trusted.truststore("JKS").toString());
        props.put("listener.name.controller.ssl.truststore.password", TestPki.PASSWORD);
        props.put("listener.name.controller.ssl.client.auth", identity != null ? "required" : "none");
        return props;
    }

    private void startVoters() throws IOException {
        pki = TestPki.create(dir.resolve("pki"));
        addresses = new LinkedHashMap<>();
        for (int id = 1; id <= 3; id++) {
            addresses.put(id, new InetSocketAddress("127.0.0.1", freePort()));
        }
        for (int id = 1; id <= 3; id++) {
            startVoter(id);
        }
    }

    private void startVoter(int id) {
        TestPki.Identity identity = pki.issue("controller-" + id, "CN=controller-" + id + ",O=Strand",
                "localhost", "127.0.0.1");
        QuorumTransport transport = QuorumTls.transport(BrokerConfig.of(node("controller", id, identity, pki)));
        assertThat(transport.isMutualTls()).isTrue();
        MetadataQuorum quorum = MetadataQuorum.start(id, addresses, dir.resolve("node" + id), Time.SYSTEM,
                MetadataListener.NOOP, STEADY.withRandom(new Random(id)), transport);
        // The leader's handler echoes its node id, so a test sees which voter answered.
        quorum.setLeaderRequestHandler((key, version, data) ->
                CompletableFuture.completedFuture(ByteBuffer.allocate(4).putInt(0, id)));
        voters.put(id, quorum);
    }

    private MetadataQuorum awaitLeader() {
        return await().atMost(STEP_TIMEOUT).until(() -> voters.values().stream()
                .filter(MetadataQuorum::isLeader).findFirst().orElse(null), q -> q != null);
    }

    private LeaderRequestClient client(String name, QuorumTransport transport, long timeoutMs) {
        LeaderRequestClient client = LeaderRequestClient.open(name, addresses, timeoutMs, 1_000, () -> -1, transport);
        closeables.add(client);
        return client;
    }

    private static int answeringNode(LeaderRequestClient client) throws Exception {
        return client.send(API_KEY, (short) 0, ByteBuffer.allocate(0)).get(60, TimeUnit.SECONDS).getInt(0);
    }

    @Test
    void votersElectAndReplicateOverMutualTlsAndABrokerReachesTheLeader() throws Exception {
        startVoters();
        MetadataQuorum leader = awaitLeader();
        await().atMost(STEP_TIMEOUT).until(() -> voters.values().stream().allMatch(q -> q.caughtUp().isDone()));
        leader.append(List.of(new TopicRecord("over-tls", new Uuid(1, 1)))).get(30, TimeUnit.SECONDS);
        await().atMost(STEP_TIMEOUT).untilAsserted(() -> assertThat(voters.values())
                .allSatisfy(q -> assertThat(q.image().topics().byName("over-tls")).isPresent()));

        TestPki.Identity broker = pki.issue("broker", "CN=broker,O=Strand");
        QuorumTransport brokerTransport = QuorumTls.transport(BrokerConfig.of(node("broker", 4, broker, pki)));
        LeaderRequestClient client = client("4-test", brokerTransport, 60_000);
        assertThat(answeringNode(client)).isEqualTo(leader.nodeId());

        // The leader goes away: the other two elect over TLS and the broker's requests find the new one.
        int oldLeader = leader.nodeId();
        voters.remove(oldLeader).close();
        MetadataQuorum newLeader = awaitLeader();
        assertThat(newLeader.nodeId()).isNotEqualTo(oldLeader);
        assertThat(answeringNode(client)).isEqualTo(newLeader.nodeId());
    }

    @Test
    void aLoneVoterOnAnEphemeralPortReportsTheHostItBound() throws Exception {
        pki = TestPki.create(dir.resolve("pki"));
        addresses = new LinkedHashMap<>(Map.of(1, new InetSocketAddress("localhost", 0)));
        TestPki.Identity identity = pki.issue("controller-1", "CN=controller-1,O=Strand", "localhost");
        Map<String, String> props = node("controller", 1, identity, pki);
        props.put("listeners", "CONTROLLER://localhost:0");
        props.put("controller.quorum.voters", "1@localhost:0");
        QuorumTransport transport = QuorumTls.transport(BrokerConfig.of(props));
        MetadataQuorum quorum = MetadataQuorum.start(1, addresses, dir.resolve("node1"), Time.SYSTEM,
                MetadataListener.NOOP, QuorumOptions.defaults(), transport);
        quorum.setLeaderRequestHandler((key, version, data) ->
                CompletableFuture.completedFuture(ByteBuffer.allocate(4).putInt(0, 1)));
        voters.put(1, quorum);
        InetSocketAddress bound = quorum.raftAddress();
        assertThat(bound.getHostString()).isEqualTo("localhost");
        assertThat(bound.getPort()).isPositive();
        // Reached there over TLS, its certificate checked against that host name.
        addresses = Map.of(1, bound);
        assertThat(answeringNode(client("1-local", transport, 60_000))).isEqualTo(1);
    }

    @Test
    void theVoterHostNameIsCheckedUnlessEndpointIdentificationIsOff() throws Exception {
        pki = TestPki.create(dir.resolve("pki"));
        addresses = new LinkedHashMap<>(Map.of(1, new InetSocketAddress("127.0.0.1", freePort())));
        // A certificate of the trusted CA that names another host than the voter's.
        TestPki.Identity misnamed = pki.issue("controller-1", "CN=controller-1,O=Strand", "elsewhere.example");
        MetadataQuorum quorum = MetadataQuorum.start(1, addresses, dir.resolve("node1"), Time.SYSTEM,
                MetadataListener.NOOP, QuorumOptions.defaults(),
                QuorumTls.transport(BrokerConfig.of(node("controller", 1, misnamed, pki))));
        quorum.setLeaderRequestHandler((key, version, data) ->
                CompletableFuture.completedFuture(ByteBuffer.allocate(4).putInt(0, 1)));
        voters.put(1, quorum);
        awaitLeader();

        TestPki.Identity broker = pki.issue("broker", "CN=broker,O=Strand");
        Map<String, String> checking = node("broker", 4, broker, pki);
        LeaderRequestClient refused = client("4-checking", QuorumTls.transport(BrokerConfig.of(checking)), 2_000);
        assertThatThrownBy(() -> refused.send(API_KEY, (short) 0, ByteBuffer.allocate(0)).get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TimeoutException.class);

        Map<String, String> notChecking = node("broker", 4, broker, pki);
        notChecking.put("listener.name.controller.ssl.endpoint.identification.algorithm", "");
        LeaderRequestClient accepted = client("4-not-checking", QuorumTls.transport(BrokerConfig.of(notChecking)),
                60_000);
        assertThat(answeringNode(accepted)).isEqualTo(1);
    }

    @Test
    void clientsWithoutATrustedCertificateAreRefusedNotHung() throws Exception {
        startVoters();
        awaitLeader();
        TestPki other = TestPki.create(dir.resolve("other-pki"));
        TestPki.Identity stranger = other.issue("stranger", "CN=stranger,O=Elsewhere");
        // Trusts the voters but presents a certificate of another CA.
        Map<String, String> untrusted = node("broker", 5, stranger, pki);
        // Presents none (its own listener settings ask for no client certificate).
        Map<String, String> anonymous = node("broker", 6, null, pki);
        List<LeaderRequestClient> refused = List.of(
                client("5-untrusted", QuorumTls.transport(BrokerConfig.of(untrusted)), 2_000),
                client("6-anonymous", QuorumTls.transport(BrokerConfig.of(anonymous)), 2_000),
                client("7-plaintext", QuorumTransport.plaintext(), 2_000));
        for (LeaderRequestClient client : refused) {
            long startNs = System.nanoTime();
            assertThatThrownBy(() -> client.send(API_KEY, (short) 0, ByteBuffer.allocate(0)).get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TimeoutException.class)
                    .hasMessageContaining("No metadata leader answered");
            assertThat(Duration.ofNanos(System.nanoTime() - startNs)).isLessThan(Duration.ofSeconds(15));
        }
        // The voters still serve a client they trust.
        TestPki.Identity broker = pki.issue("broker", "CN=broker,O=Strand");
        LeaderRequestClient trusted = client("4-trusted", QuorumTls.transport(BrokerConfig.of(node("broker", 4, broker,
                pki))), 60_000);
        assertThat(answeringNode(trusted)).isIn(1, 2, 3);
    }
}
