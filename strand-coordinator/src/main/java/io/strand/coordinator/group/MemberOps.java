package io.strand.coordinator.group;

import io.strand.coordinator.group.CoordinatorRecord.GroupKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupResponseData.MemberResponse;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData.SyncGroupRequestAssignment;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * SyncGroup, Heartbeat and LeaveGroup of classic group members on one shard. The leader's
 * SyncGroup stores the generation with its assignment as a group record; applying that record
 * makes the group STABLE, and then every member waiting in SyncGroup gets its assignment.
 *
 * <p>Not thread-safe: runs on the shard's thread.
 */
final class MemberOps {

    private final GroupShard shard;

    MemberOps(GroupShard shard) {
        this.shard = shard;
    }

    CompletableFuture<SyncGroupResponseData> sync(SyncGroupRequestData request) {
        CompletableFuture<SyncGroupResponseData> future = new CompletableFuture<>();
        ClassicGroup group = shard.group(request.groupId());
        String memberId = request.memberId();
        Errors error = validateMember(group, memberId, request.groupInstanceId(), request.generationId());
        if (error == Errors.NONE && ((request.protocolType() != null && !request.protocolType().equals(group.protocolType()))
                || (request.protocolName() != null && !request.protocolName().equals(group.protocolName())))) {
            error = Errors.INCONSISTENT_GROUP_PROTOCOL;
        }
        if (error != Errors.NONE) {
            return syncDone(future, error, null, new byte[0]);
        }
        ClassicMember member = group.member(memberId);
        switch (group.state()) {
            case EMPTY -> syncDone(future, Errors.UNKNOWN_MEMBER_ID, null, new byte[0]);
            case PREPARING_REBALANCE -> syncDone(future, Errors.REBALANCE_IN_PROGRESS, null, new byte[0]);
            case STABLE -> {
                shard.rebalancer().scheduleHeartbeat(group, member);
                syncDone(future, Errors.NONE, group, member.assignment());
            }
            case COMPLETING_REBALANCE -> {
                member.completeSync(new SyncGroupResponseData().setErrorCode(Errors.REBALANCE_IN_PROGRESS.code()));
                member.awaitSync(future);
                if (group.isLeader(memberId)) {
                    storeAssignment(group, request.assignments());
                }
            }
            default -> syncDone(future, Errors.COORDINATOR_NOT_AVAILABLE, null, new byte[0]);
        }
        return future;
    }

    private void storeAssignment(ClassicGroup group, List<SyncGroupRequestAssignment> assignments) {
        Map<String, byte[]> byMember = new HashMap<>();
        for (ClassicMember m : group.members()) {
            byMember.put(m.memberId(), new byte[0]);
        }
        for (SyncGroupRequestAssignment a : assignments) {
            if (byMember.containsKey(a.memberId())) {
                byMember.put(a.memberId(), a.assignment());
            }
        }
        try {
            shard.write(List.of(new CoordinatorRecord(new GroupKey(group.groupId()),
                    group.toValue(group.generationId(), byMember, shard.nowMs()))));
        } catch (RuntimeException e) {
            Errors error = GroupShard.appendError(e);
            for (ClassicMember m : group.members()) {
                m.setAssignment(new byte[0]);
                m.completeSync(new SyncGroupResponseData().setErrorCode(error.code()));
            }
            shard.rebalancer().prepareRebalance(group, "storing the assignment failed: " + error);
            return;
        }
        shard.timer().cancel(Rebalancer.syncKey(group.groupId()));
        for (ClassicMember m : group.members()) {
            if (m.isAwaitingSync()) {
                m.completeSync(syncResponse(Errors.NONE, group, m.assignment()));
                shard.rebalancer().scheduleHeartbeat(group, m);
            }
        }
    }

    HeartbeatResponseData heartbeat(HeartbeatRequestData request) {
        ClassicGroup group = shard.group(request.groupId());
        Errors error = validateMember(group, request.memberId(), request.groupInstanceId(), request.generationId());
        if (error == Errors.NONE) {
            switch (group.state()) {
                case EMPTY -> error = Errors.UNKNOWN_MEMBER_ID;
                case PREPARING_REBALANCE -> {
                    shard.rebalancer().scheduleHeartbeat(group, group.member(request.memberId()));
                    error = Errors.REBALANCE_IN_PROGRESS;
                }
                case COMPLETING_REBALANCE, STABLE ->
                        shard.rebalancer().scheduleHeartbeat(group, group.member(request.memberId()));
                default -> error = Errors.COORDINATOR_NOT_AVAILABLE;
            }
        }
        return new HeartbeatResponseData().setErrorCode(error.code());
    }

    /**
     * LeaveGroup: v0–2 name one member by id; v3+ a batch by member id and/or instance id, each
     * answered on its own. The group rebalances once, after all removals.
     */
    LeaveGroupResponseData leave(LeaveGroupRequestData request, short version) {
        ClassicGroup group = shard.group(request.groupId());
        List<MemberIdentity> identities = version >= 3 ? request.members()
                : List.of(new MemberIdentity().setMemberId(request.memberId()));
        if (group == null) {
            return new LeaveGroupResponseData().setErrorCode(Errors.UNKNOWN_MEMBER_ID.code());
        }
        if (group.isInState(GroupState.DEAD)) {
            return new LeaveGroupResponseData().setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code());
        }
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
                shard.timer().cancel(Rebalancer.pendingKey(group.groupId(), memberId));
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
            shard.rebalancer().forgetMember(group, member, Errors.UNKNOWN_MEMBER_ID);
            group.remove(member.memberId());
        }
        if (!leaving.isEmpty() || pendingRemoved) {
            switch (group.state()) {
                case PREPARING_REBALANCE -> shard.rebalancer().maybeCompleteJoin(group);
                case STABLE, COMPLETING_REBALANCE ->
                        shard.rebalancer().prepareRebalance(group, leaving.size() + " member(s) left");
                default -> { }
            }
        }
        shard.maybeDropUnstoredGroup(group);
        LeaveGroupResponseData response = new LeaveGroupResponseData();
        if (version >= 3) {
            response.setMembers(responses);
        } else {
            response.setErrorCode(responses.get(0).errorCode());
        }
        return response;
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
