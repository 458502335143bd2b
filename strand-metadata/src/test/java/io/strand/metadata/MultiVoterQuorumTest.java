package io.strand.metadata;

import static io.strand.metadata.ControllerTestSupport.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three voters in one JVM on loopback ports: one leader, replicated images, failover, catch-up. */
class MultiVoterQuorumTest {

    @TempDir
    Path dir;

    private final ThreadLeakCheck threads = ThreadLeakCheck.start();
    private final Map<Integer, MetadataQuorum> nodes = new HashMap<>();
    private Map<Integer, InetSocketAddress> voters;

    @AfterEach
    void closeAll() {
        nodes.values().forEach(MetadataQuorum::close);
        threads.assertNoNewThreads();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private MetadataQuorum startNode(int id) {
        MetadataQuorum quorum = MetadataQuorum.start(id, voters, dir.resolve("node" + id), Time.SYSTEM,
                MetadataListener.NOOP, QuorumOptions.defaults().withRandom(new Random(id)));
        nodes.put(id, quorum);
        return quorum;
    }

    private MetadataQuorum awaitLeader() {
        return await().atMost(Duration.ofSeconds(15)).until(() -> nodes.values().stream()
                .filter(MetadataQuorum::isLeader).findFirst().orElse(null), q -> q != null);
    }

    @Test
    void oneLeaderReplicatesToFollowersAndFollowersRefuseAppends() throws IOException {
        voters = Map.of(1, new InetSocketAddress("127.0.0.1", freePort()),
                2, new InetSocketAddress("127.0.0.1", freePort()),
                3, new InetSocketAddress("127.0.0.1", freePort()));
        for (int id = 1; id <= 3; id++) {
            startNode(id);
        }
        nodes.values().forEach(q -> get(q.caughtUp()));
        MetadataQuorum leader = awaitLeader();
        int leaderId = leader.nodeId();
        assertThat(nodes.values()).filteredOn(MetadataQuorum::isLeader).hasSize(1);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(nodes.values()).allSatisfy(q -> assertThat(q.leaderId()).hasValue(leaderId)));
        String clusterId = leader.image().clusterId();
        assertThat(nodes.values()).allSatisfy(q -> assertThat(q.image().clusterId()).isEqualTo(clusterId));

        Uuid id = new Uuid(1, 1);
        long offset = get(leader.append(List.of(new TopicRecord("replicated", id))));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(nodes.values())
                .allSatisfy(q -> assertThat(q.image().topics().byName("replicated")).isPresent()));

        MetadataQuorum follower = nodes.values().stream().filter(q -> !q.isLeader()).findFirst().orElseThrow();
        assertThatThrownBy(() -> follower.append(List.of(new RemoveTopicRecord(id))).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(NotControllerException.class);

        // The leader goes away: the other two elect a new one, which keeps the history and appends.
        leader.close();
        nodes.remove(leaderId);
        MetadataQuorum newLeader = awaitLeader();
        assertThat(newLeader.nodeId()).isNotEqualTo(leaderId);
        assertThat(newLeader.image().topics().byName("replicated")).isPresent();
        long next = get(newLeader.append(List.of(new RemoveTopicRecord(id))));
        assertThat(next).isGreaterThan(offset);

        // The old leader restarts as a follower and catches up with what it missed.
        MetadataQuorum rejoined = startNode(leaderId);
        get(rejoined.caughtUp());
        assertThat(rejoined.image().topics().byName("replicated")).isEmpty();
        assertThat(rejoined.image().appliedOffset()).isGreaterThanOrEqualTo(next);
        assertThat(rejoined.isLeader()).isFalse();
    }
}
