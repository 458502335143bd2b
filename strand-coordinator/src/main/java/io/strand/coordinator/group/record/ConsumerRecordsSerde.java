package io.strand.coordinator.group.record;

import io.strand.coordinator.group.record.CoordinatorRecord.ConsumerGroupMetadataValue;
import io.strand.coordinator.group.record.CoordinatorRecord.ConsumerMemberAssignmentValue;
import io.strand.coordinator.group.record.CoordinatorRecord.ConsumerMemberMetadataValue;
import io.strand.coordinator.group.record.CoordinatorRecord.TargetAssignmentMemberValue;
import io.strand.coordinator.group.record.CoordinatorRecord.TargetAssignmentMetadataValue;
import io.strand.coordinator.group.record.CoordinatorRecordSerde.Writer;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The values of consumer-protocol group records (key types 3, 5, 6, 7, 8); the layouts are drawn in
 * {@link CoordinatorRecordSerde}, which writes the keys and the leading value version. Stateless.
 */
final class ConsumerRecordsSerde {

    /** Guards allocations against a corrupt count. */
    private static final int MAX_COUNT = 1 << 20;

    private ConsumerRecordsSerde() {
    }

    static void writeValue(Writer w, CoordinatorRecord.Value value) {
        if (value instanceof ConsumerGroupMetadataValue v) {
            w.int32(v.groupEpoch()).int32(v.subscribedTopicPartitions().size());
            new TreeMap<>(v.subscribedTopicPartitions()).forEach((topic, count) -> w.string(topic).int32(count));
        } else if (value instanceof ConsumerMemberMetadataValue v) {
            w.string(v.instanceId()).string(v.rackId()).string(v.clientId()).string(v.clientHost())
                    .int32(v.subscribedTopicNames().size());
            v.subscribedTopicNames().forEach(w::string);
            w.string(v.subscribedTopicRegex()).string(v.serverAssignor()).int32(v.rebalanceTimeoutMs());
        } else if (value instanceof TargetAssignmentMetadataValue v) {
            w.int32(v.assignmentEpoch()).int64(v.assignmentTimestampMs());
        } else if (value instanceof TargetAssignmentMemberValue v) {
            writeAssignment(w, v.partitions());
        } else if (value instanceof ConsumerMemberAssignmentValue v) {
            w.int32(v.memberEpoch()).int32(v.previousMemberEpoch()).int8(v.state().id());
            writeAssignment(w, v.assigned());
            writeAssignment(w, v.pendingRevocation());
            w.int32(v.assignmentEpochs().size());
            v.assignmentEpochs().forEach((topic, byPartition) -> {
                w.string(topic).int32(byPartition.size());
                byPartition.forEach((partition, epoch) -> w.int32(partition).int32(epoch));
            });
        } else {
            throw new IllegalArgumentException("Not a consumer group value: " + value.getClass().getSimpleName());
        }
    }

    static CoordinatorRecord.Value readValue(short keyType, ByteBuffer v) {
        switch (keyType) {
            case CoordinatorRecordSerde.CONSUMER_GROUP_METADATA_KEY_TYPE -> {
                int epoch = v.getInt();
                int count = count(v);
                Map<String, Integer> topics = new HashMap<>();
                for (int i = 0; i < count; i++) {
                    topics.put(CoordinatorRecordSerde.requiredString(v), v.getInt());
                }
                return new ConsumerGroupMetadataValue(epoch, topics);
            }
            case CoordinatorRecordSerde.CONSUMER_MEMBER_METADATA_KEY_TYPE -> {
                String instanceId = CoordinatorRecordSerde.string(v);
                String rackId = CoordinatorRecordSerde.string(v);
                String clientId = CoordinatorRecordSerde.string(v);
                String clientHost = CoordinatorRecordSerde.string(v);
                int count = count(v);
                List<String> names = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    names.add(CoordinatorRecordSerde.requiredString(v));
                }
                String regex = CoordinatorRecordSerde.string(v);
                String assignor = CoordinatorRecordSerde.string(v);
                return new ConsumerMemberMetadataValue(instanceId, rackId, clientId, clientHost, names, regex, assignor,
                        v.getInt());
            }
            case CoordinatorRecordSerde.TARGET_ASSIGNMENT_METADATA_KEY_TYPE -> {
                int epoch = v.getInt();
                // The time came later, at the end, so a record written before it reads as time unknown.
                return new TargetAssignmentMetadataValue(epoch, v.remaining() >= Long.BYTES ? v.getLong() : 0);
            }
            case CoordinatorRecordSerde.TARGET_ASSIGNMENT_MEMBER_KEY_TYPE -> {
                return new TargetAssignmentMemberValue(readAssignment(v));
            }
            case CoordinatorRecordSerde.CONSUMER_MEMBER_ASSIGNMENT_KEY_TYPE -> {
                int epoch = v.getInt();
                int previous = v.getInt();
                MemberState state = MemberState.fromId(v.get());
                Map<String, Set<Integer>> assigned = readAssignment(v);
                Map<String, Set<Integer>> pending = readAssignment(v);
                // The assignment epochs came later, at the end: a record written before has none.
                Map<String, Map<Integer, Integer>> epochs = new TreeMap<>();
                if (v.hasRemaining()) {
                    int topics = count(v);
                    for (int i = 0; i < topics; i++) {
                        String topic = CoordinatorRecordSerde.requiredString(v);
                        int partitions = count(v);
                        Map<Integer, Integer> byPartition = new TreeMap<>();
                        for (int j = 0; j < partitions; j++) {
                            byPartition.put(v.getInt(), v.getInt());
                        }
                        epochs.put(topic, byPartition);
                    }
                }
                return new ConsumerMemberAssignmentValue(epoch, previous, state, assigned, pending, epochs);
            }
            default -> throw new CoordinatorRecordFormatException("Unknown record key type: keyType=" + keyType);
        }
    }

    private static void writeAssignment(Writer w, Map<String, Set<Integer>> assignment) {
        w.int32(assignment.size());
        assignment.forEach((topic, partitions) -> {
            w.string(topic).int32(partitions.size());
            partitions.forEach(w::int32);
        });
    }

    private static Map<String, Set<Integer>> readAssignment(ByteBuffer v) {
        int topics = count(v);
        Map<String, Set<Integer>> out = new TreeMap<>();
        for (int i = 0; i < topics; i++) {
            String topic = CoordinatorRecordSerde.requiredString(v);
            int partitions = count(v);
            Set<Integer> set = new TreeSet<>();
            for (int j = 0; j < partitions; j++) {
                set.add(v.getInt());
            }
            out.put(topic, set);
        }
        return out;
    }

    /** A count of elements that follow; each takes at least a byte, so more than the bytes left is corrupt. */
    private static int count(ByteBuffer v) {
        int count = v.getInt();
        if (count < 0 || count > MAX_COUNT || count > v.remaining()) {
            throw new IllegalArgumentException("count " + count);
        }
        return count;
    }
}
