package io.strand.coordinator.group;

import io.strand.coordinator.group.record.CoordinatorRecord;
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
 * with the epoch it was last given, leaves with -1, and is removed when it is not heard from for
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
 * <p><b>Stopgap:</b> share groups live in memory only, changed in place here (not through records and
 * {@link GroupShard#replay}); after a coordinator failover members get UNKNOWN_MEMBER_ID and join again.
 * Kafka writes its {@code ShareGroup*} records to {@code __consumer_offsets}; making membership durable
 * belongs with the durable share-partition state (the next slice).
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
            return CoordinatorResult.response(doHeartbeat(clientId, clientHost, request, topicIds));
        } catch (org.apache.kafka.common.errors.ApiException e) {
            Errors error = Errors.forException(e);
            return CoordinatorResult.response(new ShareGroupHeartbeatResponseData().setErrorCode(error.code())
                    .setErrorMessage(e.getMessage()));
        }
    }

    private ShareGroupHeartbeatResponseData doHeartbeat(String clientId, String clientHost,
                                                        ShareGroupHeartbeatRequestData request,
                                                        TopicIdLookup topicIds) {
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
            removeMember(group, memberId, "left the group");
            return new ShareGroupHeartbeatResponseData().setMemberId(memberId).setMemberEpoch(ShareMember.LEAVE_EPOCH);
        }
        ShareMember member = group == null ? null : group.member(memberId);
        if (member == null && group != null && group.members().size() >= context.config().shareMaxSize()) {
            throw new GroupMaxSizeReachedException("The share group has reached its maximum size.");
        }
        if (epoch != ShareMember.JOIN_EPOCH) {
            if (member == null) {
                throw new UnknownMemberIdException("Member " + memberId + " is not a member of group " + groupId + ".");
            }
            if (epoch != member.memberEpoch()) {
                throw new FencedMemberEpochException("The share group member has epoch " + epoch
                        + " while the group coordinator knows " + member.memberEpoch() + ".");
            }
        }
        if (group == null) {
            group = new ShareGroup(groupId);
            store.putShareGroup(group);
        }
        SortedSet<String> subscribed = request.subscribedTopicNames() != null
                ? new TreeSet<>(request.subscribedTopicNames())
                : member != null ? member.subscribedTopics() : new TreeSet<>();
        String rackId = request.rackId() != null ? request.rackId() : member != null ? member.rackId() : null;
        Map<String, Set<Integer>> assigned = assignment(subscribed);
        boolean changed = member == null || !member.assigned().equals(assigned)
                || !member.subscribedTopics().equals(subscribed);
        int memberEpoch = changed ? group.bumpGroupEpoch() : member.memberEpoch();
        ShareMember next = new ShareMember(memberId, memberEpoch, clientId, clientHost, rackId, subscribed, assigned);
        group.putMember(next);
        assigned.forEach(group::addStatePartitions);
        scheduleSession(groupId, memberId);
        ShareGroupHeartbeatResponseData response = new ShareGroupHeartbeatResponseData().setMemberId(memberId)
                .setMemberEpoch(memberEpoch).setHeartbeatIntervalMs(context.shareHeartbeatIntervalMs(groupId));
        if (epoch == ShareMember.JOIN_EPOCH || request.subscribedTopicNames() != null || changed) {
            response.setAssignment(toWire(assigned, topicIds)); // a full request (topics named) gets it too
        }
        return response;
    }

    /** Every partition of the subscribed topics that exist now. */
    private Map<String, Set<Integer>> assignment(Set<String> subscribed) {
        Map<String, Integer> topics = context.topicPartitionCounts();
        Map<String, Set<Integer>> assigned = new TreeMap<>();
        for (String topic : subscribed) {
            Integer partitions = topics.get(topic);
            if (partitions != null && partitions > 0) {
                Set<Integer> all = new TreeSet<>();
                for (int p = 0; p < partitions; p++) {
                    all.add(p);
                }
                assigned.put(topic, all);
            }
        }
        return assigned;
    }

    private static ShareGroupHeartbeatResponseData.Assignment toWire(Map<String, Set<Integer>> assigned,
                                                                     TopicIdLookup topicIds) {
        ShareGroupHeartbeatResponseData.Assignment out = new ShareGroupHeartbeatResponseData.Assignment();
        assigned.forEach((topic, partitions) -> {
            Uuid id = topicIds.idOf(topic);
            if (!Uuid.ZERO_UUID.equals(id)) {
                out.topicPartitions().add(new ShareGroupHeartbeatResponseData.TopicPartitions().setTopicId(id)
                        .setPartitions(new ArrayList<>(partitions)));
            }
        });
        return out;
    }

    private void removeMember(ShareGroup group, String memberId, String reason) {
        if (group.removeMember(memberId) != null) {
            LOG.info("Removing member {} of share group {}: {}", memberId, group.groupId(), reason);
            group.bumpGroupEpoch();
        }
        context.timer().cancel(sessionKey(group.groupId(), memberId));
    }

    private void scheduleSession(String groupId, String memberId) {
        context.timer().schedule(sessionKey(groupId, memberId),
                context.nowMs() + context.shareSessionTimeoutMs(groupId), () -> {
                    ShareGroup group = store.shareGroup(groupId);
                    if (group != null) {
                        removeMember(group, memberId, "session timed out");
                    }
                    return List.of();
                });
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
                .setAssignmentEpoch(group.groupEpoch()).setAssignorName(ShareGroup.ASSIGNOR_NAME);
        for (ShareMember member : group.members()) {
            ShareGroupDescribeResponseData.Assignment assignment = new ShareGroupDescribeResponseData.Assignment();
            member.assigned().forEach((topic, partitions) -> assignment.topicPartitions().add(
                    new ShareGroupDescribeResponseData.TopicPartitions().setTopicId(topicIds.idOf(topic))
                            .setTopicName(topic).setPartitions(new ArrayList<>(partitions))));
            out.members().add(new ShareGroupDescribeResponseData.Member().setMemberId(member.memberId())
                    .setRackId(member.rackId()).setMemberEpoch(member.memberEpoch()).setClientId(member.clientId())
                    .setClientHost(member.clientHost())
                    .setSubscribedTopicNames(new ArrayList<>(member.subscribedTopics()))
                    .setAssignment(assignment));
        }
        return out;
    }
}
