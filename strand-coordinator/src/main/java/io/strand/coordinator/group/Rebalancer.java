package io.strand.coordinator.group;

import io.strand.coordinator.group.classic.ClassicGroup;
import io.strand.coordinator.group.classic.ClassicMember;
import io.strand.coordinator.group.classic.GroupState;
import io.strand.coordinator.group.record.CoordinatorRecord.GroupKey;
import io.strand.coordinator.group.record.CoordinatorRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.message.JoinGroupResponseData.JoinGroupResponseMember;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rebalance protocol of classic groups on one shard: starting a rebalance, completing the join
 * phase (when every member has rejoined, or at the rebalance timeout, or after the initial delay of
 * an empty group), member session timeouts, and the sync phase's timeout.
 *
 * <p>Timer keys: {@code hb/<group>/<member>} (session), {@code join/<group>} (join phase),
 * {@code sync/<group>} (sync phase), {@code pending/<group>/<member>} (a member id handed out by
 * MEMBER_ID_REQUIRED and not used yet).
 *
 * <p>Only one step writes: a join phase that ends with no members stores the group's new, empty
 * generation. Methods that may reach it take the operation's {@code records} list and add the
 * record there; the caller's result carries it to the runtime, which applies it when the operation
 * returns. Not thread-safe: runs on the shard's thread.
 */
final class Rebalancer {

    private static final Logger LOG = LoggerFactory.getLogger(Rebalancer.class);

    private final ShardContext context;
    private final GroupStore store;

    Rebalancer(ShardContext context, GroupStore store) {
        this.context = context;
        this.store = store;
    }

    static String heartbeatKey(String groupId, String memberId) {
        return "hb/" + groupId + "/" + memberId;
    }

    static String joinKey(String groupId) {
        return "join/" + groupId;
    }

    static String syncKey(String groupId) {
        return "sync/" + groupId;
    }

    static String pendingKey(String groupId, String memberId) {
        return "pending/" + groupId + "/" + memberId;
    }

    /** The member is alive: its session restarts now. */
    void scheduleHeartbeat(ClassicGroup group, ClassicMember member) {
        String groupId = group.groupId();
        String memberId = member.memberId();
        context.timer().schedule(heartbeatKey(groupId, memberId), context.nowMs() + member.sessionTimeoutMs(),
                () -> onSessionExpired(groupId, memberId));
    }

    private List<CoordinatorRecord> onSessionExpired(String groupId, String memberId) {
        ClassicGroup group = store.group(groupId);
        ClassicMember member = group == null ? null : group.member(memberId);
        if (member == null) {
            return List.of();
        }
        if (member.isAwaitingJoin() || member.isAwaitingSync()) {
            // A member waiting for a response is alive; the join and sync phases have their own timeouts.
            scheduleHeartbeat(group, member);
            return List.of();
        }
        LOG.info("Member {} of group {} missed its session timeout of {} ms", memberId, groupId,
                member.sessionTimeoutMs());
        List<CoordinatorRecord> records = new ArrayList<>();
        removeMemberAndUpdateGroup(group, member, records);
        return records;
    }

    /** A member id handed out with MEMBER_ID_REQUIRED expires if not used within the session timeout. */
    void schedulePendingExpiry(ClassicGroup group, String memberId, int sessionTimeoutMs) {
        String groupId = group.groupId();
        context.timer().schedule(pendingKey(groupId, memberId), context.nowMs() + sessionTimeoutMs, () -> {
            List<CoordinatorRecord> records = new ArrayList<>();
            ClassicGroup current = store.group(groupId);
            if (current != null && current.pendingMemberIds().remove(memberId)) {
                maybeCompleteJoin(current, records);
                store.maybeDropUnstoredGroup(current);
            }
            return records;
        });
    }

    /** Answers and forgets a member that is leaving the group for good. */
    void forgetMember(ClassicGroup group, ClassicMember member, Errors error) {
        context.timer().cancel(heartbeatKey(group.groupId(), member.memberId()));
        member.completeJoin(joinError(error, member.memberId()));
        member.completeSync(new SyncGroupResponseData().setErrorCode(error.code()));
    }

    /** Removes a member (left, expired or fenced) and rebalances what remains. */
    void removeMemberAndUpdateGroup(ClassicGroup group, ClassicMember member, List<CoordinatorRecord> records) {
        forgetMember(group, member, Errors.UNKNOWN_MEMBER_ID);
        group.remove(member.memberId());
        switch (group.state()) {
            case PREPARING_REBALANCE -> maybeCompleteJoin(group, records);
            case STABLE, COMPLETING_REBALANCE ->
                    prepareRebalance(group, "member " + member.memberId() + " left", records);
            default -> { }
        }
    }

    /** Starts a rebalance unless one is being prepared already. */
    void maybePrepareRebalance(ClassicGroup group, String reason, List<CoordinatorRecord> records) {
        if (group.isInState(GroupState.STABLE) || group.isInState(GroupState.COMPLETING_REBALANCE)
                || group.isInState(GroupState.EMPTY)) {
            prepareRebalance(group, reason, records);
        }
    }

    void prepareRebalance(ClassicGroup group, String reason, List<CoordinatorRecord> records) {
        String groupId = group.groupId();
        if (group.isInState(GroupState.COMPLETING_REBALANCE)) {
            // The assignment being waited for is void: every member must rejoin.
            for (ClassicMember member : group.members()) {
                member.setAssignment(new byte[0]);
                member.completeSync(new SyncGroupResponseData().setErrorCode(Errors.REBALANCE_IN_PROGRESS.code()));
            }
            context.timer().cancel(syncKey(groupId));
        }
        long nowMs = context.nowMs();
        int initialDelayMs = context.config().initialRebalanceDelayMs();
        if (group.isInState(GroupState.EMPTY) && initialDelayMs > 0) {
            group.setInitialDelay(true, Math.max(group.maxRebalanceTimeoutMs() - initialDelayMs, 0));
            group.setNewMemberAdded(false);
            context.timer().schedule(joinKey(groupId), nowMs + initialDelayMs, () -> onJoinTimeout(groupId));
        } else {
            group.setInitialDelay(false, 0);
            context.timer().schedule(joinKey(groupId), nowMs + group.maxRebalanceTimeoutMs(),
                    () -> onJoinTimeout(groupId));
        }
        group.transitionTo(GroupState.PREPARING_REBALANCE, nowMs);
        LOG.info("Preparing to rebalance group {} in generation {}: {}", groupId, group.generationId(), reason);
        maybeCompleteJoin(group, records);
    }

    private List<CoordinatorRecord> onJoinTimeout(String groupId) {
        ClassicGroup group = store.group(groupId);
        if (group == null || !group.isInState(GroupState.PREPARING_REBALANCE)) {
            return List.of();
        }
        if (group.inInitialDelay() && group.newMemberAdded() && group.initialDelayRemainingMs() > 0) {
            // Members are still arriving: wait once more, but never past the rebalance timeout.
            long delayMs = Math.min(context.config().initialRebalanceDelayMs(), group.initialDelayRemainingMs());
            group.setInitialDelay(true, Math.max(group.initialDelayRemainingMs() - delayMs, 0));
            group.setNewMemberAdded(false);
            context.timer().schedule(joinKey(groupId), context.nowMs() + delayMs, () -> onJoinTimeout(groupId));
            return List.of();
        }
        List<CoordinatorRecord> records = new ArrayList<>();
        completeJoin(group, records);
        return records;
    }

    /** Ends the join phase early once every member has rejoined (not during the initial delay). */
    void maybeCompleteJoin(ClassicGroup group, List<CoordinatorRecord> records) {
        if (group.isInState(GroupState.PREPARING_REBALANCE) && !group.inInitialDelay() && group.hasAllMembersJoined()) {
            completeJoin(group, records);
        }
    }

    /**
     * Ends the join phase: members that did not rejoin are removed; an empty group records its
     * new, empty generation (added to {@code records}; applying it makes the group EMPTY); otherwise
     * the next generation starts and every member gets its join response (the leader with the
     * members' metadata).
     */
    void completeJoin(ClassicGroup group, List<CoordinatorRecord> records) {
        String groupId = group.groupId();
        context.timer().cancel(joinKey(groupId));
        group.setInitialDelay(false, 0);
        List<ClassicMember> notRejoined = new ArrayList<>();
        for (ClassicMember member : group.members()) {
            if (!member.isAwaitingJoin()) {
                notRejoined.add(member);
            }
        }
        for (ClassicMember member : notRejoined) {
            LOG.info("Removing member {} of group {}: it did not rejoin in time", member.memberId(), groupId);
            forgetMember(group, member, Errors.UNKNOWN_MEMBER_ID);
            group.remove(member.memberId());
        }
        long nowMs = context.nowMs();
        if (group.isEmpty()) {
            records.add(new CoordinatorRecord(new GroupKey(groupId),
                    group.toValue(group.generationId() + 1, Map.of(), nowMs)));
            return;
        }
        group.initNextGeneration(nowMs);
        List<JoinGroupResponseMember> memberMetadata = new ArrayList<>();
        for (ClassicMember member : group.members()) {
            memberMetadata.add(new JoinGroupResponseMember().setMemberId(member.memberId())
                    .setGroupInstanceId(member.groupInstanceId())
                    .setMetadata(member.metadata(group.protocolName())));
        }
        for (ClassicMember member : group.members()) {
            boolean leader = group.isLeader(member.memberId());
            member.completeJoin(joinResponse(group, member.memberId(), leader ? memberMetadata : List.of(), false));
            scheduleHeartbeat(group, member);
        }
        int generation = group.generationId();
        context.timer().schedule(syncKey(groupId), nowMs + group.maxRebalanceTimeoutMs(),
                () -> onSyncTimeout(groupId, generation));
        LOG.info("Group {} starts generation {} with {} members, protocol {}", groupId, generation, group.size(),
                group.protocolName());
    }

    /** Members that never sent SyncGroup (a leader that never sent the assignment) are removed. */
    private List<CoordinatorRecord> onSyncTimeout(String groupId, int generation) {
        ClassicGroup group = store.group(groupId);
        if (group == null || !group.isInState(GroupState.COMPLETING_REBALANCE) || group.generationId() != generation) {
            return List.of();
        }
        List<CoordinatorRecord> records = new ArrayList<>();
        List<ClassicMember> silent = new ArrayList<>();
        for (ClassicMember member : group.members()) {
            if (!member.isAwaitingSync()) {
                silent.add(member);
            }
        }
        for (ClassicMember member : silent) {
            LOG.info("Removing member {} of group {}: no SyncGroup within the rebalance timeout", member.memberId(),
                    groupId);
            removeMemberAndUpdateGroup(group, member, records);
        }
        return records;
    }

    void cancelGroupTimers(ClassicGroup group) {
        context.timer().cancel(joinKey(group.groupId()));
        context.timer().cancel(syncKey(group.groupId()));
        for (ClassicMember member : group.members()) {
            context.timer().cancel(heartbeatKey(group.groupId(), member.memberId()));
        }
        for (String pending : group.pendingMemberIds()) {
            context.timer().cancel(pendingKey(group.groupId(), pending));
        }
    }

    static JoinGroupResponseData joinResponse(ClassicGroup group, String memberId,
                                              List<JoinGroupResponseMember> members, boolean skipAssignment) {
        return new JoinGroupResponseData()
                .setGenerationId(group.generationId())
                .setProtocolType(group.protocolType())
                .setProtocolName(group.protocolName())
                .setLeader(group.leaderId())
                .setMemberId(memberId)
                .setSkipAssignment(skipAssignment)
                .setMembers(new ArrayList<>(members));
    }

    /** A refused join: no generation or protocol (a null protocol name, "" before v7, as Kafka answers). */
    static JoinGroupResponseData joinError(Errors error, String memberId) {
        return new JoinGroupResponseData().setErrorCode(error.code()).setMemberId(memberId).setGenerationId(-1)
                .setProtocolName(null).setLeader("");
    }
}
