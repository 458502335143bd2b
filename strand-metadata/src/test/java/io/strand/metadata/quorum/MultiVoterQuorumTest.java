package io.strand.metadata.quorum;

import static io.strand.metadata.controller.ControllerTestSupport.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.strand.common.test.FreePorts;
import io.strand.common.test.ThreadLeakCheck;
import io.strand.metadata.controller.ControllerTestSupport;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.MetadataListener;
import io.strand.metadata.record.RemoveTopicRecord;
import io.strand.metadata.record.TopicRecord;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.utils.Time;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.util.CodeInjectionForTesting;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three voters in one JVM on loopback ports: one leader, replicated images, failover, catch-up. */
class MultiVoterQuorumTest {

    /** Ratis' injection point at the start of a follower's AppendEntries (RaftServerImpl.APPEND_ENTRIES). */
    private static final String APPEND_ENTRIES = "RaftServerImpl.appendEntries";
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(60);
    /**
     * Election timeouts long enough that a leader keeps its term through the pauses of a loaded
     * machine (an append then fails only where the test means it to), and that no node gives up on
     * its leader while appends are refused.
     */
    private static final QuorumOptions STEADY = QuorumOptions.defaults().withElectionTimeoutMs(1_000, 1_500);

    @TempDir
    Path dir;

    private final ThreadLeakCheck threads = ThreadLeakCheck.start();
    private final Map<Integer, MetadataQuorum> nodes = new HashMap<>();
    private Map<Integer, InetSocketAddress> voters;

    @AfterEach
    void closeAll() {
        CodeInjectionForTesting.remove(APPEND_ENTRIES);
        nodes.values().forEach(MetadataQuorum::close);
        threads.assertNoNewThreads();
    }

    /** Below the ephemeral range: the voters' own outgoing connections cannot take it first (FreePorts). */
    private static int freePort() throws IOException {
        return FreePorts.reserve();
    }

    private MetadataQuorum startNode(int id, QuorumOptions options) {
        MetadataQuorum quorum = MetadataQuorum.start(id, voters, dir.resolve("node" + id), Time.SYSTEM,
                MetadataListener.NOOP, options.withRandom(new Random(id)));
        nodes.put(id, quorum);
        return quorum;
    }

    private void startThreeVoters(QuorumOptions options) throws IOException {
        voters = Map.of(1, new InetSocketAddress("127.0.0.1", freePort()),
                2, new InetSocketAddress("127.0.0.1", freePort()),
                3, new InetSocketAddress("127.0.0.1", freePort()));
        for (int id = 1; id <= 3; id++) {
            startNode(id, options);
        }
        nodes.values().forEach(MultiVoterQuorumTest::awaitCaughtUp);
    }

    /** Generous: on a loaded machine a start or an election can take seconds; nothing here waits on luck. */
    private static void awaitCaughtUp(MetadataQuorum quorum) {
        await().atMost(STEP_TIMEOUT).until(() -> quorum.caughtUp().isDone());
        get(quorum.caughtUp());
    }

    private MetadataQuorum awaitLeader() {
        return await().atMost(STEP_TIMEOUT).until(() -> nodes.values().stream()
                .filter(MetadataQuorum::isLeader).findFirst().orElse(null), q -> q != null);
    }

    @Test
    void everyVoterFormatsItsStorageWithTheCommonStartingSnapshotAndLogsFromIndexOne() throws IOException {
        startThreeVoters(STEADY);
        awaitLeader();

        for (int id = 1; id <= 3; id++) {
            Path nodeDir = dir.resolve("node" + id);
            try (Stream<Path> files = Files.walk(nodeDir)) {
                List<String> names = files.map(p -> p.getFileName().toString()).toList();
                assertThat(names).as("node %d", id).contains("snapshot.0_0")
                        .noneMatch(n -> n.startsWith("log_0-") || n.equals("log_inprogress_0"));
            }
        }
    }

    @Test
    void oneLeaderReplicatesToFollowersAndFollowersRefuseAppends() throws IOException {
        startThreeVoters(STEADY);
        MetadataQuorum leader = awaitLeader();
        int leaderId = leader.nodeId();
        assertThat(nodes.values()).filteredOn(MetadataQuorum::isLeader).hasSize(1);
        await().atMost(STEP_TIMEOUT).untilAsserted(() ->
                assertThat(nodes.values()).allSatisfy(q -> assertThat(q.leaderId()).hasValue(leaderId)));
        String clusterId = leader.image().clusterId();
        assertThat(nodes.values()).allSatisfy(q -> assertThat(q.image().clusterId()).isEqualTo(clusterId));

        Uuid id = new Uuid(1, 1);
        long offset = get(leader.append(List.of(new TopicRecord("replicated", id))));
        await().atMost(STEP_TIMEOUT).untilAsserted(() -> assertThat(nodes.values())
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
        MetadataQuorum rejoined = startNode(leaderId, STEADY);
        awaitCaughtUp(rejoined);
        assertThat(rejoined.image().topics().byName("replicated")).isEmpty();
        assertThat(rejoined.image().appliedOffset()).isGreaterThanOrEqualTo(next);
        assertThat(rejoined.isLeader()).isFalse();
    }

    @Test
    void theLeaderDescribesTheQuorumWithEveryVotersProgressAndFollowersDoNot() throws IOException {
        startThreeVoters(STEADY);
        MetadataQuorum leader = awaitLeader();
        long offset = get(leader.append(List.of(new TopicRecord("described", new Uuid(2, 2)))));

        await().atMost(STEP_TIMEOUT).untilAsserted(() -> {
            QuorumDescription description = leader.describeQuorum("CONTROLLER").orElseThrow();
            assertThat(description.leaderId()).isEqualTo(leader.nodeId());
            assertThat(description.term()).isPositive();
            assertThat(description.highWatermark()).isGreaterThan(offset);
            long leaderEnd = description.voters().stream().filter(v -> v.nodeId() == leader.nodeId())
                    .findFirst().orElseThrow().logEndOffset();
            assertThat(leaderEnd).isGreaterThanOrEqualTo(description.highWatermark());
            assertThat(description.voters()).extracting(QuorumDescription.Voter::nodeId).containsExactly(1, 2, 3);
            assertThat(description.voters()).allSatisfy(voter -> {
                assertThat(voter.logEndOffset()).isEqualTo(leaderEnd);
                assertThat(voter.lastFetchTimestampMs()).isPositive();
                assertThat(voter.lastCaughtUpTimestampMs()).isPositive();
            });
            assertThat(description.endpoints()).hasSize(3);
            assertThat(description.endpoints().get(2).getPort()).isEqualTo(voters.get(2).getPort());
        });
        assertThat(nodes.values()).filteredOn(q -> !q.isLeader())
                .allSatisfy(follower -> assertThat(follower.describeQuorum("CONTROLLER")).isEmpty());
    }

    /**
     * The stale view, made deterministic: node B (a follower) and node F (down, then restarted)
     * refuse every AppendEntries that tells them a commit index at or past the RemoveTopicRecord.
     * B so stores that record without learning it is committed, and leads after the old leader
     * stops, with a commit index (the one F is told, and caches) short of the record; F copies the
     * record but cannot learn it is committed, so it cannot apply it. F's cached view of its
     * leader's commit is then reached, and wrong: F must not count itself caught up until the
     * refusal ends and it has applied the record.
     */
    @Test
    void restartedFollowerIsNotCaughtUpOnAStaleViewOfTheLeadersCommit() throws IOException {
        startThreeVoters(STEADY);
        MetadataQuorum leader = awaitLeader();
        List<Integer> followers = nodes.keySet().stream().filter(id -> id != leader.nodeId()).sorted().toList();
        int stayingId = followers.get(0);
        int restartedId = followers.get(1);

        Uuid topicId = new Uuid(7, 7);
        get(leader.append(List.of(new TopicRecord("doomed", topicId))));
        await().atMost(STEP_TIMEOUT).untilAsserted(() -> assertThat(nodes.values())
                .allSatisfy(q -> assertThat(q.image().topics().byName("doomed")).isPresent()));
        nodes.remove(restartedId).close();

        long removeOffset = leader.nextLogIndex();
        Set<RaftPeerId> refusing = Set.of(RaftSettings.peerId(stayingId), RaftSettings.peerId(restartedId));
        AtomicBoolean refuse = new AtomicBoolean(true);
        AtomicInteger refusedByRestarted = new AtomicInteger();
        CodeInjectionForTesting.put(APPEND_ENTRIES, (localId, remoteId, args) -> {
            AppendEntriesRequestProto request = (AppendEntriesRequestProto) args[1];
            if (refuse.get() && refusing.contains(localId) && request.getLeaderCommit() >= removeOffset) {
                if (RaftSettings.peerId(restartedId).equals(localId)) {
                    refusedByRestarted.incrementAndGet();
                }
                throw new RefusedAppend(localId + " refuses leaderCommit=" + request.getLeaderCommit());
            }
            return true;
        });
        assertThat(get(leader.append(List.of(new RemoveTopicRecord(topicId))))).isEqualTo(removeOffset);
        nodes.remove(leader.nodeId()).close();

        MetadataQuorum restarted = startNode(restartedId, STEADY);
        CompletableFuture<MetadataImage> imageWhenCaughtUp = restarted.caughtUp().thenApply(v -> restarted.image());
        await().atMost(STEP_TIMEOUT).until(() -> restarted.leaderId().equals(OptionalInt.of(stayingId)));
        // Not timed: wait until the restarted node has applied up to its stale view of the commit (the
        // topic is there) and has been told ten times (its leader retries every 25 ms) of the commit it
        // must not learn; it is still not caught up.
        await("the restarted node at its stale view, refusing the commit of the RemoveTopicRecord")
                .atMost(STEP_TIMEOUT)
                .until(() -> restarted.image().topics().byName("doomed").isPresent() && refusedByRestarted.get() >= 10);
        assertThat(imageWhenCaughtUp).as("caught up while the commit of the RemoveTopicRecord is held back")
                .isNotDone();
        assertThat(restarted.image().topics().byName("doomed")).isPresent();

        refuse.set(false);
        await().atMost(STEP_TIMEOUT).until(imageWhenCaughtUp::isDone);
        MetadataImage image = get(imageWhenCaughtUp);
        assertThat(image.topics().byName("doomed")).isEmpty();
        assertThat(image.appliedOffset()).isGreaterThanOrEqualTo(removeOffset);
    }

    /** An injected refusal; no stack trace, Ratis logs each one. */
    private static final class RefusedAppend extends RuntimeException {
        RefusedAppend(String message) {
            super(message, null, false, false);
        }
    }
}
