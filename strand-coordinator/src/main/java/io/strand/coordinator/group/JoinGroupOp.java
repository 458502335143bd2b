package io.strand.coordinator.group;

import io.strand.coordinator.group.classic.ClassicGroup;
import io.strand.coordinator.group.classic.ClassicMember;
import io.strand.coordinator.group.classic.GroupState;
import io.strand.coordinator.group.consumer.ConsumerGroup;
import io.strand.coordinator.group.record.CoordinatorRecord.GroupKey;
import io.strand.coordinator.group.record.CoordinatorRecord;
import io.strand.coordinator.runtime.CoordinatorResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData.JoinGroupResponseMember;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JoinGroup on one shard. A new dynamic member of a v4+ client first gets MEMBER_ID_REQUIRED with
 * its member id and must join again with it; a static member ({@code group.instance.id}) rejoining
 * under a new member id takes over its old id's place, fencing the old one, and in a stable group
 * with unchanged metadata gets the current generation back without a rebalance. Everything else
 * joins the (possibly new) rebalance and gets its response when the join phase completes.
 *
 * <p>The response is a future parked in the member until the join phase completes; the records a
 * join writes (an empty consumer-protocol group turned classic, a static member's new id) go with
 * it in the result, and the runtime releases the future only once they are committed.
 *
 * <p>Not thread-safe: runs on the shard's thread.
 */
final class JoinGroupOp {

    private static final Logger LOG = LoggerFactory.getLogger(JoinGroupOp.class);
    static final String UNKNOWN_MEMBER_ID = "";
    private static final short FIRST_MEMBER_ID_REQUIRED_VERSION = 4;

    private final ShardContext context;
    private final GroupStore store;
    private final Rebalancer rebalancer;

    JoinGroupOp(ShardContext context, GroupStore store, Rebalancer rebalancer) {
        this.context = context;
        this.store = store;
        this.rebalancer = rebalancer;
    }

    CoordinatorResult<CompletableFuture<JoinGroupResponseData>, CoordinatorRecord> join(
            short version, String clientId, String clientHost, JoinGroupRequestData request) {
        CompletableFuture<JoinGroupResponseData> future = new CompletableFuture<>();
        List<CoordinatorRecord> records = new ArrayList<>();
        join(version, clientId, clientHost, request, future, records);
        return CoordinatorResult.of(records, future);
    }

    private void join(short version, String clientId, String clientHost, JoinGroupRequestData request,
                      CompletableFuture<JoinGroupResponseData> future, List<CoordinatorRecord> records) {
        String groupId = request.groupId();
        String memberId = request.memberId() == null ? UNKNOWN_MEMBER_ID : request.memberId();
        GroupCoordinatorConfig config = context.config();
        if (groupId == null || groupId.isEmpty()) {
            done(future, Errors.INVALID_GROUP_ID, memberId);
            return;
        }
        if (request.sessionTimeoutMs() < config.minSessionTimeoutMs()
                || request.sessionTimeoutMs() > config.maxSessionTimeoutMs()) {
            done(future, Errors.INVALID_SESSION_TIMEOUT, memberId);
            return;
        }
        boolean unknownMember = memberId.equals(UNKNOWN_MEMBER_ID);
        ConsumerGroup consumerGroup = store.consumerGroup(groupId);
        if (consumerGroup != null) {
            if (!consumerGroup.isEmpty()) {
                done(future, Errors.INCONSISTENT_GROUP_PROTOCOL, memberId);
                return;
            }
            // An empty consumer-protocol group becomes a classic group; its offsets stay. Its
            // tombstones are applied after this operation; until then only this join reads the id.
            records.addAll(GroupAdminOps.consumerGroupTombstones(consumerGroup));
        }
        ClassicGroup group = store.group(groupId);
        if (group == null) {
            if (!unknownMember) {
                done(future, Errors.UNKNOWN_MEMBER_ID, memberId);
                return;
            }
            group = store.getOrCreateGroup(groupId);
        }
        if (group.isInState(GroupState.DEAD)) {
            done(future, Errors.COORDINATOR_NOT_AVAILABLE, memberId);
            return;
        }
        LinkedHashMap<String, byte[]> protocols = new LinkedHashMap<>();
        for (JoinGroupRequestProtocol protocol : request.protocols()) {
            protocols.putIfAbsent(protocol.name(), protocol.metadata());
        }
        if (!group.supportsProtocols(request.protocolType(), protocols.keySet())) {
            store.maybeDropUnstoredGroup(group);
            done(future, Errors.INCONSISTENT_GROUP_PROTOCOL, memberId);
            return;
        }
        boolean knownStatic = group.staticMemberId(request.groupInstanceId()) != null;
        boolean joiningAnew = unknownMember ? !knownStatic : group.isPending(memberId);
        if (joiningAnew && group.size() + group.pendingMemberIds().size() - (group.isPending(memberId) ? 1 : 0)
                >= config.maxGroupSize()) {
            store.maybeDropUnstoredGroup(group);
            done(future, Errors.GROUP_MAX_SIZE_REACHED, memberId);
            return;
        }
        if (unknownMember) {
            joinUnknownMember(version, clientId, clientHost, request, group, protocols, future, records);
        } else {
            joinKnownMember(clientId, clientHost, request, group, memberId, protocols, future, records);
        }
        store.maybeDropUnstoredGroup(group);
    }

    private void joinUnknownMember(short version, String clientId, String clientHost, JoinGroupRequestData request,
                                   ClassicGroup group, LinkedHashMap<String, byte[]> protocols,
                                   CompletableFuture<JoinGroupResponseData> future, List<CoordinatorRecord> records) {
        String newMemberId = clientId + "-" + new UUID(context.random().nextLong(), context.random().nextLong());
        String instanceId = request.groupInstanceId();
        if (instanceId != null) {
            String oldMemberId = group.staticMemberId(instanceId);
            if (oldMemberId != null) {
                rejoinStaticMember(request, group, oldMemberId, newMemberId, protocols, future, records);
            } else {
                addMemberAndRebalance(clientId, clientHost, request, group, newMemberId, protocols, future, records);
            }
        } else if (version >= FIRST_MEMBER_ID_REQUIRED_VERSION) {
            group.pendingMemberIds().add(newMemberId);
            rebalancer.schedulePendingExpiry(group, newMemberId, request.sessionTimeoutMs());
            future.complete(Rebalancer.joinError(Errors.MEMBER_ID_REQUIRED, newMemberId));
        } else {
            addMemberAndRebalance(clientId, clientHost, request, group, newMemberId, protocols, future, records);
        }
    }

    private void joinKnownMember(String clientId, String clientHost, JoinGroupRequestData request, ClassicGroup group,
                                 String memberId, LinkedHashMap<String, byte[]> protocols,
                                 CompletableFuture<JoinGroupResponseData> future, List<CoordinatorRecord> records) {
        if (group.isPending(memberId)) {
            group.pendingMemberIds().remove(memberId);
            context.timer().cancel(Rebalancer.pendingKey(group.groupId(), memberId));
            addMemberAndRebalance(clientId, clientHost, request, group, memberId, protocols, future, records);
            return;
        }
        if (group.isStaticMemberFenced(request.groupInstanceId(), memberId)) {
            done(future, Errors.FENCED_INSTANCE_ID, memberId);
            return;
        }
        ClassicMember member = group.member(memberId);
        if (member == null) {
            done(future, Errors.UNKNOWN_MEMBER_ID, memberId);
            return;
        }
        switch (group.state()) {
            case PREPARING_REBALANCE -> updateMemberAndRebalance(request, group, member, protocols, future, records);
            case COMPLETING_REBALANCE -> {
                if (member.sameProtocols(protocols)) {
                    // A retried join of the current generation: answer it again.
                    future.complete(Rebalancer.joinResponse(group, memberId,
                            group.isLeader(memberId) ? memberMetadata(group) : List.of(), false));
                } else {
                    updateMemberAndRebalance(request, group, member, protocols, future, records);
                }
            }
            case STABLE -> {
                if (group.isLeader(memberId) || !member.sameProtocols(protocols)) {
                    updateMemberAndRebalance(request, group, member, protocols, future, records);
                } else {
                    rebalancer.scheduleHeartbeat(group, member);
                    future.complete(Rebalancer.joinResponse(group, memberId, List.of(), false));
                }
            }
            default -> done(future, Errors.UNKNOWN_MEMBER_ID, memberId);
        }
    }

    private void addMemberAndRebalance(String clientId, String clientHost, JoinGroupRequestData request,
                                       ClassicGroup group, String memberId, LinkedHashMap<String, byte[]> protocols,
                                       CompletableFuture<JoinGroupResponseData> future,
                                       List<CoordinatorRecord> records) {
        ClassicMember member = new ClassicMember(memberId, request.groupInstanceId(), clientId, clientHost,
                request.rebalanceTimeoutMs(), request.sessionTimeoutMs(), protocols);
        member.awaitJoin(future);
        group.add(member, request.protocolType());
        group.setNewMemberAdded(true);
        if (group.isInState(GroupState.PREPARING_REBALANCE)) {
            rebalancer.maybeCompleteJoin(group, records);
        } else {
            rebalancer.maybePrepareRebalance(group, "member " + memberId + " joined", records);
            rebalancer.maybeCompleteJoin(group, records);
        }
    }

    private void updateMemberAndRebalance(JoinGroupRequestData request, ClassicGroup group, ClassicMember member,
                                          LinkedHashMap<String, byte[]> protocols,
                                          CompletableFuture<JoinGroupResponseData> future,
                                          List<CoordinatorRecord> records) {
        member.updateProtocols(protocols);
        member.updateTimeouts(request.rebalanceTimeoutMs(), request.sessionTimeoutMs());
        member.completeJoin(Rebalancer.joinError(Errors.UNKNOWN_MEMBER_ID, member.memberId()));
        member.awaitJoin(future);
        if (!group.isInState(GroupState.PREPARING_REBALANCE)) {
            rebalancer.prepareRebalance(group, "member " + member.memberId() + " rejoined", records);
        }
        rebalancer.maybeCompleteJoin(group, records);
    }

    /**
     * A static member came back without its member id: it takes over the old id's place and the old
     * holder is fenced. In a stable group whose selected protocol's metadata is unchanged, the new id
     * is stored and the member gets the current generation once that record is committed; otherwise
     * the group rebalances.
     */
    private void rejoinStaticMember(JoinGroupRequestData request, ClassicGroup group, String oldMemberId,
                                    String newMemberId, LinkedHashMap<String, byte[]> protocols,
                                    CompletableFuture<JoinGroupResponseData> future, List<CoordinatorRecord> records) {
        ClassicMember old = group.member(oldMemberId);
        boolean metadataUnchanged = group.protocolName() != null
                && java.util.Arrays.equals(old.metadata(group.protocolName()), protocols.get(group.protocolName()));
        rebalancer.forgetMember(group, old, Errors.FENCED_INSTANCE_ID);
        if (group.isInState(GroupState.STABLE) && metadataUnchanged) {
            ClassicMember replacement = group.replaceStaticMember(oldMemberId, newMemberId);
            replacement.updateTimeouts(request.rebalanceTimeoutMs(), request.sessionTimeoutMs());
            // If this append fails the runtime rebuilds the shard from its log: the old id stays the
            // one of record.
            records.add(new CoordinatorRecord(new GroupKey(group.groupId()),
                    group.toValue(group.generationId(), Map.of(), group.stateTimestampMs())));
            ClassicMember stored = group.member(newMemberId);
            stored.updateProtocols(protocols);
            rebalancer.scheduleHeartbeat(group, stored);
            boolean leader = group.isLeader(newMemberId);
            LOG.info("Static member {} of group {} rejoined as {} without a rebalance", request.groupInstanceId(),
                    group.groupId(), newMemberId);
            future.complete(Rebalancer.joinResponse(group, newMemberId,
                    leader ? memberMetadata(group) : List.of(), leader));
            return;
        }
        ClassicMember replacement = group.replaceStaticMember(oldMemberId, newMemberId);
        context.timer().cancel(Rebalancer.heartbeatKey(group.groupId(), oldMemberId));
        if (group.isInState(GroupState.EMPTY) || group.isInState(GroupState.DEAD)) {
            done(future, Errors.UNKNOWN_MEMBER_ID, newMemberId);
            return;
        }
        updateMemberAndRebalance(request, group, replacement, protocols, future, records);
    }

    private static List<JoinGroupResponseMember> memberMetadata(ClassicGroup group) {
        List<JoinGroupResponseMember> members = new ArrayList<>();
        for (ClassicMember m : group.members()) {
            members.add(new JoinGroupResponseMember().setMemberId(m.memberId()).setGroupInstanceId(m.groupInstanceId())
                    .setMetadata(m.metadata(group.protocolName())));
        }
        return members;
    }

    private static void done(CompletableFuture<JoinGroupResponseData> future, Errors error, String memberId) {
        future.complete(Rebalancer.joinError(error, memberId));
    }
}
