package io.strand.coordinator.group;

import io.strand.coordinator.group.record.CoordinatorRecord;
import io.strand.coordinator.group.record.ShareGroupRecords;
import io.strand.coordinator.group.record.ShareGroupRecords.StatePartitionMetadataValue;
import io.strand.coordinator.group.share.ShareGroup;
import io.strand.coordinator.runtime.CoordinatorResult;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;

/**
 * The group side of the share group offsets administration (KIP-932): which share-partitions of a group
 * may have durable state, and whether the group may have its state changed now. The state itself is the
 * share coordinator's; the broker reads, initializes and deletes it through its persister between these
 * steps, as Kafka's group coordinator does.
 *
 * <ul>
 *   <li>{@link #statePartitions}: DescribeShareGroupOffsets without topics reads these; an unknown group, or
 *       a group of another type, has none (Kafka answers no topics and no error).</li>
 *   <li>{@link #prepareAlter}: AlterShareGroupOffsets creates the share group if there is none and it names
 *       a topic the cluster has (as Kafka's, which records the group only then), and needs it empty:
 *       GROUP_ID_NOT_FOUND for a group of another type, NON_EMPTY_GROUP with members; the partitions
 *       altered become state partitions.</li>
 *   <li>{@link #prepareDelete}: DeleteShareGroupOffsets and DeleteGroups need an empty share group:
 *       GROUP_ID_NOT_FOUND if there is none, NON_EMPTY_GROUP with members.</li>
 *   <li>{@link #forget}: the topics whose state was deleted stop being state partitions.</li>
 *   <li>{@link #topicsDeleted}: deleted topics stop being any share group's state partitions, as Kafka's
 *       coordinator drops them when the cluster deletes them (and so from what a heartbeat may assign).</li>
 * </ul>
 *
 * <p>Compute, then apply: a new group is a {@code ShareGroupMetadata} record (epoch 1, where Kafka's groups
 * start; its assignment epoch is 1 too, with no record), changed state
 * partitions a {@code ShareGroupStatePartitionMetadata} record, both applied by {@link GroupShard#replay}.
 * Not thread-safe: runs on the shard's thread.
 */
final class ShareOffsetsOp {

    private final GroupStore store;

    ShareOffsetsOp(GroupStore store) {
        this.store = store;
    }

    CoordinatorResult<ShareStatePartitions, CoordinatorRecord> statePartitions(String groupId) {
        ShareGroup group = store.shareGroup(groupId);
        return CoordinatorResult.response(ShareStatePartitions.of(group == null ? Map.of() : group.statePartitions()));
    }

    CoordinatorResult<ShareStatePartitions, CoordinatorRecord> prepareAlter(String groupId,
                                                                         Map<String, Set<Integer>> partitions,
                                                                         TopicIdLookup topicIds) {
        ShareGroup group = store.shareGroup(groupId);
        if (group == null && store.hasOtherGroup(groupId)) {
            return CoordinatorResult.response(ShareStatePartitions.error(Errors.GROUP_ID_NOT_FOUND,
                    "Group " + groupId + " is not a share group."));
        }
        if (group != null && !group.isEmpty()) {
            return CoordinatorResult.response(ShareStatePartitions.error(Errors.NON_EMPTY_GROUP, null));
        }
        if (group == null && partitions.isEmpty()) {
            return CoordinatorResult.response(ShareStatePartitions.of(Map.of())); // nothing to record: no group
        }
        List<CoordinatorRecord> records = new ArrayList<>();
        StatePartitionMetadataValue state = StatePartitionMetadataValue.EMPTY;
        if (group == null) {
            records.add(new CoordinatorRecord(new ShareGroupRecords.GroupMetadataKey(groupId),
                    new ShareGroupRecords.GroupMetadataValue(ShareGroup.INITIAL_EPOCH, ShareHeartbeatOp.NO_METADATA_HASH)));
        } else {
            state = group.statePartitionMetadata();
        }
        Map<Uuid, SortedSet<Integer>> byId = new TreeMap<>();
        Map<String, Uuid> idsByName = new TreeMap<>();
        partitions.forEach((topic, set) -> {
            Uuid id = topicIds.idOf(topic);
            if (!Uuid.ZERO_UUID.equals(id)) {
                byId.put(id, new TreeSet<>(set));
                idsByName.put(topic, id);
            }
        });
        StatePartitionMetadataValue next = ShareStatePartitionsUpdate.withInitialized(state, byId, idsByName);
        if (!next.equals(state)) {
            records.add(new CoordinatorRecord(new ShareGroupRecords.StatePartitionMetadataKey(groupId), next));
        }
        return CoordinatorResult.of(records, ShareStatePartitions.of(ShareGroup.statePartitionsOf(next)));
    }

    CoordinatorResult<ShareStatePartitions, CoordinatorRecord> prepareDelete(String groupId) {
        ShareGroup group = store.shareGroup(groupId);
        if (group == null) {
            return CoordinatorResult.response(ShareStatePartitions.error(Errors.GROUP_ID_NOT_FOUND,
                    store.hasOtherGroup(groupId) ? "Group " + groupId + " is not a share group."
                            : "Group " + groupId + " not found."));
        }
        if (!group.isEmpty()) {
            return CoordinatorResult.response(ShareStatePartitions.error(Errors.NON_EMPTY_GROUP, null));
        }
        return CoordinatorResult.response(ShareStatePartitions.of(group.statePartitions()));
    }

    CoordinatorResult<Void, CoordinatorRecord> forget(String groupId, Collection<String> topics) {
        ShareGroup group = store.shareGroup(groupId);
        if (group == null) {
            return CoordinatorResult.response(null);
        }
        StatePartitionMetadataValue state = group.statePartitionMetadata();
        StatePartitionMetadataValue next = ShareStatePartitionsUpdate.withoutTopics(state, Set.copyOf(topics));
        if (next.equals(state)) {
            return CoordinatorResult.response(null);
        }
        return CoordinatorResult.of(
                List.of(new CoordinatorRecord(new ShareGroupRecords.StatePartitionMetadataKey(groupId), next)), null);
    }

    /** Every share group of the shard without the deleted topics {@code topicIds} among its state partitions. */
    CoordinatorResult<Void, CoordinatorRecord> topicsDeleted(Set<Uuid> topicIds) {
        List<CoordinatorRecord> records = new ArrayList<>();
        for (ShareGroup group : store.shareGroups()) {
            StatePartitionMetadataValue state = group.statePartitionMetadata();
            StatePartitionMetadataValue next = ShareStatePartitionsUpdate.withoutTopicIds(state, topicIds);
            if (!next.equals(state)) {
                records.add(new CoordinatorRecord(new ShareGroupRecords.StatePartitionMetadataKey(group.groupId()), next));
            }
        }
        return CoordinatorResult.of(records, null);
    }
}
