package io.strand.coordinator.group;

import io.strand.coordinator.group.record.ShareGroupRecords.StatePartitionMetadataValue;
import io.strand.coordinator.group.record.ShareGroupRecords.TopicPartitions;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;

/**
 * The next {@code ShareGroupStatePartitionMetadata} value of a share group, computed from the current one
 * (pure functions; the shard writes the result as a record when it differs). Topics are keyed by id, as
 * Kafka keys them; the record carries each topic's name too.
 */
final class ShareStatePartitionsUpdate {

    private ShareStatePartitionsUpdate() {
    }

    /**
     * {@code value} with {@code partitions} (topic id → partitions, named by {@code idsByName}) among the
     * initialized ones; a topic that becomes a state topic again is no longer being deleted, as in Kafka.
     */
    static StatePartitionMetadataValue withInitialized(StatePartitionMetadataValue value,
                                                       Map<Uuid, SortedSet<Integer>> partitions,
                                                       Map<String, Uuid> idsByName) {
        Map<Uuid, String> names = new TreeMap<>();
        idsByName.forEach((name, id) -> names.put(id, name));
        Map<Uuid, TopicPartitions> initialized = new TreeMap<>(value.initialized());
        Map<Uuid, String> deleting = new TreeMap<>(value.deleting());
        partitions.forEach((topicId, added) -> {
            String name = names.get(topicId);
            if (name == null || added.isEmpty()) {
                return;
            }
            TopicPartitions current = initialized.get(topicId);
            SortedSet<Integer> all = new TreeSet<>(added);
            if (current != null) {
                all.addAll(current.partitions());
            }
            initialized.put(topicId, new TopicPartitions(name, all));
            deleting.remove(topicId);
        });
        return new StatePartitionMetadataValue(value.initializing(), initialized, deleting);
    }

    /**
     * {@code value} with {@code partitions} (topic id → partitions, named by {@code idsByName}) among those being
     * initialized; a topic being initialized is no longer being deleted.
     */
    static StatePartitionMetadataValue withInitializing(StatePartitionMetadataValue value,
                                                        Map<Uuid, SortedSet<Integer>> partitions,
                                                        Map<String, Uuid> idsByName) {
        Map<Uuid, String> names = new TreeMap<>();
        idsByName.forEach((name, id) -> names.put(id, name));
        Map<Uuid, TopicPartitions> initializing = new TreeMap<>(value.initializing());
        Map<Uuid, String> deleting = new TreeMap<>(value.deleting());
        partitions.forEach((topicId, added) -> {
            String name = names.get(topicId);
            if (name == null || added.isEmpty()) {
                return;
            }
            TopicPartitions current = initializing.get(topicId);
            SortedSet<Integer> all = new TreeSet<>(added);
            if (current != null) {
                all.addAll(current.partitions());
            }
            initializing.put(topicId, new TopicPartitions(name, all));
            deleting.remove(topicId);
        });
        return new StatePartitionMetadataValue(initializing, value.initialized(), deleting);
    }

    /**
     * {@code value} with {@code partitions} no longer being initialized: among the initialized ones if
     * {@code initialized}, else (their initialization failed) forgotten.
     */
    static StatePartitionMetadataValue afterInitializing(StatePartitionMetadataValue value,
                                                         Map<Uuid, SortedSet<Integer>> partitions,
                                                         Map<Uuid, String> names, boolean initialized) {
        Map<Uuid, TopicPartitions> initializing = new TreeMap<>(value.initializing());
        partitions.forEach((topicId, done) -> {
            TopicPartitions current = initializing.get(topicId);
            if (current != null) {
                SortedSet<Integer> rest = new TreeSet<>(current.partitions());
                rest.removeAll(done);
                if (rest.isEmpty()) {
                    initializing.remove(topicId);
                } else {
                    initializing.put(topicId, new TopicPartitions(current.topicName(), rest));
                }
            }
        });
        StatePartitionMetadataValue without = new StatePartitionMetadataValue(initializing, value.initialized(),
                value.deleting());
        if (!initialized) {
            return without;
        }
        Map<String, Uuid> idsByName = new TreeMap<>();
        names.forEach((id, name) -> idsByName.put(name, id));
        return withInitialized(without, partitions, idsByName);
    }

    /** {@code value} without the topics named {@code topicNames} (their state was deleted). */
    static StatePartitionMetadataValue withoutTopics(StatePartitionMetadataValue value,
                                                     Collection<String> topicNames) {
        Map<Uuid, TopicPartitions> initializing = new TreeMap<>(value.initializing());
        Map<Uuid, TopicPartitions> initialized = new TreeMap<>(value.initialized());
        initializing.values().removeIf(t -> topicNames.contains(t.topicName()));
        initialized.values().removeIf(t -> topicNames.contains(t.topicName()));
        return new StatePartitionMetadataValue(initializing, initialized, value.deleting());
    }

    /** {@code value} without the topics of {@code topicIds} in any of its parts (the topics were deleted). */
    static StatePartitionMetadataValue withoutTopicIds(StatePartitionMetadataValue value, Set<Uuid> topicIds) {
        Map<Uuid, TopicPartitions> initializing = new TreeMap<>(value.initializing());
        Map<Uuid, TopicPartitions> initialized = new TreeMap<>(value.initialized());
        Map<Uuid, String> deleting = new TreeMap<>(value.deleting());
        initializing.keySet().removeAll(topicIds);
        initialized.keySet().removeAll(topicIds);
        deleting.keySet().removeAll(topicIds);
        return new StatePartitionMetadataValue(initializing, initialized, deleting);
    }
}
