package io.strand.coordinator.group.record;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;

/**
 * The share group records of {@code __consumer_offsets} (KIP-932), Kafka's key types 10–15 with Kafka's
 * fields; their bytes are Kafka's ({@link ShareRecordsSerde}). One writer per piece of state, as in Kafka:
 *
 * <pre>
 * | type | key                        | value                                          | tombstone removes  |
 * |------|----------------------------|------------------------------------------------|--------------------|
 * | 10   | MemberMetadataKey g, m     | rack, client id and host, subscribed topics    | the member         |
 * | 11   | GroupMetadataKey g         | group epoch, metadata hash                     | the group          |
 * | 12   | TargetAssignmentMetadataKey| assignment epoch, assignment time              | the epoch (0)      |
 * | 13   | TargetAssignmentMemberKey  | the member's target partitions by topic id     | the member's target|
 * | 14   | MemberAssignmentKey g, m   | member epoch, previous epoch, state, partitions| the assignment     |
 * | 15   | StatePartitionMetadataKey g| initializing, initialized and deleting topics  | every state topic  |
 * </pre>
 *
 * Partitions are named by topic id, as Kafka stores them. Immutable.
 */
public final class ShareGroupRecords {

    private ShareGroupRecords() {
    }

    /** The key of a share group record. */
    public sealed interface ShareKey extends CoordinatorRecord.Key permits GroupMetadataKey, MemberMetadataKey,
            TargetAssignmentMetadataKey, TargetAssignmentMemberKey, MemberAssignmentKey, StatePartitionMetadataKey {
    }

    /** The value of a share group record. */
    public sealed interface ShareValue extends CoordinatorRecord.Value permits GroupMetadataValue, MemberMetadataValue,
            TargetAssignmentMetadataValue, TargetAssignmentMemberValue, MemberAssignmentValue,
            StatePartitionMetadataValue {
    }

    /** A share group's epoch; its tombstone removes the group. */
    public record GroupMetadataKey(String groupId) implements ShareKey {
        @Override
        public Class<? extends CoordinatorRecord.Value> valueType() {
            return GroupMetadataValue.class;
        }
    }

    /** What one member told the coordinator; its tombstone removes the member. */
    public record MemberMetadataKey(String groupId, String memberId) implements ShareKey {
        @Override
        public Class<? extends CoordinatorRecord.Value> valueType() {
            return MemberMetadataValue.class;
        }
    }

    /** The epoch of the group's target assignment. */
    public record TargetAssignmentMetadataKey(String groupId) implements ShareKey {
        @Override
        public Class<? extends CoordinatorRecord.Value> valueType() {
            return TargetAssignmentMetadataValue.class;
        }
    }

    /** One member's part of the target assignment. */
    public record TargetAssignmentMemberKey(String groupId, String memberId) implements ShareKey {
        @Override
        public Class<? extends CoordinatorRecord.Value> valueType() {
            return TargetAssignmentMemberValue.class;
        }
    }

    /** One member's current assignment and epoch. */
    public record MemberAssignmentKey(String groupId, String memberId) implements ShareKey {
        @Override
        public Class<? extends CoordinatorRecord.Value> valueType() {
            return MemberAssignmentValue.class;
        }
    }

    /** The share-partitions of the group whose durable state is being initialized, is initialized, or is being deleted. */
    public record StatePartitionMetadataKey(String groupId) implements ShareKey {
        @Override
        public Class<? extends CoordinatorRecord.Value> valueType() {
            return StatePartitionMetadataValue.class;
        }
    }

    /**
     * @param groupEpoch   bumped by every change of membership or assignment
     * @param metadataHash Kafka's hash of the subscribed topics' metadata (0: not computed)
     */
    public record GroupMetadataValue(int groupEpoch, long metadataHash) implements ShareValue {
    }

    /** @param rackId null if the client gave none */
    public record MemberMetadataValue(String rackId, String clientId, String clientHost,
                                      List<String> subscribedTopicNames) implements ShareValue {
        public MemberMetadataValue {
            Objects.requireNonNull(clientId, "clientId");
            Objects.requireNonNull(clientHost, "clientHost");
            subscribedTopicNames = List.copyOf(subscribedTopicNames);
        }
    }

    /** @param assignmentTimestampMs when the assignment was computed (Kafka's tagged field; 0 if unknown) */
    public record TargetAssignmentMetadataValue(int assignmentEpoch, long assignmentTimestampMs)
            implements ShareValue {
    }

    /** @param partitions topic id → partitions */
    public record TargetAssignmentMemberValue(Map<Uuid, SortedSet<Integer>> partitions)
            implements ShareValue {
        public TargetAssignmentMemberValue {
            partitions = copyOf(partitions);
        }
    }

    /**
     * @param previousMemberEpoch the epoch before the last change
     * @param state               Kafka's member state; a share member is always STABLE
     * @param assigned            topic id → partitions
     */
    public record MemberAssignmentValue(int memberEpoch, int previousMemberEpoch, MemberState state,
                                        Map<Uuid, SortedSet<Integer>> assigned) implements ShareValue {
        public MemberAssignmentValue {
            Objects.requireNonNull(state, "state");
            assigned = copyOf(assigned);
        }
    }

    /** A topic's share-partitions in {@link StatePartitionMetadataValue}: its name and partitions. */
    public record TopicPartitions(String topicName, SortedSet<Integer> partitions) {
        public TopicPartitions {
            Objects.requireNonNull(topicName, "topicName");
            partitions = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(partitions));
        }
    }

    /**
     * @param initializing topic id → share-partitions whose state is being initialized
     * @param initialized  topic id → share-partitions whose state is initialized
     * @param deleting     topic id → name of the topics whose state is being deleted
     */
    public record StatePartitionMetadataValue(Map<Uuid, TopicPartitions> initializing,
                                              Map<Uuid, TopicPartitions> initialized, Map<Uuid, String> deleting)
            implements ShareValue {
        public StatePartitionMetadataValue {
            initializing = java.util.Collections.unmodifiableMap(new TreeMap<>(initializing));
            initialized = java.util.Collections.unmodifiableMap(new TreeMap<>(initialized));
            deleting = java.util.Collections.unmodifiableMap(new TreeMap<>(deleting));
        }

        public static final StatePartitionMetadataValue EMPTY =
                new StatePartitionMetadataValue(Map.of(), Map.of(), Map.of());
    }

    /** A sorted, unmodifiable copy of an assignment by topic id. */
    public static Map<Uuid, SortedSet<Integer>> copyOf(Map<Uuid, ? extends Set<Integer>> partitions) {
        TreeMap<Uuid, SortedSet<Integer>> copy = new TreeMap<>();
        partitions.forEach((topicId, set) -> {
            if (!set.isEmpty()) {
                copy.put(topicId, java.util.Collections.unmodifiableSortedSet(new TreeSet<>(set)));
            }
        });
        return java.util.Collections.unmodifiableMap(copy);
    }
}
