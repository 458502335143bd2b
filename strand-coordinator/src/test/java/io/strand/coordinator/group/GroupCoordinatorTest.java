package io.strand.coordinator.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopics;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseGroup;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GroupCoordinatorTest {

    private static final int PARTITIONS = 3;
    private static final TopicIdLookup NO_TOPICS = new TopicIdLookup() {
        @Override
        public String nameOf(org.apache.kafka.common.Uuid topicId) {
            return null;
        }

        @Override
        public org.apache.kafka.common.Uuid idOf(String topicName) {
            return org.apache.kafka.common.Uuid.ZERO_UUID;
        }
    };

    private final InMemoryOffsetsTopicLog log = new InMemoryOffsetsTopicLog();
    private final GroupCoordinator coordinator = new GroupCoordinator(GroupCoordinatorConfig.from(Map.of(
            GroupCoordinatorConfig.OFFSETS_TOPIC_PARTITIONS, Integer.toString(PARTITIONS),
            GroupCoordinatorConfig.GROUP_COORDINATOR_THREADS, "2",
            GroupCoordinatorConfig.GROUP_INITIAL_REBALANCE_DELAY_MS, "0")), log, Time.SYSTEM, new Random(3));

    @AfterEach
    void close() {
        coordinator.close();
    }

    private void leadAndAwait(Set<Integer> partitions) {
        coordinator.onLeadership(partitions);
        await().atMost(Duration.ofSeconds(10)).until(() -> partitions.stream().allMatch(coordinator::isActive));
    }

    @Test
    void groupLivesInThePartitionOfItsIdsHash() {
        assertThat(coordinator.partitionFor("my-group")).isEqualTo(Utils.abs("my-group".hashCode()) % PARTITIONS);
    }

    @Test
    void groupsOfPartitionsNotLedHereGetNotCoordinator() {
        int partition = coordinator.partitionFor("g");
        leadAndAwait(Set.of((partition + 1) % PARTITIONS));

        JoinGroupResponseData response = coordinator.joinGroup((short) 9, "c", "h",
                ShardHarness.joinRequest("g", "", null, "consumer", "range")).join();

        assertThat(Errors.forCode(response.errorCode())).isEqualTo(Errors.NOT_COORDINATOR);
    }

    @Test
    void aJoinsSessionTimeoutAndGroupIdAreCheckedBeforeTheCoordinatorIsLookedFor() {
        leadAndAwait(Set.of((coordinator.partitionFor("g") + 1) % PARTITIONS));

        JoinGroupResponseData response = coordinator.joinGroup((short) 9, "c", "h",
                ShardHarness.joinRequest("g", "", null, "consumer", "range").setSessionTimeoutMs(10)).join();
        assertThat(Errors.forCode(response.errorCode())).isEqualTo(Errors.INVALID_SESSION_TIMEOUT);
        response = coordinator.joinGroup((short) 9, "c", "h",
                ShardHarness.joinRequest("", "", null, "consumer", "range")).join();
        assertThat(Errors.forCode(response.errorCode())).isEqualTo(Errors.INVALID_GROUP_ID);
    }

    @Test
    void offsetsCommittedBeforeAFailoverAreServedAfterIt() {
        leadAndAwait(Set.of(0, 1, 2));
        coordinator.commitOffsets(OffsetOpsTest.commit("g", "", -1, "t", 0, 77, "m")).join();

        coordinator.onLeadership(Set.of());
        assertThat(Errors.forCode(coordinator.fetchOffsets(fetch("g")).join().errorCode()))
                .isEqualTo(Errors.NOT_COORDINATOR);
        leadAndAwait(Set.of(0, 1, 2));

        var fetched = coordinator.fetchOffsets(fetch("g")).join();
        assertThat(fetched.topics().get(0).partitions().get(0).committedOffset()).isEqualTo(77);
        assertThat(fetched.topics().get(0).partitions().get(0).metadata()).isEqualTo("m");
    }

    @Test
    void offsetCommitIsAnsweredOnlyOnceItsRecordsAreCommitted() {
        leadAndAwait(Set.of(0, 1, 2));
        // Partitions 0 and 2 share the first of the two threads.
        String held = groupIn(0);
        String other = groupIn(2);
        log.holdCommits();

        CompletableFuture<OffsetCommitResponseData> commit =
                coordinator.commitOffsets(OffsetOpsTest.commit(held, "", -1, "t", 0, 5, null));
        await().atMost(Duration.ofSeconds(10)).until(() -> log.heldCount() == 1);
        // A fetch after it sees the commit, and is held with it.
        CompletableFuture<OffsetFetchResponseGroup> fetched = coordinator.fetchOffsets(fetch(held));
        // Another partition's group on the same thread is not held up.
        assertThat(coordinator.fetchOffsets(fetch(other)).join().errorCode()).isZero();
        assertThat(commit).isNotDone();
        assertThat(fetched).isNotDone();

        log.commitHeld();
        assertThat(commit.join().topics().get(0).partitions().get(0).errorCode()).isZero();
        assertThat(fetched.join().topics().get(0).partitions().get(0).committedOffset()).isEqualTo(5);
    }

    private String groupIn(int partition) {
        for (int i = 0; ; i++) {
            if (coordinator.partitionFor("group-" + i) == partition) {
                return "group-" + i;
            }
        }
    }

    @Test
    void failedAppendChangesNothingAndReportsNotCoordinator() {
        leadAndAwait(Set.of(0, 1, 2));
        log.failNextAppend(new NotLeaderOrFollowerException("moved"));

        OffsetCommitResponseData response =
                coordinator.commitOffsets(OffsetOpsTest.commit("g", "", -1, "t", 0, 5, null)).join();

        assertThat(Errors.forCode(response.topics().get(0).partitions().get(0).errorCode()))
                .isEqualTo(Errors.NOT_COORDINATOR);
        // The shard is rebuilt from its log, which does not hold the failed commit.
        await().atMost(Duration.ofSeconds(10)).until(() -> coordinator.isActive(coordinator.partitionFor("g")));
        assertThat(coordinator.fetchOffsets(fetch("g")).join().topics().get(0).partitions().get(0).committedOffset())
                .isEqualTo(-1);
    }

    @Test
    void waitingJoinIsAnsweredNotCoordinatorWhenThePartitionMovesAway() {
        leadAndAwait(Set.of(0, 1, 2));
        String memberId = coordinator.joinGroup((short) 9, "c", "h",
                ShardHarness.joinRequest("g", "", null, "consumer", "range")).join().memberId();
        coordinator.joinGroup((short) 9, "c", "h", ShardHarness.joinRequest("g", memberId, null, "consumer", "range"))
                .join();
        CompletableFuture<JoinGroupResponseData> second = coordinator.joinGroup((short) 9, "c", "h",
                ShardHarness.joinRequest("g", "", "static-1", "consumer", "range"));
        assertThat(second).isNotDone();

        coordinator.onLeadership(Set.of());

        await().atMost(Duration.ofSeconds(10)).until(second::isDone);
        assertThat(Errors.forCode(second.join().errorCode())).isEqualTo(Errors.NOT_COORDINATOR);
    }

    @Test
    void committedOffsetsGatherEveryLoadedShardsGroups() {
        leadAndAwait(Set.of(0, 1, 2));
        for (String group : List.of("a", "b", "c", "d")) {
            coordinator.commitOffsets(OffsetOpsTest.commit(group, "", -1, "t", 0, group.charAt(0), "")).join();
        }
        coordinator.commitOffsets(OffsetOpsTest.commit("a", "", -1, "t", 1, 5, "")).join();

        assertThat(coordinator.committedOffsets().join()).containsExactlyInAnyOrder(
                new CommittedOffset("a", new TopicPartition("t", 0), 'a'),
                new CommittedOffset("a", new TopicPartition("t", 1), 5),
                new CommittedOffset("b", new TopicPartition("t", 0), 'b'),
                new CommittedOffset("c", new TopicPartition("t", 0), 'c'),
                new CommittedOffset("d", new TopicPartition("t", 0), 'd'));

        int away = coordinator.partitionFor("a");
        Set<Integer> kept = new java.util.HashSet<>(Set.of(0, 1, 2));
        kept.remove(away);
        coordinator.onLeadership(kept);
        await().atMost(Duration.ofSeconds(10)).until(() -> !coordinator.isActive(away));
        assertThat(coordinator.committedOffsets().join()).extracting(CommittedOffset::groupId).doesNotContain("a");
    }

    @Test
    void listGroupsGathersEveryShard() {
        leadAndAwait(Set.of(0, 1, 2));
        for (String group : List.of("a", "b", "c", "d")) {
            coordinator.commitOffsets(OffsetOpsTest.commit(group, "", -1, "t", 0, 1, "")).join();
        }

        GroupCoordinator.ListGroupsResult all = coordinator.listGroups(List.of(), List.of()).join();
        GroupCoordinator.ListGroupsResult stable = coordinator.listGroups(List.of("Stable"), List.of()).join();

        assertThat(all.groups()).extracting(g -> g.groupId()).containsExactlyInAnyOrder("a", "b", "c", "d");
        assertThat(all.groups()).allSatisfy(g -> assertThat(g.groupState()).isEqualTo("Empty"));
        assertThat(stable.groups()).isEmpty();
        assertThat(coordinator.listGroups(List.of(), List.of("consumer")).join().groups()).isEmpty();
    }

    @Test
    void closeEndsItsThreads() {
        leadAndAwait(Set.of(0, 1, 2));

        coordinator.close();

        // close() returns once its executors have terminated; a worker thread that has left its last task
        // may still be finishing its run() for a moment (so may an earlier test's), hence the await.
        await().atMost(10, TimeUnit.SECONDS).untilAsserted(() -> assertThat(Thread.getAllStackTraces().keySet())
                .noneMatch(t -> t.getName().startsWith("strand-group-coordinator") && t.isAlive()));
    }

    private static OffsetFetchRequestGroup fetch(String groupId) {
        return new OffsetFetchRequestGroup().setGroupId(groupId)
                .setTopics(List.of(new OffsetFetchRequestTopics().setName("t").setPartitionIndexes(List.of(0))));
    }

    @Test
    void transactionalOffsetsBecomeVisibleOnceTheCommitMarkerIsWritten() {
        leadAndAwait(Set.of(0, 1, 2));
        int partition = coordinator.partitionFor("g");
        var committed = coordinator.commitTransactionalOffsets(
                TxnOffsetCommitTest.txnCommit("g", 7L, "t", 0, 42)).join();
        assertThat(committed.topics().get(0).partitions().get(0).errorCode()).isZero();

        var unstable = coordinator.fetchOffsets(fetch("g"), true).join().topics().get(0).partitions().get(0);
        assertThat(Errors.forCode(unstable.errorCode())).isEqualTo(Errors.UNSTABLE_OFFSET_COMMIT);
        assertThat(coordinator.fetchOffsets(fetch("g")).join().topics().get(0).partitions().get(0).committedOffset())
                .isEqualTo(-1);

        coordinator.completeTransaction(partition, 7L, TxnOffsetCommitTest.EPOCH, 0, true).join();

        var stable = coordinator.fetchOffsets(fetch("g"), true).join().topics().get(0).partitions().get(0);
        assertThat(stable.errorCode()).isZero();
        assertThat(stable.committedOffset()).isEqualTo(42);
    }

    @Test
    void aMarkerForAPartitionNotLoadedHereFailsWithNotCoordinator() {
        leadAndAwait(Set.of(0));

        assertThat(coordinator.completeTransaction(1, 7L, (short) 0, 0, false))
                .failsWithin(Duration.ofSeconds(10)).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(org.apache.kafka.common.errors.NotCoordinatorException.class);
    }

    @Test
    void aTxnOffsetCommitWithoutGroupIdIsInvalid() {
        var response = coordinator.commitTransactionalOffsets(TxnOffsetCommitTest.txnCommit("", 7L, "t", 0, 1)).join();

        assertThat(Errors.forCode(response.topics().get(0).partitions().get(0).errorCode()))
                .isEqualTo(Errors.INVALID_GROUP_ID);
    }

    @Test
    void aMalformedConsumerGroupHeartbeatIsAnInvalidRequestEvenWhereTheGroupIsNotCoordinated() {
        leadAndAwait(Set.of());
        ConsumerGroupHeartbeatRequestData emptyGroup = new ConsumerGroupHeartbeatRequestData().setGroupId("")
                .setMemberId("m").setMemberEpoch(1);

        var response = coordinator.consumerGroupHeartbeat((short) 1, "c", "h", emptyGroup, NO_TOPICS,
                TopicAccess.ALL).join();

        assertThat(Errors.forCode(response.errorCode())).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(response.errorMessage()).isEqualTo("GroupId can't be empty.");
    }

    @Test
    void anEmptyGroupIdIsAGroupForCommitsFetchesDescribesAndDeletes() {
        leadAndAwait(Set.of(0, 1, 2));
        coordinator.commitOffsets(OffsetOpsTest.commit("", "", -1, "t", 0, 5, "m")).join();

        var fetched = coordinator.fetchOffsets(fetch("")).join();
        assertThat(fetched.topics().get(0).partitions().get(0).committedOffset()).isEqualTo(5);
        assertThat(coordinator.describeGroup("", (short) 6).join().groupState()).isEqualTo("Empty");
        assertThat(coordinator.deleteGroup("").join()).isEqualTo(Errors.NONE);
        assertThat(coordinator.deleteGroup("").join()).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
        assertThat(Errors.forCode(coordinator.heartbeat(new HeartbeatRequestData().setGroupId("")).join()
                .errorCode())).as("the member APIs still refuse it").isEqualTo(Errors.INVALID_GROUP_ID);
        assertThat(Errors.forCode(coordinator.consumerGroupDescribe("", NO_TOPICS).join().errorCode()))
                .isEqualTo(Errors.INVALID_GROUP_ID);
    }

    @Test
    void leavingAGroupThisShardDoesNotHaveAnswersEachMemberUnknown() {
        leadAndAwait(Set.of(0, 1, 2));
        LeaveGroupRequestData request = new LeaveGroupRequestData().setGroupId("gone").setMembers(List.of(
                new LeaveGroupRequestData.MemberIdentity().setMemberId("m1"),
                new LeaveGroupRequestData.MemberIdentity().setMemberId("").setGroupInstanceId("i1")));

        var batch = coordinator.leaveGroup((short) 3, request).join();
        var single = coordinator.leaveGroup((short) 2, new LeaveGroupRequestData().setGroupId("gone")
                .setMemberId("m1")).join();

        assertThat(Errors.forCode(batch.errorCode())).isEqualTo(Errors.NONE);
        assertThat(batch.members()).extracting(m -> m.memberId(), m -> m.groupInstanceId(),
                m -> Errors.forCode(m.errorCode())).containsExactly(
                tuple("m1", null, Errors.UNKNOWN_MEMBER_ID), tuple("", "i1", Errors.UNKNOWN_MEMBER_ID));
        assertThat(Errors.forCode(single.errorCode())).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    }
}
