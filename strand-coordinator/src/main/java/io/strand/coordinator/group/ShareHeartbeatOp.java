package io.strand.coordinator.group;

import io.strand.coordinator.group.record.CoordinatorRecord;
import io.strand.coordinator.group.record.MemberState;
import io.strand.coordinator.group.record.ShareGroupRecords;
import io.strand.coordinator.group.record.ShareGroupRecords.MemberMetadataValue;
import io.strand.coordinator.group.record.ShareGroupRecords.StatePartitionMetadataValue;
import io.strand.coordinator.group.share.ShareGroup;
import io.strand.coordinator.group.share.ShareMember;
import io.strand.coordinator.runtime.CoordinatorResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.FencedMemberEpochException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupMaxSizeReachedException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.apache.kafka.common.message.ShareGroupDescribeResponseData;
import org.apache.kafka.common.message.ShareGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ShareGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ShareGroupHeartbeat and ShareGroupDescribe (KIP-932) on one shard: share group membership. A member
 * joins with epoch 0 and the topics it subscribes to (its member id is its own, a UUID), heartbeats
 * with the epoch it was last given (or the one before it, as Kafka accepts), leaves with -1, and is removed when it is not heard from for
 * the group's {@code share.session.timeout.ms} (else {@code group.share.session.timeout.ms}; heartbeats
 * are asked for every {@code share.heartbeat.interval.ms}, else {@code group.share.heartbeat.interval.ms}).
 * Each member is assigned every partition of its subscribed
 * topics (Kafka's {@code simple} assignor shares each partition among all its subscribers); the group
 * epoch grows with every change of membership or assignment, and a member's epoch becomes the group
 * epoch whenever its assignment changes. A heartbeat carries the assignment when it changed, on join,
 * when it names its subscribed topics, and when the member's epoch was behind. Only a join creates a group:
 * any other epoch for a group there is not is GROUP_ID_NOT_FOUND, as in Kafka; a full group refuses a member
 * it does not have before its epoch is looked at.
 *
 * <p>Compute, then apply: a heartbeat returns Kafka's share group records ({@link ShareGroupRecords}) in
 * Kafka's order and changes nothing itself; {@link GroupShard#replay} applies them, live and on load, so a
 * group and its members survive a coordinator failover or restart. A member's metadata record when it joins
 * or what it sent changed; on a new assignment the group epoch, the member's target, the target's epoch and
 * the member's current assignment; the group's state partitions when a partition is assigned for the first
 * time. Leaving or expiring writes the member's tombstones and a new group epoch. Only the session timers are
 * memory-only: {@link GroupShard#onLoaded} starts a fresh session for every member loaded.
 *
 * <p>Not thread-safe: runs on the shard's thread.
 */
final class ShareHeartbeatOp {

    private static final Logger LOG = LoggerFactory.getLogger(ShareHeartbeatOp.class);

    private final ShardContext context;
    private final GroupStore store;

    ShareHeartbeatOp(ShardContext context, GroupStore store) {
        this.context = context;
        this.store = store;
    }

    CoordinatorResult<ShareGroupHeartbeatResponseData, CoordinatorRecord> heartbeat(
            String clientId, String clientHost, ShareGroupHeartbeatRequestData request, TopicIdLookup topicIds) {
        try {
            return doHeartbeat(clientId, clientHost, request, topicIds);
        } catch (org.apache.kafka.common.errors.ApiException e) {
            Errors error = Errors.forException(e);
            return CoordinatorResult.response(new ShareGroupHeartbeatResponseData().setErrorCode(error.code())
                    .setErrorMessage(e.getMessage()));
        }
    }

    private CoordinatorResult<ShareGroupHeartbeatResponseData, CoordinatorRecord> doHeartbeat(
            String clientId, String clientHost, ShareGroupHeartbeatRequestData request, TopicIdLookup topicIds) {
        String groupId = request.groupId();
        String memberId = request.memberId();
        int epoch = request.memberEpoch();
        if (memberId == null || memberId.isEmpty()) {
            throw new InvalidRequestException("MemberId can't be empty.");
        }
        if (epoch < ShareMember.LEAVE_EPOCH) {
            throw new InvalidRequestException("MemberEpoch is invalid.");
        }
        if (epoch == ShareMember.JOIN_EPOCH
                && (request.subscribedTopicNames() == null || request.subscribedTopicNames().isEmpty())) {
            throw new InvalidRequestException("SubscribedTopicNames must be set in first request.");
        }
        ShareGroup group = store.shareGroup(groupId);
        if (group == null && store.hasOtherGroup(groupId)) {
            throw new GroupIdNotFoundException("Group " + groupId + " is not a share group.");
        }
        // Only a join creates the group: a leave or heartbeat to a group there is not is GROUP_ID_NOT_FOUND.
        if (group == null && epoch != ShareMember.JOIN_EPOCH) {
            throw new GroupIdNotFoundException("Share group " + groupId + " not found.");
        }
        if (epoch == ShareMember.LEAVE_EPOCH) {
            if (group.member(memberId) == null) {
                throw new UnknownMemberIdException("Member " + memberId + " is not a member of group " + groupId + ".");
            }
            LOG.info("Removing member {} of share group {}: left the group", memberId, groupId);
            context.timer().cancel(sessionKey(groupId, memberId));
            return CoordinatorResult.of(removeMemberRecords(group, memberId),
                    new ShareGroupHeartbeatResponseData().setMemberId(memberId).setMemberEpoch(ShareMember.LEAVE_EPOCH));
        }
        ShareMember member = group == null ? null : group.member(memberId);
        if (member == null && group != null && group.members().size() >= context.config().shareMaxSize()) {
            throw new GroupMaxSizeReachedException("The share group has reached its maximum size.");
        }
        if (epoch != ShareMember.JOIN_EPOCH) {
            if (member == null) {
                throw new UnknownMemberIdException("Member " + memberId + " is not a member of group " + groupId + ".");
            }
            checkEpoch(member, epoch);
        }
        SortedSet<String> subscribed = request.subscribedTopicNames() != null
                ? new TreeSet<>(request.subscribedTopicNames())
                : member != null ? member.subscribedTopics() : new TreeSet<>();
        String rackId = request.rackId() != null ? request.rackId() : member != null ? member.rackId() : null;
        Map<String, Uuid> topicIdsByName = new TreeMap<>();
        Map<Uuid, SortedSet<Integer>> assigned = assignment(subscribed, topicIds, topicIdsByName);

        List<CoordinatorRecord> records = new ArrayList<>();
        MemberMetadataValue metadata = new MemberMetadataValue(rackId, clientId, clientHost, List.copyOf(subscribed));
        if (member == null || !member.metadata().equals(metadata)) {
            records.add(new CoordinatorRecord(new ShareGroupRecords.MemberMetadataKey(groupId, memberId), metadata));
        }
        boolean changed = member == null || !member.assigned().equals(assigned)
                || !member.subscribedTopics().equals(subscribed);
        int memberEpoch = member != null ? member.memberEpoch() : ShareMember.JOIN_EPOCH;
        if (changed) {
            int groupEpoch = (group == null ? ShareGroup.INITIAL_EPOCH : group.groupEpoch()) + 1;
            records.add(new CoordinatorRecord(new ShareGroupRecords.GroupMetadataKey(groupId),
                    new ShareGroupRecords.GroupMetadataValue(groupEpoch, NO_METADATA_HASH)));
            records.add(new CoordinatorRecord(new ShareGroupRecords.TargetAssignmentMemberKey(groupId, memberId),
                    new ShareGroupRecords.TargetAssignmentMemberValue(assigned)));
            records.add(new CoordinatorRecord(new ShareGroupRecords.TargetAssignmentMetadataKey(groupId),
                    new ShareGroupRecords.TargetAssignmentMetadataValue(groupEpoch, context.nowMs())));
            records.add(new CoordinatorRecord(new ShareGroupRecords.MemberAssignmentKey(groupId, memberId),
                    new ShareGroupRecords.MemberAssignmentValue(groupEpoch, memberEpoch, MemberState.STABLE, assigned)));
            memberEpoch = groupEpoch;
        }
        StatePartitionMetadataValue state = group == null ? StatePartitionMetadataValue.EMPTY
                : group.statePartitionMetadata();
        StatePartitionMetadataValue withAssigned = ShareStatePartitionsUpdate.withInitialized(state, assigned,
                topicIdsByName);
        if (!withAssigned.equals(state)) {
            records.add(new CoordinatorRecord(new ShareGroupRecords.StatePartitionMetadataKey(groupId), withAssigned));
        }
        scheduleSession(groupId, memberId);
        ShareGroupHeartbeatResponseData response = new ShareGroupHeartbeatResponseData().setMemberId(memberId)
                .setMemberEpoch(memberEpoch).setHeartbeatIntervalMs(context.shareHeartbeatIntervalMs(groupId));
        if (epoch == ShareMember.JOIN_EPOCH || request.subscribedTopicNames() != null || changed) {
            response.setAssignment(toWire(assigned)); // a full request (topics named) gets it too
        }
        return CoordinatorResult.of(records, response);
    }

    /**
     * A member heartbeats with its epoch or, as Kafka accepts, its previous one: the answer that gave it the
     * current epoch may have been lost. It is then answered its current epoch (and its assignment when the
     * heartbeat names its topics, as any). Any other epoch is FENCED_MEMBER_EPOCH.
     */
    private static void checkEpoch(ShareMember member, int epoch) {
        if (epoch > member.memberEpoch()) {
            throw new FencedMemberEpochException("The share group member has a greater member epoch (" + epoch
                    + ") than the group coordinator knows (" + member.memberEpoch() + "); it must rejoin.");
        }
        if (epoch < member.memberEpoch() && epoch != member.previousMemberEpoch()) {
            throw new FencedMemberEpochException("The share group member has a smaller member epoch (" + epoch
                    + ") than the group coordinator knows (" + member.memberEpoch() + "), and not its previous one ("
                    + member.previousMemberEpoch() + "); it must rejoin.");
        }
    }

    /** Kafka's hash of the subscribed topics' metadata, which Strand does not compute. */
    static final long NO_METADATA_HASH = 0L;

    /**
     * Every partition of the subscribed topics that exist now, by topic id; {@code idsByName} gets the
     * name of each topic assigned.
     */
    private Map<Uuid, SortedSet<Integer>> assignment(Set<String> subscribed, TopicIdLookup topicIds,
                                                      Map<String, Uuid> idsByName) {
        Map<String, Integer> topics = context.topicPartitionCounts();
        Map<Uuid, SortedSet<Integer>> assigned = new TreeMap<>();
        for (String topic : subscribed) {
            Integer partitions = topics.get(topic);
            Uuid id = topicIds.idOf(topic);
            if (partitions != null && partitions > 0 && !Uuid.ZERO_UUID.equals(id)) {
                SortedSet<Integer> all = new TreeSet<>();
                for (int p = 0; p < partitions; p++) {
                    all.add(p);
                }
                assigned.put(id, all);
                idsByName.put(topic, id);
            }
        }
        return assigned;
    }

    private static ShareGroupHeartbeatResponseData.Assignment toWire(Map<Uuid, SortedSet<Integer>> assigned) {
        ShareGroupHeartbeatResponseData.Assignment out = new ShareGroupHeartbeatResponseData.Assignment();
        assigned.forEach((topicId, partitions) -> out.topicPartitions().add(
                new ShareGroupHeartbeatResponseData.TopicPartitions().setTopicId(topicId)
                        .setPartitions(new ArrayList<>(partitions))));
        return out;
    }

    /**
     * The records that remove a member, in Kafka's order: its current assignment, its target and its
     * metadata go, and the group epoch moves on.
     */
    private static List<CoordinatorRecord> removeMemberRecords(ShareGroup group, String memberId) {
        String groupId = group.groupId();
        return List.of(
                new CoordinatorRecord(new ShareGroupRecords.MemberAssignmentKey(groupId, memberId), null),
                new CoordinatorRecord(new ShareGroupRecords.TargetAssignmentMemberKey(groupId, memberId), null),
                new CoordinatorRecord(new ShareGroupRecords.MemberMetadataKey(groupId, memberId), null),
                new CoordinatorRecord(new ShareGroupRecords.GroupMetadataKey(groupId),
                        new ShareGroupRecords.GroupMetadataValue(group.groupEpoch() + 1, NO_METADATA_HASH)));
    }

    /** Starts (or restarts) the member's session: it is removed unless heard from within the timeout. */
    void scheduleSession(String groupId, String memberId) {
        context.timer().schedule(sessionKey(groupId, memberId),
                context.nowMs() + context.shareSessionTimeoutMs(groupId), () -> {
                    ShareGroup group = store.shareGroup(groupId);
                    if (group == null || group.member(memberId) == null) {
                        return List.of();
                    }
                    LOG.info("Removing member {} of share group {}: session timed out", memberId, groupId);
                    return removeMemberRecords(group, memberId);
                });
    }

    /** Stops the member's session timer (it left, or its group is gone). */
    void cancelSession(String groupId, String memberId) {
        context.timer().cancel(sessionKey(groupId, memberId));
    }

    private static String sessionKey(String groupId, String memberId) {
        return "share-session/" + groupId + "/" + memberId;
    }

    /** ShareGroupDescribe of one group: GROUP_ID_NOT_FOUND unless it is a share group. */
    ShareGroupDescribeResponseData.DescribedGroup describe(String groupId, TopicIdLookup topicIds) {
        ShareGroupDescribeResponseData.DescribedGroup out =
                new ShareGroupDescribeResponseData.DescribedGroup().setGroupId(groupId);
        ShareGroup group = store.shareGroup(groupId);
        if (group == null) {
            return out.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code())
                    .setErrorMessage(store.hasOtherGroup(groupId) ? "Group " + groupId + " is not a share group."
                            : "Group " + groupId + " not found.");
        }
        out.setGroupState(group.state().wireName()).setGroupEpoch(group.groupEpoch())
                .setAssignmentEpoch(group.assignmentEpoch()).setAssignorName(ShareGroup.ASSIGNOR_NAME);
        for (ShareMember member : group.members()) {
            ShareGroupDescribeResponseData.Assignment assignment = new ShareGroupDescribeResponseData.Assignment();
            member.assigned().forEach((topicId, partitions) -> {
                String name = topicIds.nameOf(topicId);
                if (name != null) { // a topic deleted since is no longer described
                    assignment.topicPartitions().add(new ShareGroupDescribeResponseData.TopicPartitions()
                            .setTopicId(topicId).setTopicName(name).setPartitions(new ArrayList<>(partitions)));
                }
            });
            out.members().add(new ShareGroupDescribeResponseData.Member().setMemberId(member.memberId())
                    .setRackId(member.rackId()).setMemberEpoch(member.memberEpoch()).setClientId(member.clientId())
                    .setClientHost(member.clientHost())
                    .setSubscribedTopicNames(new ArrayList<>(member.subscribedTopics()))
                    .setAssignment(assignment));
        }
        return out;
    }
}
