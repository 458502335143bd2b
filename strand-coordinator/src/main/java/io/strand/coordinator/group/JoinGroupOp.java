package io.strand.coordinator.group;

import io.strand.coordinator.group.CoordinatorRecord.GroupKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData.JoinGroupResponseMember;
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
 * <p>Not thread-safe: runs on the shard's thread.
 */
final class JoinGroupOp {

    private static final Logger LOG = LoggerFactory.getLogger(JoinGroupOp.class);
    static final String UNKNOWN_MEMBER_ID = "";
    private static final short FIRST_MEMBER_ID_REQUIRED_VERSION = 4;

    private final GroupShard shard;

    JoinGroupOp(GroupShard shard) {
        this.shard = shard;
    }

    CompletableFuture<JoinGroupResponseData> join(short version, String clientId, String clientHost,
                                                  JoinGroupRequestData request) {
        CompletableFuture<JoinGroupResponseData> future = new CompletableFuture<>();
        String groupId = request.groupId();
        String memberId = request.memberId() == null ? UNKNOWN_MEMBER_ID : request.memberId();
        GroupCoordinatorConfig config = shard.config();
        if (groupId == null || groupId.isEmpty()) {
            return done(future, Errors.INVALID_GROUP_ID, memberId);
        }
        if (request.sessionTimeoutMs() < config.minSessionTimeoutMs()
                || request.sessionTimeoutMs() > config.maxSessionTimeoutMs()) {
            return done(future, Errors.INVALID_SESSION_TIMEOUT, memberId);
        }
        boolean unknownMember = memberId.equals(UNKNOWN_MEMBER_ID);
        ConsumerGroup consumerGroup = shard.consumerGroup(groupId);
        if (consumerGroup != null) {
            if (!consumerGroup.isEmpty()) {
                return done(future, Errors.INCONSISTENT_GROUP_PROTOCOL, memberId);
            }
            try {
                // An empty consumer-protocol group becomes a classic group; its offsets stay.
                shard.write(GroupAdminOps.consumerGroupTombstones(consumerGroup));
            } catch (RuntimeException e) {
                return done(future, GroupShard.appendError(e), memberId);
            }
        }
        ClassicGroup group = shard.group(groupId);
        if (group == null) {
            if (!unknownMember) {
                return done(future, Errors.UNKNOWN_MEMBER_ID, memberId);
            }
            group = shard.getOrCreateGroup(groupId);
        }
        if (group.isInState(GroupState.DEAD)) {
            return done(future, Errors.COORDINATOR_NOT_AVAILABLE, memberId);
        }
        LinkedHashMap<String, byte[]> protocols = new LinkedHashMap<>();
        for (JoinGroupRequestProtocol protocol : request.protocols()) {
            protocols.putIfAbsent(protocol.name(), protocol.metadata());
        }
        if (!group.supportsProtocols(request.protocolType(), protocols.keySet())) {
            shard.maybeDropUnstoredGroup(group);
            return done(future, Errors.INCONSISTENT_GROUP_PROTOCOL, memberId);
        }
        boolean knownStatic = group.staticMemberId(request.groupInstanceId()) != null;
        boolean joiningAnew = unknownMember ? !knownStatic : group.isPending(memberId);
        if (joiningAnew && group.size() + group.pendingMemberIds().size() - (group.isPending(memberId) ? 1 : 0)
                >= config.maxGroupSize()) {
            shard.maybeDropUnstoredGroup(group);
            return done(future, Errors.GROUP_MAX_SIZE_REACHED, memberId);
        }
        if (unknownMember) {
            joinUnknownMember(version, clientId, clientHost, request, group, protocols, future);
        } else {
            joinKnownMember(clientId, clientHost, request, group, memberId, protocols, future);
        }
        shard.maybeDropUnstoredGroup(group);
        return future;
    }

    private void joinUnknownMember(short version, String clientId, String clientHost, JoinGroupRequestData request,
                                   ClassicGroup group, LinkedHashMap<String, byte[]> protocols,
                                   CompletableFuture<JoinGroupResponseData> future) {
        String newMemberId = clientId + "-" + new UUID(shard.random().nextLong(), shard.random().nextLong());
        String instanceId = request.groupInstanceId();
        if (instanceId != null) {
            String oldMemberId = group.staticMemberId(instanceId);
            if (oldMemberId != null) {
                rejoinStaticMember(request, group, oldMemberId, newMemberId, protocols, future);
            } else {
                addMemberAndRebalance(clientId, clientHost, request, group, newMemberId, protocols, future);
            }
        } else if (version >= FIRST_MEMBER_ID_REQUIRED_VERSION) {
            group.pendingMemberIds().add(newMemberId);
            shard.rebalancer().schedulePendingExpiry(group, newMemberId, request.sessionTimeoutMs());
            future.complete(Rebalancer.joinError(Errors.MEMBER_ID_REQUIRED, newMemberId));
        } else {
            addMemberAndRebalance(clientId, clientHost, request, group, newMemberId, protocols, future);
        }
    }

    private void joinKnownMember(String clientId, String clientHost, JoinGroupRequestData request, ClassicGroup group,
                                 String memberId, LinkedHashMap<String, byte[]> protocols,
                                 CompletableFuture<JoinGroupResponseData> future) {
        if (group.isPending(memberId)) {
            group.pendingMemberIds().remove(memberId);
            shard.timer().cancel(Rebalancer.pendingKey(group.groupId(), memberId));
            addMemberAndRebalance(clientId, clientHost, request, group, memberId, protocols, future);
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
            case PREPARING_REBALANCE -> updateMemberAndRebalance(request, group, member, protocols, future);
            case COMPLETING_REBALANCE -> {
                if (member.sameProtocols(protocols)) {
                    // A retried join of the current generation: answer it again.
                    future.complete(Rebalancer.joinResponse(group, memberId,
                            group.isLeader(memberId) ? memberMetadata(group) : List.of(), false));
                } else {
                    updateMemberAndRebalance(request, group, member, protocols, future);
                }
            }
            case STABLE -> {
                if (group.isLeader(memberId) || !member.sameProtocols(protocols)) {
                    updateMemberAndRebalance(request, group, member, protocols, future);
                } else {
                    shard.rebalancer().scheduleHeartbeat(group, member);
                    future.complete(Rebalancer.joinResponse(group, memberId, List.of(), false));
                }
            }
            default -> done(future, Errors.UNKNOWN_MEMBER_ID, memberId);
        }
    }

    private void addMemberAndRebalance(String clientId, String clientHost, JoinGroupRequestData request,
                                       ClassicGroup group, String memberId, LinkedHashMap<String, byte[]> protocols,
                                       CompletableFuture<JoinGroupResponseData> future) {
        ClassicMember member = new ClassicMember(memberId, request.groupInstanceId(), clientId, clientHost,
                request.rebalanceTimeoutMs(), request.sessionTimeoutMs(), protocols);
        member.awaitJoin(future);
        group.add(member, request.protocolType());
        group.setNewMemberAdded(true);
        if (group.isInState(GroupState.PREPARING_REBALANCE)) {
            shard.rebalancer().maybeCompleteJoin(group);
        } else {
            shard.rebalancer().maybePrepareRebalance(group, "member " + memberId + " joined");
            shard.rebalancer().maybeCompleteJoin(group);
        }
    }

    private void updateMemberAndRebalance(JoinGroupRequestData request, ClassicGroup group, ClassicMember member,
                                          LinkedHashMap<String, byte[]> protocols,
                                          CompletableFuture<JoinGroupResponseData> future) {
        member.updateProtocols(protocols);
        member.updateTimeouts(request.rebalanceTimeoutMs(), request.sessionTimeoutMs());
        member.completeJoin(Rebalancer.joinError(Errors.UNKNOWN_MEMBER_ID, member.memberId()));
        member.awaitJoin(future);
        if (!group.isInState(GroupState.PREPARING_REBALANCE)) {
            shard.rebalancer().prepareRebalance(group, "member " + member.memberId() + " rejoined");
        }
        shard.rebalancer().maybeCompleteJoin(group);
    }

    /**
     * A static member came back without its member id: it takes over the old id's place and the old
     * holder is fenced. In a stable group whose selected protocol's metadata is unchanged, the new id
     * is stored and the member gets the current generation at once; otherwise the group rebalances.
     */
    private void rejoinStaticMember(JoinGroupRequestData request, ClassicGroup group, String oldMemberId,
                                    String newMemberId, LinkedHashMap<String, byte[]> protocols,
                                    CompletableFuture<JoinGroupResponseData> future) {
        ClassicMember old = group.member(oldMemberId);
        boolean metadataUnchanged = group.protocolName() != null
                && java.util.Arrays.equals(old.metadata(group.protocolName()), protocols.get(group.protocolName()));
        shard.rebalancer().forgetMember(group, old, Errors.FENCED_INSTANCE_ID);
        if (group.isInState(GroupState.STABLE) && metadataUnchanged) {
            ClassicMember replacement = group.replaceStaticMember(oldMemberId, newMemberId);
            replacement.updateTimeouts(request.rebalanceTimeoutMs(), request.sessionTimeoutMs());
            try {
                shard.write(List.of(new CoordinatorRecord(new GroupKey(group.groupId()),
                        group.toValue(group.generationId(), Map.of(), group.stateTimestampMs()))));
            } catch (RuntimeException e) {
                // Undo the replacement: the old id stays the one of record.
                group.replaceStaticMember(newMemberId, oldMemberId);
                done(future, GroupShard.appendError(e), UNKNOWN_MEMBER_ID);
                return;
            }
            ClassicMember stored = group.member(newMemberId);
            stored.updateProtocols(protocols);
            shard.rebalancer().scheduleHeartbeat(group, stored);
            boolean leader = group.isLeader(newMemberId);
            LOG.info("Static member {} of group {} rejoined as {} without a rebalance", request.groupInstanceId(),
                    group.groupId(), newMemberId);
            future.complete(Rebalancer.joinResponse(group, newMemberId,
                    leader ? memberMetadata(group) : List.of(), leader));
            return;
        }
        ClassicMember replacement = group.replaceStaticMember(oldMemberId, newMemberId);
        shard.timer().cancel(Rebalancer.heartbeatKey(group.groupId(), oldMemberId));
        if (group.isInState(GroupState.EMPTY) || group.isInState(GroupState.DEAD)) {
            done(future, Errors.UNKNOWN_MEMBER_ID, newMemberId);
            return;
        }
        updateMemberAndRebalance(request, group, replacement, protocols, future);
    }

    private static List<JoinGroupResponseMember> memberMetadata(ClassicGroup group) {
        List<JoinGroupResponseMember> members = new ArrayList<>();
        for (ClassicMember m : group.members()) {
            members.add(new JoinGroupResponseMember().setMemberId(m.memberId()).setGroupInstanceId(m.groupInstanceId())
                    .setMetadata(m.metadata(group.protocolName())));
        }
        return members;
    }

    private static CompletableFuture<JoinGroupResponseData> done(CompletableFuture<JoinGroupResponseData> future,
                                                                 Errors error, String memberId) {
        future.complete(Rebalancer.joinError(error, memberId));
        return future;
    }
}
