package io.strand.coordinator.group;

import io.strand.coordinator.group.classic.ClassicGroup;
import io.strand.coordinator.group.classic.GroupState;
import io.strand.coordinator.group.classic.IllegalGroupTransitionException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import static io.strand.coordinator.group.ShardHarness.REBALANCE_TIMEOUT_MS;
import static io.strand.coordinator.group.ShardHarness.SESSION_TIMEOUT_MS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClassicGroupRebalanceTest {

    private static final String GROUP = "g";

    @Test
    void newMemberIsAskedToRejoinWithTheMemberIdItIsGiven() {
        ShardHarness h = ShardHarness.withoutInitialDelay();

        JoinGroupResponseData first = h.join(GROUP, "").join();

        assertThat(Errors.forCode(first.errorCode())).isEqualTo(Errors.MEMBER_ID_REQUIRED);
        assertThat(first.memberId()).startsWith("client-");
        assertThat(h.group(GROUP).pendingMemberIds()).containsExactly(first.memberId());

        JoinGroupResponseData second = h.join(GROUP, first.memberId()).join();
        assertThat(Errors.forCode(second.errorCode())).isEqualTo(Errors.NONE);
        assertThat(second.generationId()).isEqualTo(1);
        assertThat(second.leader()).isEqualTo(first.memberId());
        assertThat(second.protocolName()).isEqualTo("range");
        assertThat(second.members()).extracting(m -> m.memberId()).containsExactly(first.memberId());
        assertThat(h.group(GROUP).state()).isEqualTo(GroupState.COMPLETING_REBALANCE);
    }

    @Test
    void memberIdNeverUsedExpiresAfterTheSessionTimeout() {
        ShardHarness h = ShardHarness.withoutInitialDelay();
        String memberId = h.newMemberId(GROUP);

        h.advance(SESSION_TIMEOUT_MS);

        assertThat(h.group(GROUP)).as("a group never stored is forgotten").isNull();
        assertThat(Errors.forCode(h.join(GROUP, memberId).join().errorCode())).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    }

    @Test
    void firstRebalanceOfEmptyGroupWaitsForTheInitialDelayAndExtendsItForLateJoiners() {
        ShardHarness h = new ShardHarness(Map.of(GroupCoordinatorConfig.GROUP_INITIAL_REBALANCE_DELAY_MS, "3000"));
        String a = h.newMemberId(GROUP);
        CompletableFuture<JoinGroupResponseData> joinA = h.join(GROUP, a);
        h.advance(2000);
        String b = h.newMemberId(GROUP);
        CompletableFuture<JoinGroupResponseData> joinB = h.join(GROUP, b);
        h.advance(1000);
        assertThat(joinA).isNotDone();

        h.advance(3000);

        assertThat(joinA).isCompleted();
        assertThat(joinB.join().generationId()).isEqualTo(1);
        assertThat(joinA.join().members()).hasSize(2);
        assertThat(joinB.join().members()).isEmpty();
    }

    @Test
    void leaderSyncStoresTheAssignmentAndEveryMemberReceivesItsOwn() {
        ShardHarness h = ShardHarness.withoutInitialDelay();
        String a = h.newMemberId(GROUP);
        JoinGroupResponseData joinA = h.join(GROUP, a).join();
        SyncGroupResponseData syncA = h.sync(GROUP, a, 1, Map.of(a, new byte[] {1})).join();
        assertThat(syncA.assignment()).containsExactly(1);

        String b = h.newMemberId(GROUP);
        CompletableFuture<JoinGroupResponseData> joinB = h.join(GROUP, b);
        assertThat(h.group(GROUP).state()).isEqualTo(GroupState.PREPARING_REBALANCE);
        assertThat(Errors.forCode(h.heartbeat(GROUP, a, 1).errorCode())).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
        CompletableFuture<JoinGroupResponseData> rejoinA = h.join(GROUP, a);

        assertThat(rejoinA.join().generationId()).isEqualTo(2);
        assertThat(joinB.join().leader()).isEqualTo(joinA.leader());
        CompletableFuture<SyncGroupResponseData> syncB = h.sync(GROUP, b, 2, Map.of());
        assertThat(syncB).isNotDone();
        int recordsBefore = h.log.recordCount(0);
        SyncGroupResponseData leaderSync = h.sync(GROUP, a, 2, Map.of(a, new byte[] {1}, b, new byte[] {2})).join();

        assertThat(leaderSync.assignment()).containsExactly(1);
        assertThat(syncB.join().assignment()).containsExactly(2);
        assertThat(h.group(GROUP).state()).isEqualTo(GroupState.STABLE);
        assertThat(h.log.recordCount(0)).isEqualTo(recordsBefore + 1);
    }

    @Test
    void missedSessionTimeoutRemovesTheMemberAndRebalancesTheRest() {
        ShardHarness h = ShardHarness.withoutInitialDelay();
        String a = h.newMemberId(GROUP);
        h.join(GROUP, a).join();
        h.sync(GROUP, a, 1, Map.of()).join();
        String b = h.newMemberId(GROUP);
        CompletableFuture<JoinGroupResponseData> joinB = h.join(GROUP, b);
        JoinGroupResponseData joinA = h.join(GROUP, a).join();
        int generation = joinA.generationId();
        assertThat(generation).isEqualTo(2).isEqualTo(joinB.join().generationId());
        h.sync(GROUP, b, generation, Map.of());
        h.sync(GROUP, a, generation, Map.of());
        assertThat(h.group(GROUP).state()).isEqualTo(GroupState.STABLE);

        for (int i = 0; i < 2; i++) {
            h.advance(SESSION_TIMEOUT_MS * 2 / 5);
            assertThat(Errors.forCode(h.heartbeat(GROUP, a, generation).errorCode())).isEqualTo(Errors.NONE);
        }
        assertThat(h.group(GROUP).has(b)).isTrue();
        h.advance(SESSION_TIMEOUT_MS / 5);

        assertThat(h.group(GROUP).has(b)).isFalse();
        assertThat(Errors.forCode(h.heartbeat(GROUP, a, generation).errorCode())).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
        assertThat(h.group(GROUP).state()).isEqualTo(GroupState.PREPARING_REBALANCE);
        assertThat(Errors.forCode(h.heartbeat(GROUP, b, generation).errorCode())).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        JoinGroupResponseData rejoin = h.join(GROUP, a).join();
        assertThat(rejoin.generationId()).isEqualTo(generation + 1);
        assertThat(rejoin.members()).extracting(m -> m.memberId()).containsExactly(a);
    }

    @Test
    void memberThatDoesNotRejoinWithinTheRebalanceTimeoutIsRemoved() {
        ShardHarness h = ShardHarness.withoutInitialDelay();
        String a = h.newMemberId(GROUP);
        h.join(GROUP, a).join();
        h.sync(GROUP, a, 1, Map.of()).join();
        String b = h.newMemberId(GROUP);
        CompletableFuture<JoinGroupResponseData> joinB = h.join(GROUP, b);

        h.advance(REBALANCE_TIMEOUT_MS);

        assertThat(joinB.join().generationId()).isEqualTo(2);
        assertThat(joinB.join().leader()).isEqualTo(b);
        assertThat(h.group(GROUP).has(a)).isFalse();
    }

    @Test
    void leaderThatNeverSyncsIsRemovedAfterTheRebalanceTimeout() {
        ShardHarness h = ShardHarness.withoutInitialDelay();
        String a = h.newMemberId(GROUP);
        h.join(GROUP, a).join();

        h.advance(REBALANCE_TIMEOUT_MS);

        assertThat(h.group(GROUP).has(a)).isFalse();
        assertThat(h.group(GROUP).state()).isEqualTo(GroupState.EMPTY);
        assertThat(h.group(GROUP).generationId()).isEqualTo(2);
    }

    @Test
    void staticMemberRejoinsWithoutRebalanceAndFencesItsOldId() {
        ShardHarness h = ShardHarness.withoutInitialDelay();
        JoinGroupResponseData first = h.joinStatic(GROUP, "", "instance-1").join();
        assertThat(Errors.forCode(first.errorCode())).isEqualTo(Errors.NONE);
        String oldId = first.memberId();
        h.sync(GROUP, oldId, 1, Map.of(oldId, new byte[] {7})).join();

        JoinGroupResponseData rejoin = h.joinStatic(GROUP, "", "instance-1").join();

        assertThat(Errors.forCode(rejoin.errorCode())).isEqualTo(Errors.NONE);
        assertThat(rejoin.memberId()).isNotEqualTo(oldId);
        assertThat(rejoin.generationId()).isEqualTo(1);
        assertThat(rejoin.skipAssignment()).isTrue();
        assertThat(h.group(GROUP).state()).isEqualTo(GroupState.STABLE);
        assertThat(h.sync(GROUP, rejoin.memberId(), 1, Map.of()).join().assignment()).containsExactly(7);
        assertThat(Errors.forCode(h.heartbeatStatic(GROUP, oldId, "instance-1", 1).errorCode()))
                .isEqualTo(Errors.FENCED_INSTANCE_ID);
        assertThat(Errors.forCode(h.joinStatic(GROUP, oldId, "instance-1").join().errorCode()))
                .isEqualTo(Errors.FENCED_INSTANCE_ID);
    }

    @Test
    void staticMemberLeavingByInstanceIdTriggersRebalanceToEmpty() {
        ShardHarness h = ShardHarness.withoutInitialDelay();
        String id = h.joinStatic(GROUP, "", "instance-1").join().memberId();
        h.sync(GROUP, id, 1, Map.of()).join();

        LeaveGroupResponseData wrongId = h.leave(GROUP, new MemberIdentity().setMemberId("other").setGroupInstanceId("instance-1"));
        assertThat(Errors.forCode(wrongId.members().get(0).errorCode())).isEqualTo(Errors.FENCED_INSTANCE_ID);
        LeaveGroupResponseData left = h.leave(GROUP, new MemberIdentity().setGroupInstanceId("instance-1"),
                new MemberIdentity().setMemberId("nobody"));

        assertThat(left.members()).extracting(m -> Errors.forCode(m.errorCode()))
                .containsExactly(Errors.NONE, Errors.UNKNOWN_MEMBER_ID);
        assertThat(h.group(GROUP).state()).isEqualTo(GroupState.EMPTY);
        assertThat(h.group(GROUP).generationId()).isEqualTo(2);
    }

    @Test
    void errorsFollowKafka() {
        ShardHarness h = ShardHarness.withoutInitialDelay();
        assertThat(Errors.forCode(h.join(GROUP, "made-up").join().errorCode())).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        String a = h.newMemberId(GROUP);
        h.join(GROUP, a).join();
        h.sync(GROUP, a, 1, Map.of()).join();

        assertThat(Errors.forCode(h.heartbeat(GROUP, a, 0).errorCode())).isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(Errors.forCode(h.heartbeat(GROUP, "x", 1).errorCode())).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(Errors.forCode(h.heartbeat("nope", a, 1).errorCode())).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(Errors.forCode(h.sync(GROUP, a, 7, Map.of()).join().errorCode())).isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(Errors.forCode(h.run(s -> s.joinOp().join((short) 9, "c", "h",
                ShardHarness.joinRequest(GROUP, "", null, "connect", "range"))).join().errorCode()))
                .isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL);
        assertThat(Errors.forCode(h.run(s -> s.joinOp().join((short) 9, "c", "h",
                ShardHarness.joinRequest(GROUP, "", null, "consumer", "sticky"))).join().errorCode()))
                .isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL);
        assertThat(Errors.forCode(h.run(s -> s.joinOp().join((short) 9, "c", "h",
                ShardHarness.joinRequest(GROUP, "", null, "consumer", "range").setSessionTimeoutMs(10))).join()
                .errorCode())).isEqualTo(Errors.INVALID_SESSION_TIMEOUT);
    }

    @Test
    void fullGroupRefusesNewMembers() {
        ShardHarness h = new ShardHarness(Map.of(GroupCoordinatorConfig.GROUP_INITIAL_REBALANCE_DELAY_MS, "0",
                GroupCoordinatorConfig.GROUP_MAX_SIZE, "1"));
        String a = h.newMemberId(GROUP);
        h.join(GROUP, a).join();

        assertThat(Errors.forCode(h.join(GROUP, "").join().errorCode())).isEqualTo(Errors.GROUP_MAX_SIZE_REACHED);
    }

    @Test
    void protocolWithTheMostFirstChoiceVotesIsSelected() {
        ShardHarness h = ShardHarness.withoutInitialDelay();
        String a = h.run(s -> s.joinOp().join((short) 3, "c", "h",
                ShardHarness.joinRequest(GROUP, "", null, "consumer", "range", "sticky"))).join().memberId();
        h.sync(GROUP, a, 1, Map.of()).join();
        CompletableFuture<JoinGroupResponseData> joinB = h.run(s -> s.joinOp().join((short) 3, "c", "h",
                ShardHarness.joinRequest(GROUP, "", null, "consumer", "sticky", "range")));
        CompletableFuture<JoinGroupResponseData> joinC = h.run(s -> s.joinOp().join((short) 3, "c", "h",
                ShardHarness.joinRequest(GROUP, "", null, "consumer", "sticky")));
        h.run(s -> s.joinOp().join((short) 3, "c", "h",
                ShardHarness.joinRequest(GROUP, a, null, "consumer", "range", "sticky")));

        assertThat(joinB.join().protocolName()).isEqualTo("sticky");
        assertThat(joinC.join().protocolName()).isEqualTo("sticky");
    }

    @Test
    void connectGroupMetadataAndAssignmentsAreRelayedUntouched() {
        ShardHarness h = ShardHarness.withoutInitialDelay();
        byte[] workerMetadata = {0, 1, (byte) 0xff, 42};
        byte[] assignment = {9, 8, 7};
        JoinGroupRequestData request = ShardHarness.joinRequest("connect-cluster", "", null, "connect", "sessioned");
        request.protocols().find("sessioned").setMetadata(workerMetadata);
        String worker = h.run(s -> s.joinOp().join((short) 3, "worker", "/10.0.0.1", request)).join().memberId();
        request.setMemberId(worker);

        JoinGroupResponseData joined = h.run(s -> s.joinOp().join((short) 3, "worker", "/10.0.0.1", request)).join();
        SyncGroupRequestData sync = new SyncGroupRequestData().setGroupId("connect-cluster").setMemberId(worker)
                .setGenerationId(joined.generationId()).setAssignments(List.of(
                        new SyncGroupRequestData.SyncGroupRequestAssignment().setMemberId(worker).setAssignment(assignment)));

        assertThat(joined.protocolType()).isEqualTo("connect");
        assertThat(joined.members().get(0).metadata()).containsExactly(workerMetadata);
        assertThat(h.run(s -> s.memberOps().sync(sync)).join().assignment()).containsExactly(assignment);
    }

    @Test
    void illegalTransitionNamesBothStates() {
        ClassicGroup group = new ClassicGroup("g");

        assertThatThrownBy(() -> group.transitionTo(GroupState.STABLE, 0))
                .isInstanceOf(IllegalGroupTransitionException.class)
                .hasMessageContaining("from=EMPTY").hasMessageContaining("to=STABLE");
    }
}
