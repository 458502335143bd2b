package io.strand.coordinator.group;

import io.strand.coordinator.group.CoordinatorRecord.GroupKey;
import io.strand.coordinator.group.CoordinatorRecord.OffsetKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
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

    private final GroupShard shard;

    GroupAdminOps(GroupShard shard) {
        this.shard = shard;
    }

    /**
     * @param states lower-cased state names to keep, empty for all
     * @param types  lower-cased group types to keep, empty for all
     */
    List<ListedGroup> list(Set<String> states, Set<String> types) {
        List<ListedGroup> listed = new ArrayList<>();
        for (ClassicGroup group : shard.groups()) {
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
        return listed;
    }

    /**
     * A group as DescribeGroups shows it: member metadata and assignments and the protocol only when
     * STABLE; an unknown group as "Dead" (with GROUP_ID_NOT_FOUND from v6 on).
     */
    DescribedGroup describe(String groupId, short version) {
        ClassicGroup group = shard.group(groupId);
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

    /** Deletes an empty group and its offsets; GROUP_ID_NOT_FOUND or NON_EMPTY_GROUP otherwise. */
    Errors delete(String groupId) {
        ClassicGroup group = shard.group(groupId);
        if (group == null || group.isInState(GroupState.DEAD)) {
            return Errors.GROUP_ID_NOT_FOUND;
        }
        if (!group.isInState(GroupState.EMPTY)) {
            return Errors.NON_EMPTY_GROUP;
        }
        List<CoordinatorRecord> tombstones = new ArrayList<>();
        for (TopicPartition tp : shard.offsets(groupId).keySet()) {
            tombstones.add(new CoordinatorRecord(new OffsetKey(groupId, tp.topic(), tp.partition()), null));
        }
        tombstones.add(new CoordinatorRecord(new GroupKey(groupId), null));
        try {
            shard.write(tombstones);
        } catch (RuntimeException e) {
            return GroupShard.appendError(e);
        }
        return Errors.NONE;
    }
}
