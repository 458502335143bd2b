package io.strand.coordinator.group;

import io.strand.coordinator.group.classic.ClassicGroup;
import io.strand.coordinator.group.classic.ClassicMember;
import io.strand.coordinator.group.classic.GroupState;
import io.strand.coordinator.group.record.CoordinatorRecord.GroupKey;
import io.strand.coordinator.group.record.CoordinatorRecord;
import io.strand.coordinator.runtime.CoordinatorResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData.MemberResponse;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData.SyncGroupRequestAssignment;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * SyncGroup, Heartbeat and LeaveGroup of classic group members on one shard. The leader's
 * SyncGroup stores the generation with its assignment as a group record; applying that record
 * makes the group STABLE, and once it is committed every member waiting in SyncGroup gets its
 * assignment (if the append fails they get the error, and the runtime rebuilds the shard).
 *
 * <p>Not thread-safe: runs on the shard's thread.
 */
final class MemberOps {

    private final ShardContext context;
    private final GroupStore store;
    private final Rebalancer rebalancer;

    MemberOps(ShardContext context, GroupStore store, Rebalancer rebalancer) {
        this.context = context;
        this.store = store;
        this.rebalancer = rebalancer;
    }

    /** The response is a future: a member of a rebalancing group waits for the leader's assignment. */
    CoordinatorResult<CompletableFuture<SyncGroupResponseData>, CoordinatorRecord> sync(SyncGroupRequestData request) {
        CompletableFuture<SyncGroupResponseData> future = new CompletableFuture<>();
        ClassicGroup group = store.group(request.groupId());
        String memberId = request.memberId();
        Errors error = validateMember(group, memberId, request.groupInstanceId(), request.generationId());
        if (error == Errors.NONE && ((request.protocolType() != null && !request.protocolType().equals(group.protocolType()))
                || (request.protocolName() != null && !request.protocolName().equals(group.protocolName())))) {
            error = Errors.INCONSISTENT_GROUP_PROTOCOL;
        }
        if (error != Errors.NONE) {
            return CoordinatorResult.response(syncDone(future, error, null, new byte[0]));
        }
        ClassicMember member = group.member(memberId);
        switch (group.state()) {
            case EMPTY -> syncDone(future, Errors.UNKNOWN_MEMBER_ID, null, new byte[0]);
            case PREPARING_REBALANCE -> syncDone(future, Errors.REBALANCE_IN_PROGRESS, null, new byte[0]);
            case STABLE -> {
                rebalancer.scheduleHeartbeat(group, member);
                syncDone(future, Errors.NONE, group, member.assignment());
            }
            case COMPLETING_REBALANCE -> {
                member.completeSync(new SyncGroupResponseData().setErrorCode(Errors.REBALANCE_IN_PROGRESS.code()));
                member.awaitSync(future);
                if (group.isLeader(memberId)) {
                    return storeAssignment(group, request.assignments(), future);
                }
            }
            default -> syncDone(future, Errors.COORDINATOR_NOT_AVAILABLE, null, new byte[0]);
        }
        return CoordinatorResult.response(future);
    }

    /**
     * The group record of the generation with the leader's assignment; the members waiting in
     * SyncGroup are answered when it is committed.
     */
    private CoordinatorResult<CompletableFuture<SyncGroupResponseData>, CoordinatorRecord> storeAssignment(
            ClassicGroup group, List<SyncGroupRequestAssignment> assignments,
            CompletableFuture<SyncGroupResponseData> leaderResponse) {
        Map<String, byte[]> byMember = new HashMap<>();
        for (ClassicMember m : group.members()) {
            byMember.put(m.memberId(), new byte[0]);
        }
        for (SyncGroupRequestAssignment a : assignments) {
            if (byMember.containsKey(a.memberId())) {
                byMember.put(a.memberId(), a.assignment());
            }
        }
        CoordinatorRecord record = new CoordinatorRecord(new GroupKey(group.groupId()),
                group.toValue(group.generationId(), byMember, context.nowMs()));
        context.timer().cancel(Rebalancer.syncKey(group.groupId()));
        CompletableFuture<Void> stored = new CompletableFuture<>();
        stored.whenComplete((ignored, failure) -> onAssignmentStored(group, failure));
        return new CoordinatorResult<>(List.of(record), leaderResponse, true, stored);
    }

    /** Runs on the shard's thread once the assignment's record is committed, or its append failed. */
    private void onAssignmentStored(ClassicGroup group, Throwable failure) {
        if (failure != null) {
            Errors error = GroupShard.appendError(failure);
            for (ClassicMember m : group.members()) {
                m.completeSync(new SyncGroupResponseData().setErrorCode(error.code()));
            }
            return;
        }
        for (ClassicMember m : group.members()) {
            if (m.isAwaitingSync()) {
                m.completeSync(syncResponse(Errors.NONE, group, m.assignment()));
                rebalancer.scheduleHeartbeat(group, m);
            }
        }
    }

    HeartbeatResponseData heartbeat(HeartbeatRequestData request) {
        ClassicGroup group = store.group(request.groupId());
        Errors error = validateMember(group, request.memberId(), request.groupInstanceId(), request.generationId());
        if (error == Errors.NONE) {
            switch (group.state()) {
                case EMPTY -> error = Errors.UNKNOWN_MEMBER_ID;
                case PREPARING_REBALANCE -> {
                    rebalancer.scheduleHeartbeat(group, group.member(request.memberId()));
                    error = Errors.REBALANCE_IN_PROGRESS;
                }
                case COMPLETING_REBALANCE, STABLE ->
                        rebalancer.scheduleHeartbeat(group, group.member(request.memberId()));
                default -> error = Errors.COORDINATOR_NOT_AVAILABLE;
            }
        }
        return new HeartbeatResponseData().setErrorCode(error.code());
    }

    /**
     * LeaveGroup: v0–2 name one member by id; v3+ a batch by member id and/or instance id, each
     * answered on its own (of a group this shard does not have, each UNKNOWN_MEMBER_ID). The group
     * rebalances once, after all removals.
     */
    CoordinatorResult<LeaveGroupResponseData, CoordinatorRecord> leave(LeaveGroupRequestData request, short version) {
        ClassicGroup group = store.group(request.groupId());
        List<MemberIdentity> identities = version >= 3 ? request.members()
                : List.of(new MemberIdentity().setMemberId(request.memberId()));
        if (group == null) {
            // As Kafka: each member is unknown (v0–2 carry that at the top), the request itself is fine.
            LeaveGroupResponseData unknown = new LeaveGroupResponseData();
            if (version < 3) {
                return CoordinatorResult.response(unknown.setErrorCode(Errors.UNKNOWN_MEMBER_ID.code()));
            }
            for (MemberIdentity identity : identities) {
                unknown.members().add(new MemberResponse().setMemberId(identity.memberId())
                        .setGroupInstanceId(identity.groupInstanceId()).setErrorCode(Errors.UNKNOWN_MEMBER_ID.code()));
            }
            return CoordinatorResult.response(unknown);
        }
        if (group.isInState(GroupState.DEAD)) {
            return CoordinatorResult.response(
                    new LeaveGroupResponseData().setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code()));
        }
        List<CoordinatorRecord> records = new ArrayList<>();
        List<MemberResponse> responses = new ArrayList<>();
        List<ClassicMember> leaving = new ArrayList<>();
        boolean pendingRemoved = false;
        for (MemberIdentity identity : identities) {
            String memberId = identity.memberId() == null ? JoinGroupOp.UNKNOWN_MEMBER_ID : identity.memberId();
            String instanceId = identity.groupInstanceId();
            Errors error = Errors.NONE;
            if (instanceId != null) {
                String current = group.staticMemberId(instanceId);
                if (current == null) {
                    error = Errors.UNKNOWN_MEMBER_ID;
                } else if (!memberId.equals(JoinGroupOp.UNKNOWN_MEMBER_ID) && !memberId.equals(current)) {
                    error = Errors.FENCED_INSTANCE_ID;
                } else {
                    leaving.add(group.member(current));
                }
            } else if (group.pendingMemberIds().remove(memberId)) {
                context.timer().cancel(Rebalancer.pendingKey(group.groupId(), memberId));
                pendingRemoved = true;
            } else if (!group.has(memberId)) {
                error = Errors.UNKNOWN_MEMBER_ID;
            } else {
                leaving.add(group.member(memberId));
            }
            responses.add(new MemberResponse().setMemberId(memberId).setGroupInstanceId(instanceId)
                    .setErrorCode(error.code()));
        }
        for (ClassicMember member : leaving) {
            rebalancer.forgetMember(group, member, Errors.UNKNOWN_MEMBER_ID);
            group.remove(member.memberId());
        }
        if (!leaving.isEmpty() || pendingRemoved) {
            switch (group.state()) {
                case PREPARING_REBALANCE -> rebalancer.maybeCompleteJoin(group, records);
                case STABLE, COMPLETING_REBALANCE ->
                        rebalancer.prepareRebalance(group, leaving.size() + " member(s) left", records);
                default -> { }
            }
        }
        store.maybeDropUnstoredGroup(group);
        LeaveGroupResponseData response = new LeaveGroupResponseData();
        if (version >= 3) {
            response.setMembers(responses);
        } else {
            response.setErrorCode(responses.get(0).errorCode());
        }
        return CoordinatorResult.of(records, response);
    }

    /** The checks shared by SyncGroup and Heartbeat, in Kafka's order. */
    private static Errors validateMember(ClassicGroup group, String memberId, String instanceId, int generationId) {
        if (group == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (group.isInState(GroupState.DEAD)) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        if (group.isStaticMemberFenced(instanceId, memberId)) {
            return Errors.FENCED_INSTANCE_ID;
        }
        if (!group.has(memberId)) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (generationId != group.generationId()) {
            return Errors.ILLEGAL_GENERATION;
        }
        return Errors.NONE;
    }

    private static CompletableFuture<SyncGroupResponseData> syncDone(CompletableFuture<SyncGroupResponseData> future,
                                                                     Errors error, ClassicGroup group, byte[] assignment) {
        future.complete(syncResponse(error, group, assignment));
        return future;
    }

    static SyncGroupResponseData syncResponse(Errors error, ClassicGroup group, byte[] assignment) {
        SyncGroupResponseData response = new SyncGroupResponseData().setErrorCode(error.code()).setAssignment(assignment);
        if (group != null) {
            response.setProtocolType(group.protocolType()).setProtocolName(group.protocolName());
        }
        return response;
    }
}
