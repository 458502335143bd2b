package io.strand.metadata.quorum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.strand.common.test.FreePorts;
import io.strand.common.test.ThreadLeakCheck;
import io.strand.metadata.image.MetadataListener;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Leader requests between three voters on loopback: whichever node a request is sent to first, the
 * leader's handler answers it; after a leader change the new leader's does; without a leader the
 * request fails with a timeout.
 */
class LeaderRequestClientTest {

    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(60);
    private static final QuorumOptions STEADY = QuorumOptions.defaults().withElectionTimeoutMs(1_000, 1_500);
    /** A voter that stopped leaves a connection that never answers; this long is waited on it. */
    private static final long ATTEMPT_TIMEOUT_MS = 3_000;
    private static final short API_KEY = 19;
    private static final short API_VERSION = 7;

    @TempDir
    Path dir;

    private final ThreadLeakCheck threads = ThreadLeakCheck.start();
    private final Map<Integer, MetadataQuorum> nodes = new HashMap<>();
    private final List<LeaderRequestClient> clients = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    /** Which node's handler answered, in order. */
    private final List<Integer> answeredBy = new CopyOnWriteArrayList<>();
    private Map<Integer, InetSocketAddress> voters;

    @AfterEach
    void closeAll() {
        clients.forEach(LeaderRequestClient::close);
        nodes.values().forEach(MetadataQuorum::close);
        for (AutoCloseable closeable : closeables) {
            try {
                closeable.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        threads.assertNoNewThreads();
    }

    @Test
    void requestSentToAFollowerIsAnsweredByTheLeadersHandler() throws Exception {
        startThreeVoters();
        MetadataQuorum leader = awaitLeader();
        int follower = nodes.keySet().stream().filter(id -> id != leader.nodeId()).findFirst().orElseThrow();
        LeaderRequestClient client = client(30_000);
        client.setLeaderHint(follower);

        ByteBuffer answer = client.send(API_KEY, API_VERSION, utf8("create t")).get(60, TimeUnit.SECONDS);

        assertThat(text(answer)).isEqualTo("node " + leader.nodeId() + " answers apiKey=19 version=7 data=create t");
        assertThat(answeredBy).containsExactly(leader.nodeId());
        assertThat(client.leaderHint()).isEqualTo(leader.nodeId());
    }

    @Test
    void afterTheLeaderGoesTheNewLeaderAnswers() throws Exception {
        startThreeVoters();
        MetadataQuorum first = awaitLeader();
        LeaderRequestClient client = client(60_000);
        client.send(API_KEY, API_VERSION, utf8("before")).get(60, TimeUnit.SECONDS);
        assertThat(client.leaderHint()).isEqualTo(first.nodeId());

        first.close();
        nodes.remove(first.nodeId());
        ByteBuffer answer = client.send(API_KEY, API_VERSION, utf8("after")).get(60, TimeUnit.SECONDS);

        MetadataQuorum second = awaitLeader();
        assertThat(second.nodeId()).isNotEqualTo(first.nodeId());
        assertThat(text(answer)).startsWith("node " + second.nodeId() + " answers");
        assertThat(answeredBy).containsExactly(first.nodeId(), second.nodeId());
    }

    @Test
    void withoutALeaderTheRequestTimesOut() throws Exception {
        startThreeVoters();
        MetadataQuorum leader = awaitLeader();
        // The leader and one follower gone: the last voter cannot be elected.
        nodes.remove(leader.nodeId()).close();
        int other = nodes.keySet().iterator().next();
        nodes.remove(other).close();
        MetadataQuorum last = nodes.values().iterator().next();
        LeaderRequestClient client = client(1_500);

        CompletableFuture<ByteBuffer> answer = client.send(API_KEY, API_VERSION, utf8("lost"));

        assertThatThrownBy(() -> answer.get(60, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(TimeoutException.class)
                .hasMessageContaining("No metadata leader answered within timeoutMs=1500");
        assertThat(answeredBy).doesNotContain(last.nodeId());
        assertThat(last.isLeader()).isFalse();
    }

    @Test
    void aHandlersFailureArrivesAsItsKafkaError() throws Exception {
        startThreeVoters();
        awaitLeader();
        nodes.values().forEach(q -> q.setLeaderRequestHandler((key, version, data) ->
                CompletableFuture.failedFuture(new PolicyViolationException("too many partitions"))));
        LeaderRequestClient client = client(30_000);

        assertThatThrownBy(() -> client.send(API_KEY, API_VERSION, utf8("x")).get(60, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(PolicyViolationException.class)
                .hasMessage("too many partitions");
    }

    @Test
    void aLeaderWithoutAHandlerIsAskedAgainUntilItHasOne() throws Exception {
        startThreeVoters();
        MetadataQuorum leader = awaitLeader();
        nodes.values().forEach(q -> q.setLeaderRequestHandler(null));
        LeaderRequestClient client = client(60_000);

        CompletableFuture<ByteBuffer> answer = client.send(API_KEY, API_VERSION, utf8("early"));
        assertThat(answer).isNotDone();
        installEcho(leader);

        assertThat(text(answer.get(60, TimeUnit.SECONDS))).startsWith("node " + leader.nodeId() + " answers");
    }

    @Test
    void closeFailsWaitingRequests() throws Exception {
        startThreeVoters();
        MetadataQuorum leader = awaitLeader();
        leader.setLeaderRequestHandler((key, version, data) -> new CompletableFuture<>());
        LeaderRequestClient client = client(60_000);
        client.setLeaderHint(leader.nodeId());
        CompletableFuture<ByteBuffer> answer = client.send(API_KEY, API_VERSION, utf8("never"));

        client.close();

        assertThatThrownBy(() -> answer.get(60, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(NotControllerException.class);
    }

    @Test
    void aVoterThatNeverAnsweredIsNotAskedFirstByTheNextRequest() throws Exception {
        int silent = startTwoVotersAndASilentOne();
        MetadataQuorum leader = awaitLeader();
        // One attempt per request, as a broker's heartbeats have: no time to try a second voter.
        LeaderRequestClient client = LeaderRequestClient.open("test", voters, 2_000, 2_000);
        clients.add(client);

        CompletableFuture<ByteBuffer> first = client.send(API_KEY, API_VERSION, utf8("first"));
        assertThatThrownBy(() -> first.get(60, TimeUnit.SECONDS)).cause().isInstanceOf(TimeoutException.class)
                .hasMessageContaining("no answer within");
        ByteBuffer second = client.send(API_KEY, API_VERSION, utf8("second")).get(60, TimeUnit.SECONDS);

        assertThat(text(second)).startsWith("node " + leader.nodeId() + " answers");
        assertThat(answeredBy).containsExactly(leader.nodeId()).doesNotContain(silent);
    }

    @Test
    void aSendWaitingOnASilentVoterGoesToTheLeaderTheLocalRaftServerNames() throws Exception {
        int silent = startTwoVotersAndASilentOne();
        MetadataQuorum leader = awaitLeader();
        AtomicInteger knownLeader = new AtomicInteger(silent);
        LeaderRequestClient client = LeaderRequestClient.open("test", voters, 60_000, 60_000, knownLeader::get);
        clients.add(client);

        CompletableFuture<ByteBuffer> answer = client.send(API_KEY, API_VERSION, utf8("failover"));
        assertThat(answer).isNotDone();
        knownLeader.set(leader.nodeId());

        // Far sooner than the attempt timeout: the send to the silent voter is abandoned.
        assertThat(text(answer.get(20, TimeUnit.SECONDS))).startsWith("node " + leader.nodeId() + " answers");
    }

    @Test
    void aRequestGoesFirstToTheLeaderTheLocalRaftServerNames() throws Exception {
        int silent = startTwoVotersAndASilentOne();
        MetadataQuorum leader = awaitLeader();
        LeaderRequestClient client = LeaderRequestClient.open("test", voters, 60_000, 60_000, leader::nodeId);
        clients.add(client);
        client.setLeaderHint(silent);

        assertThat(text(client.send(API_KEY, API_VERSION, utf8("x")).get(20, TimeUnit.SECONDS)))
                .startsWith("node " + leader.nodeId() + " answers");
    }

    @Test
    void aVoterThatDiedIsReachedAgainOnceItServes() throws Exception {
        voters = Map.of(1, new InetSocketAddress("127.0.0.1", freePort()));
        MetadataQuorum first = startSingleVoter();
        LeaderRequestClient client = client(5_000);
        assertThat(text(client.send(API_KEY, API_VERSION, utf8("before")).get(60, TimeUnit.SECONDS)))
                .startsWith("node 1 answers");

        // The voter dies under the client's open connection, and refuses connections while it is down.
        nodes.remove(1);
        first.close();
        CompletableFuture<ByteBuffer> whileDown = client.send(API_KEY, API_VERSION, utf8("down"));
        assertThatThrownBy(() -> whileDown.get(60, TimeUnit.SECONDS)).cause().isInstanceOf(TimeoutException.class);

        startSingleVoter();
        assertThat(text(client.send(API_KEY, API_VERSION, utf8("after")).get(60, TimeUnit.SECONDS)))
                .startsWith("node 1 answers");
    }

    private MetadataQuorum startSingleVoter() throws IOException {
        MetadataQuorum quorum = MetadataQuorum.start(1, voters, dir.resolve("node1"), Time.SYSTEM,
                MetadataListener.NOOP, STEADY.withRandom(new Random(1)));
        nodes.put(1, quorum);
        installEcho(quorum);
        awaitLeader();
        return quorum;
    }

    private LeaderRequestClient client(long timeoutMs) {
        LeaderRequestClient client = LeaderRequestClient.open("test", voters, timeoutMs, ATTEMPT_TIMEOUT_MS);
        clients.add(client);
        return client;
    }

    private void installEcho(MetadataQuorum quorum) {
        quorum.setLeaderRequestHandler((key, version, data) -> {
            answeredBy.add(quorum.nodeId());
            return CompletableFuture.completedFuture(utf8("node " + quorum.nodeId() + " answers apiKey=" + key
                    + " version=" + version + " data=" + text(data)));
        });
    }

    private void startThreeVoters() throws IOException {
        voters = Map.of(1, new InetSocketAddress("127.0.0.1", freePort()),
                2, new InetSocketAddress("127.0.0.1", freePort()),
                3, new InetSocketAddress("127.0.0.1", freePort()));
        for (int id = 1; id <= 3; id++) {
            MetadataQuorum quorum = MetadataQuorum.start(id, voters, dir.resolve("node" + id), Time.SYSTEM,
                    MetadataListener.NOOP, STEADY.withRandom(new Random(id)));
            nodes.put(id, quorum);
            installEcho(quorum);
        }
    }

    /**
     * Two voters and a third that accepts connections and never answers (a paused process): the one
     * a client without a leader hint would ask first. Returns its id.
     */
    private int startTwoVotersAndASilentOne() throws IOException {
        Map<Integer, InetSocketAddress> ids = Map.of(1, new InetSocketAddress("127.0.0.1", 1),
                2, new InetSocketAddress("127.0.0.1", 2), 3, new InetSocketAddress("127.0.0.1", 3));
        int silent = RaftSettings.nodeId(RaftSettings.group(ids).getPeers().iterator().next().getId());
        ServerSocket silentSocket = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        closeables.add(silentSocket);
        voters = new HashMap<>();
        for (int id = 1; id <= 3; id++) {
            voters.put(id, new InetSocketAddress("127.0.0.1", id == silent ? silentSocket.getLocalPort() : freePort()));
        }
        for (int id = 1; id <= 3; id++) {
            if (id != silent) {
                MetadataQuorum quorum = MetadataQuorum.start(id, voters, dir.resolve("node" + id), Time.SYSTEM,
                        MetadataListener.NOOP, STEADY.withRandom(new Random(id)));
                nodes.put(id, quorum);
                installEcho(quorum);
            }
        }
        return silent;
    }

    private MetadataQuorum awaitLeader() {
        return await().atMost(STEP_TIMEOUT).until(() -> nodes.values().stream()
                .filter(MetadataQuorum::isLeader).findFirst().orElse(null), q -> q != null);
    }

    /** Below the ephemeral range: the voters' own outgoing connections cannot take it first (FreePorts). */
    private static int freePort() throws IOException {
        return FreePorts.reserve();
    }

    private static ByteBuffer utf8(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(ByteBuffer data) {
        return StandardCharsets.UTF_8.decode(data.duplicate()).toString();
    }
}
