package io.strand.coordinator.group.record;

import io.strand.coordinator.group.assignor.Assignments;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.common.Uuid;

/**
 * One record of {@code __consumer_offsets}: a key naming what it is about and a value, or no value
 * (a tombstone: the offset or group is gone). Encoded by {@link CoordinatorRecordSerde}. Immutable.
 * The share group records are in {@link ShareGroupRecords}.
 */
public record CoordinatorRecord(Key key, Value value) {

    public CoordinatorRecord {
        Objects.requireNonNull(key, "key");
        if (value != null && !key.valueType().isInstance(value)) {
            throw new IllegalArgumentException("Value " + value.getClass().getSimpleName()
                    + " does not go with key " + key.getClass().getSimpleName());
        }
    }

    public boolean isTombstone() {
        return value == null;
    }

    /** What a record is about; the key of compaction. */
    public sealed interface Key permits OffsetKey, GroupKey, ConsumerGroupMetadataKey, ConsumerMemberMetadataKey,
            TargetAssignmentMetadataKey, TargetAssignmentMemberKey, ConsumerMemberAssignmentKey,
            ShareGroupRecords.ShareKey {
        String groupId();

        /** The class of the values this key goes with. */
        Class<? extends Value> valueType();
    }

    /** A record's payload. */
    public sealed interface Value permits OffsetValue, GroupValue, ConsumerGroupMetadataValue,
            ConsumerMemberMetadataValue, TargetAssignmentMetadataValue, TargetAssignmentMemberValue,
            ConsumerMemberAssignmentValue, ShareGroupRecords.ShareValue {
    }

    /** The committed offset of one partition for one group. */
    public record OffsetKey(String groupId, String topic, int partition) implements Key {
        @Override
        public Class<? extends Value> valueType() {
            return OffsetValue.class;
        }
    }

    /** The classic group's metadata as of its last completed generation. */
    public record GroupKey(String groupId) implements Key {
        @Override
        public Class<? extends Value> valueType() {
            return GroupValue.class;
        }
    }

    /** A consumer-protocol group's epoch; its tombstone removes the group. */
    public record ConsumerGroupMetadataKey(String groupId) implements Key {
        @Override
        public Class<? extends Value> valueType() {
            return ConsumerGroupMetadataValue.class;
        }
    }

    /** What one member of a consumer-protocol group told the coordinator; its tombstone removes the member. */
    public record ConsumerMemberMetadataKey(String groupId, String memberId) implements Key {
        @Override
        public Class<? extends Value> valueType() {
            return ConsumerMemberMetadataValue.class;
        }
    }

    /** The epoch of a consumer-protocol group's target assignment. */
    public record TargetAssignmentMetadataKey(String groupId) implements Key {
        @Override
        public Class<? extends Value> valueType() {
            return TargetAssignmentMetadataValue.class;
        }
    }

    /** One member's share of the target assignment. */
    public record TargetAssignmentMemberKey(String groupId, String memberId) implements Key {
        @Override
        public Class<? extends Value> valueType() {
            return TargetAssignmentMemberValue.class;
        }
    }

    /** One member's current assignment and reconciliation state. */
    public record ConsumerMemberAssignmentKey(String groupId, String memberId) implements Key {
        @Override
        public Class<? extends Value> valueType() {
            return ConsumerMemberAssignmentValue.class;
        }
    }

    /**
     * @param groupEpoch                bumped by every change of members, subscriptions or subscribed topics
     * @param subscribedTopicPartitions partitions of each subscribed topic as of {@code groupEpoch}
     * @param subscribedTopicIds        the id of each subscribed topic as of {@code groupEpoch}, where known
     *                                  (records written before ids were kept have none): a topic whose id
     *                                  differs later was deleted, perhaps created again under its name
     * @param subscribedTopicRacks      a hash of the racks of each subscribed topic's replicas as of {@code
     *                                  groupEpoch}, for the topics whose replicas have any (the group
     *                                  package's {@code SubscribedTopicsHash.racksOf})
     */
    public record ConsumerGroupMetadataValue(int groupEpoch, Map<String, Integer> subscribedTopicPartitions,
                                             Map<String, Uuid> subscribedTopicIds,
                                             Map<String, Long> subscribedTopicRacks) implements Value {
        public ConsumerGroupMetadataValue {
            subscribedTopicPartitions = Map.copyOf(subscribedTopicPartitions);
            subscribedTopicIds = Map.copyOf(subscribedTopicIds);
            subscribedTopicRacks = Map.copyOf(subscribedTopicRacks);
        }

        /** A value without racks. */
        public ConsumerGroupMetadataValue(int groupEpoch, Map<String, Integer> subscribedTopicPartitions,
                                          Map<String, Uuid> subscribedTopicIds) {
            this(groupEpoch, subscribedTopicPartitions, subscribedTopicIds, Map.of());
        }

        /** A value without topic ids or racks. */
        public ConsumerGroupMetadataValue(int groupEpoch, Map<String, Integer> subscribedTopicPartitions) {
            this(groupEpoch, subscribedTopicPartitions, Map.of(), Map.of());
        }
    }

    /**
     * @param subscribedTopicNames sorted; empty if none
     * @param subscribedTopicRegex a Java regular expression, null if none
     * @param serverAssignor       the assignor the member asked for, null for the group's default
     */
    public record ConsumerMemberMetadataValue(String instanceId, String rackId, String clientId, String clientHost,
                                              List<String> subscribedTopicNames, String subscribedTopicRegex,
                                              String serverAssignor, int rebalanceTimeoutMs) implements Value {
        public ConsumerMemberMetadataValue {
            Objects.requireNonNull(clientId, "clientId");
            Objects.requireNonNull(clientHost, "clientHost");
            subscribedTopicNames = List.copyOf(subscribedTopicNames);
        }
    }

    /**
     * @param assignmentEpoch       the group epoch the target assignment was computed for
     * @param assignmentTimestampMs when it was computed (0: unknown, as in records written before it was kept)
     */
    public record TargetAssignmentMetadataValue(int assignmentEpoch, long assignmentTimestampMs) implements Value {
    }

    /** @param partitions the member's target partitions by topic name */
    public record TargetAssignmentMemberValue(Map<String, Set<Integer>> partitions) implements Value {
        public TargetAssignmentMemberValue {
            partitions = Assignments.copyOf(partitions);
        }
    }

    /**
     * @param memberEpoch         the member epoch (see the consumer group member in the group package)
     * @param previousMemberEpoch the epoch before the last change, accepted once more from a client
     *                            that missed the response
     * @param assigned            partitions the member owns (or is about to receive)
     * @param pendingRevocation   partitions the member must give up before moving on
     * @param assignmentEpochs    for partitions of both, the member epoch they were given to the member at
     *                            (KIP-1251); one not listed counts as given at the member epoch (not below 0)
     */
    public record ConsumerMemberAssignmentValue(int memberEpoch, int previousMemberEpoch, MemberState state,
                                                Map<String, Set<Integer>> assigned,
                                                Map<String, Set<Integer>> pendingRevocation,
                                                Map<String, Map<Integer, Integer>> assignmentEpochs) implements Value {
        public ConsumerMemberAssignmentValue {
            Objects.requireNonNull(state, "state");
            assigned = Assignments.copyOf(assigned);
            pendingRevocation = Assignments.copyOf(pendingRevocation);
            Map<String, Map<Integer, Integer>> epochs = new java.util.TreeMap<>();
            assignmentEpochs.forEach((topic, byPartition) -> {
                if (!byPartition.isEmpty()) {
                    epochs.put(topic, Collections.unmodifiableMap(new java.util.TreeMap<>(byPartition)));
                }
            });
            assignmentEpochs = Collections.unmodifiableMap(epochs);
        }

        /** Without assignment epochs: every partition counts as given at the member epoch. */
        public ConsumerMemberAssignmentValue(int memberEpoch, int previousMemberEpoch, MemberState state,
                                             Map<String, Set<Integer>> assigned,
                                             Map<String, Set<Integer>> pendingRevocation) {
            this(memberEpoch, previousMemberEpoch, state, assigned, pendingRevocation, Map.of());
        }

        /**
         * The member epoch a partition was given to the member at, if it is assigned or pending
         * revocation; else null.
         */
        public Integer assignmentEpochOf(String topic, int partition) {
            if (!Assignments.contains(assigned, topic, partition)
                    && !Assignments.contains(pendingRevocation, topic, partition)) {
                return null;
            }
            Integer epoch = assignmentEpochs.getOrDefault(topic, Map.of()).get(partition);
            return epoch != null ? epoch : Math.max(memberEpoch, 0);
        }

        /**
         * This value with each topic {@code renames} has a key for under the name it maps to (partitions,
         * state and epochs otherwise as they are); this very value if it holds none of them.
         */
        public ConsumerMemberAssignmentValue withTopicsRenamed(Map<String, String> renames) {
            if (renames.keySet().stream().noneMatch(t -> assigned.containsKey(t) || pendingRevocation.containsKey(t))) {
                return this;
            }
            return new ConsumerMemberAssignmentValue(memberEpoch, previousMemberEpoch, state,
                    renamed(assigned, renames), renamed(pendingRevocation, renames),
                    renamed(assignmentEpochs, renames));
        }

        private static <V> Map<String, V> renamed(Map<String, V> byTopic, Map<String, String> renames) {
            Map<String, V> out = new java.util.TreeMap<>();
            byTopic.forEach((topic, v) -> out.put(renames.getOrDefault(topic, topic), v));
            return out;
        }
    }

    /**
     * @param leaderEpoch       the leader epoch of the committed record, -1 if unknown
     * @param expireTimestampMs an explicit expiry from an old client's retention time, -1 if none
     */
    public record OffsetValue(long committedOffset, int leaderEpoch, String metadata, long commitTimestampMs,
                              long expireTimestampMs) implements Value {
        public OffsetValue {
            Objects.requireNonNull(metadata, "metadata");
        }
    }

    /**
     * @param protocolType     "consumer", "connect", … (empty for a group that only commits offsets)
     * @param protocolName     the selected protocol, null when the group is empty
     * @param leaderId         the leader's member id, null when the group is empty
     * @param stateTimestampMs when the group reached this state (starts offset retention when empty)
     */
    public record GroupValue(String protocolType, int generationId, String protocolName, String leaderId,
                             long stateTimestampMs, List<MemberValue> members) implements Value {
        public GroupValue {
            Objects.requireNonNull(protocolType, "protocolType");
            members = List.copyOf(members);
        }
    }

    /**
     * A member as of its group's last completed generation.
     *
     * @param subscription the member's metadata for the selected protocol (opaque)
     * @param assignment   what the leader assigned it (opaque)
     */
    public record MemberValue(String memberId, String groupInstanceId, String clientId, String clientHost,
                              int rebalanceTimeoutMs, int sessionTimeoutMs, byte[] subscription, byte[] assignment) {
        public MemberValue {
            Objects.requireNonNull(memberId, "memberId");
            Objects.requireNonNull(subscription, "subscription");
            Objects.requireNonNull(assignment, "assignment");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof MemberValue m && memberId.equals(m.memberId)
                    && Objects.equals(groupInstanceId, m.groupInstanceId) && clientId.equals(m.clientId)
                    && clientHost.equals(m.clientHost) && rebalanceTimeoutMs == m.rebalanceTimeoutMs
                    && sessionTimeoutMs == m.sessionTimeoutMs && Arrays.equals(subscription, m.subscription)
                    && Arrays.equals(assignment, m.assignment);
        }

        @Override
        public int hashCode() {
            return Objects.hash(memberId, groupInstanceId, Arrays.hashCode(subscription), Arrays.hashCode(assignment));
        }

        @Override
        public String toString() {
            return "MemberValue[memberId=" + memberId + ", groupInstanceId=" + groupInstanceId + ", clientId=" + clientId
                    + ", subscriptionBytes=" + subscription.length + ", assignmentBytes=" + assignment.length + "]";
        }
    }
}
