package io.strand.coordinator.group;

import io.strand.coordinator.group.classic.ClassicGroup;
import io.strand.coordinator.group.classic.ClassicMember;
import io.strand.coordinator.group.classic.GroupState;
import io.strand.coordinator.group.consumer.ConsumerGroup;
import io.strand.coordinator.group.consumer.ConsumerMember;
import io.strand.coordinator.group.share.ShareGroup;
import io.strand.coordinator.group.record.CoordinatorRecord.GroupKey;
import io.strand.coordinator.group.record.CoordinatorRecord.OffsetKey;
import io.strand.coordinator.group.record.CoordinatorRecord;
import io.strand.coordinator.group.record.FormerTopics;
import io.strand.coordinator.group.record.ShareGroupRecords;
import io.strand.coordinator.runtime.CoordinatorResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroupMember;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.protocol.Errors;

/**
 * ListGroups, DescribeGroups and DeleteGroups on one shard.
 *
 * <p>Not thread-safe: runs on the shard's thread.
 */
final class GroupAdminOps {

    /** The group type ListGroups v5 reports for classic groups. */
    static final String CLASSIC_GROUP_TYPE = "classic";
    /** The group type (and protocol type) of consumer-protocol groups. */
    static final String CONSUMER_GROUP_TYPE = "consumer";
    /** The group type (and protocol type) of share groups. */
    static final String SHARE_GROUP_TYPE = "share";

    private final GroupStore store;
    private final ConsumerAssignmentPlanner planner;

    GroupAdminOps(GroupStore store, ConsumerAssignmentPlanner planner) {
        this.store = store;
        this.planner = planner;
    }

    /**
     * @param states lower-cased state names to keep, empty for all
     * @param types  lower-cased group types to keep, empty for all
     */
    List<ListedGroup> list(Set<String> states, Set<String> types) {
        List<ListedGroup> listed = new ArrayList<>();
        for (ClassicGroup group : store.groups()) {
            if (group.isInState(GroupState.DEAD)) {
                continue;
            }
            String state = group.state().wireName();
            if (!states.isEmpty() && !states.contains(state.toLowerCase(java.util.Locale.ROOT))) {
                continue;
            }
            if (!types.isEmpty() && !types.contains(CLASSIC_GROUP_TYPE)) {
                continue;
            }
            listed.add(new ListedGroup().setGroupId(group.groupId()).setProtocolType(group.protocolType())
                    .setGroupState(state).setGroupType(CLASSIC_GROUP_TYPE));
        }
        for (ConsumerGroup group : store.consumerGroups()) {
            String state = group.state().wireName();
            if ((!states.isEmpty() && !states.contains(state.toLowerCase(java.util.Locale.ROOT)))
                    || (!types.isEmpty() && !types.contains(CONSUMER_GROUP_TYPE))) {
                continue;
            }
            listed.add(new ListedGroup().setGroupId(group.groupId()).setProtocolType(CONSUMER_GROUP_TYPE)
                    .setGroupState(state).setGroupType(CONSUMER_GROUP_TYPE));
        }
        for (ShareGroup group : store.shareGroups()) {
            String state = group.state().wireName();
            if ((!states.isEmpty() && !states.contains(state.toLowerCase(java.util.Locale.ROOT)))
                    || (!types.isEmpty() && !types.contains(SHARE_GROUP_TYPE))) {
                continue;
            }
            listed.add(new ListedGroup().setGroupId(group.groupId()).setProtocolType(SHARE_GROUP_TYPE)
                    .setGroupState(state).setGroupType(SHARE_GROUP_TYPE));
        }
        return listed;
    }

    /**
     * A group as DescribeGroups shows it: member metadata and assignments and the protocol only when
     * STABLE; an unknown group as "Dead" (with GROUP_ID_NOT_FOUND from v6 on); a consumer-protocol or
     * share group as "Dead", as Kafka answers it (from v6 GROUP_ID_NOT_FOUND: not a classic group).
     */
    DescribedGroup describe(String groupId, short version) {
        if (store.shareGroup(groupId) != null || store.consumerGroup(groupId) != null) {
            // As Kafka: DescribeGroups describes classic groups only (clients ask ConsumerGroupDescribe).
            DescribedGroup dead = new DescribedGroup().setGroupId(groupId).setGroupState(GroupState.DEAD.wireName())
                    .setProtocolType("").setProtocolData("");
            if (version >= 6) {
                dead.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code())
                        .setErrorMessage("Group " + groupId + " is not a classic group.");
            }
            return dead;
        }
        ClassicGroup group = store.group(groupId);
        if (group == null || group.isInState(GroupState.DEAD)) {
            DescribedGroup dead = new DescribedGroup().setGroupId(groupId).setGroupState(GroupState.DEAD.wireName())
                    .setProtocolType("").setProtocolData("");
            if (version >= 6) {
                dead.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code())
                        .setErrorMessage("Group " + groupId + " not found.");
            }
            return dead;
        }
        boolean stable = group.isInState(GroupState.STABLE);
        DescribedGroup described = new DescribedGroup().setGroupId(groupId).setGroupState(group.state().wireName())
                .setProtocolType(group.protocolType())
                .setProtocolData(stable && group.protocolName() != null ? group.protocolName() : "");
        for (ClassicMember member : group.members()) {
            described.members().add(new DescribedGroupMember().setMemberId(member.memberId())
                    .setGroupInstanceId(member.groupInstanceId()).setClientId(member.clientId())
                    .setClientHost(member.clientHost())
                    .setMemberMetadata(stable ? member.metadata(group.protocolName()) : new byte[0])
                    .setMemberAssignment(stable ? member.assignment() : new byte[0]));
        }
        return described;
    }

    /**
     * The partitions of the group with a committed offset or one an open transaction commits: a
     * deleted group's tombstones drop both, so a later commit marker brings no offset back.
     */
    private java.util.Set<TopicPartition> offsetPartitions(String groupId) {
        java.util.Set<TopicPartition> partitions = new java.util.LinkedHashSet<>(store.offsets(groupId).keySet());
        partitions.addAll(store.pendingTxnOffsets().pendingPartitions(groupId));
        return partitions;
    }

    /** Deletes an empty group and its offsets; GROUP_ID_NOT_FOUND or NON_EMPTY_GROUP otherwise. */
    CoordinatorResult<Errors, CoordinatorRecord> delete(String groupId) {
        ShareGroup shareGroup = store.shareGroup(groupId);
        if (shareGroup != null) {
            if (!shareGroup.isEmpty()) {
                return CoordinatorResult.response(Errors.NON_EMPTY_GROUP);
            }
            return CoordinatorResult.of(shareGroupTombstones(shareGroup), Errors.NONE);
        }
        ConsumerGroup consumerGroup = store.consumerGroup(groupId);
        if (consumerGroup != null) {
            if (!consumerGroup.isEmpty()) {
                return CoordinatorResult.response(Errors.NON_EMPTY_GROUP);
            }
            List<CoordinatorRecord> tombstones = new ArrayList<>();
            for (TopicPartition tp : offsetPartitions(groupId)) {
                tombstones.add(new CoordinatorRecord(new OffsetKey(groupId, tp.topic(), tp.partition()), null));
            }
            tombstones.addAll(consumerGroupTombstones(consumerGroup));
            return CoordinatorResult.of(tombstones, Errors.NONE);
        }
        ClassicGroup group = store.group(groupId);
        if (group == null || group.isInState(GroupState.DEAD)) {
            return CoordinatorResult.response(Errors.GROUP_ID_NOT_FOUND);
        }
        if (!group.isInState(GroupState.EMPTY)) {
            return CoordinatorResult.response(Errors.NON_EMPTY_GROUP);
        }
        List<CoordinatorRecord> tombstones = new ArrayList<>();
        for (TopicPartition tp : offsetPartitions(groupId)) {
            tombstones.add(new CoordinatorRecord(new OffsetKey(groupId, tp.topic(), tp.partition()), null));
        }
        tombstones.add(new CoordinatorRecord(new GroupKey(groupId), null));
        return CoordinatorResult.of(tombstones, Errors.NONE);
    }

    /**
     * The tombstones that remove an empty share group, in Kafka's order: members' targets left over, the
     * target assignment's epoch, the state partitions, and last the group itself (its state in
     * {@code __share_group_state} is deleted before, by the broker).
     */
    static List<CoordinatorRecord> shareGroupTombstones(ShareGroup group) {
        String groupId = group.groupId();
        List<CoordinatorRecord> tombstones = new ArrayList<>();
        for (String memberId : group.targetAssignment().keySet()) {
            tombstones.add(new CoordinatorRecord(new ShareGroupRecords.TargetAssignmentMemberKey(groupId, memberId),
                    null));
        }
        tombstones.add(new CoordinatorRecord(new ShareGroupRecords.TargetAssignmentMetadataKey(groupId), null));
        tombstones.add(new CoordinatorRecord(new ShareGroupRecords.StatePartitionMetadataKey(groupId), null));
        tombstones.add(new CoordinatorRecord(new ShareGroupRecords.GroupMetadataKey(groupId), null));
        return tombstones;
    }

    /** The tombstones that remove an empty consumer-protocol group (its offsets aside). */
    static List<CoordinatorRecord> consumerGroupTombstones(ConsumerGroup group) {
        List<CoordinatorRecord> tombstones = new ArrayList<>();
        for (String memberId : group.targetAssignment().keySet()) {
            tombstones.add(new CoordinatorRecord(new CoordinatorRecord.TargetAssignmentMemberKey(group.groupId(),
                    memberId), null));
        }
        tombstones.add(new CoordinatorRecord(new CoordinatorRecord.TargetAssignmentMetadataKey(group.groupId()), null));
        tombstones.add(new CoordinatorRecord(new CoordinatorRecord.ConsumerGroupMetadataKey(group.groupId()), null));
        return tombstones;
    }

    /**
     * ConsumerGroupDescribe of one group: GROUP_ID_NOT_FOUND unless it is a consumer-protocol group. A
     * member without a regex subscription is described with an empty one, as Kafka stores it; a member's
     * assignment includes the partitions it has yet to revoke, as Kafka's does.
     */
    ConsumerGroupDescribeResponseData.DescribedGroup describeConsumerGroup(String groupId, TopicIdLookup topicIds) {
        ConsumerGroup group = store.consumerGroup(groupId);
        ConsumerGroupDescribeResponseData.DescribedGroup out =
                new ConsumerGroupDescribeResponseData.DescribedGroup().setGroupId(groupId);
        if (group == null) {
            boolean classic = store.group(groupId) != null || store.shareGroup(groupId) != null;
            // No state, as Kafka answers: the group is not found, not dead.
            return out.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code())
                    .setErrorMessage(classic ? "Group " + groupId + " is not a consumer group."
                            : "Group " + groupId + " not found.");
        }
        out.setGroupState(group.state().wireName()).setGroupEpoch(group.groupEpoch())
                .setAssignmentEpoch(group.assignmentEpoch())
                .setAssignorName(planner.assignor(group.members()).name());
        for (ConsumerMember member : group.members()) {
            CoordinatorRecord.ConsumerMemberMetadataValue m = member.metadata();
            out.members().add(new ConsumerGroupDescribeResponseData.Member().setMemberId(member.memberId())
                    .setInstanceId(m.instanceId()).setRackId(m.rackId()).setMemberEpoch(member.memberEpoch())
                    .setClientId(m.clientId()).setClientHost(m.clientHost())
                    // Kafka keeps them in a HashSet and lists them in its order.
                    .setSubscribedTopicNames(new ArrayList<>(new java.util.HashSet<>(m.subscribedTopicNames())))
                    .setSubscribedTopicRegex(m.subscribedTopicRegex() == null ? "" : m.subscribedTopicRegex())
                    .setAssignment(describeAssignment(owned(member), topicIds))
                    .setTargetAssignment(describeAssignment(group.targetOf(member.memberId()), topicIds))
                    .setMemberType((byte) 1));
        }
        return out;
    }

    /**
     * What a member holds, as Kafka describes it: its assigned partitions and, after them, those it has
     * still to revoke.
     */
    private static java.util.Map<String, java.util.List<Integer>> owned(ConsumerMember member) {
        java.util.Map<String, java.util.List<Integer>> out = new java.util.TreeMap<>();
        member.assigned().forEach((topic, set) -> out.computeIfAbsent(topic, t -> new ArrayList<>()).addAll(set));
        member.pendingRevocation().forEach((topic, set) ->
                out.computeIfAbsent(topic, t -> new ArrayList<>()).addAll(set));
        return out;
    }

    private static ConsumerGroupDescribeResponseData.Assignment describeAssignment(
            java.util.Map<String, ? extends java.util.Collection<Integer>> partitions, TopicIdLookup topicIds) {
        ConsumerGroupDescribeResponseData.Assignment out = new ConsumerGroupDescribeResponseData.Assignment();
        partitions.forEach((topic, set) -> {
            if (!FormerTopics.isFormer(topic)) { // as Kafka describes only topics there are
                out.topicPartitions().add(new ConsumerGroupDescribeResponseData.TopicPartitions()
                        .setTopicName(topic).setTopicId(topicIds.idOf(topic)).setPartitions(new ArrayList<>(set)));
            }
        });
        return out;
    }
}
