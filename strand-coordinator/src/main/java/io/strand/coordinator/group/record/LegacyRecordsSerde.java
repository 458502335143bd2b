package io.strand.coordinator.group.record;

import static io.strand.coordinator.group.record.CoordinatorRecordSerde.members;
import static io.strand.coordinator.group.record.CoordinatorRecordSerde.requiredString;
import static io.strand.coordinator.group.record.CoordinatorRecordSerde.string;

import io.strand.coordinator.group.record.CoordinatorRecord.ConsumerGroupMetadataValue;
import io.strand.coordinator.group.record.CoordinatorRecord.ConsumerMemberAssignmentValue;
import io.strand.coordinator.group.record.CoordinatorRecord.ConsumerMemberMetadataValue;
import io.strand.coordinator.group.record.CoordinatorRecord.GroupValue;
import io.strand.coordinator.group.record.CoordinatorRecord.OffsetValue;
import io.strand.coordinator.group.record.CoordinatorRecord.TargetAssignmentMemberValue;
import io.strand.coordinator.group.record.CoordinatorRecord.TargetAssignmentMetadataValue;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads the values of offset commits, group metadata and consumer groups (KIP-848) in the layout this
 * broker wrote before it wrote Kafka's, so that a log written then still loads. Nothing writes this
 * layout. Every value starts with an int16 version of 0; strings are an int16 length then UTF-8 bytes
 * (-1: null), bytes an int32 length then the bytes, counts int32. After the version:
 * <pre>
 * | keyType | value fields                                                                             |
 * |---------|------------------------------------------------------------------------------------------|
 * | 1       | committedOffset int64, leaderEpoch int32, commitTimestampMs int64, expireTimestampMs     |
 * |         |   int64, metadata string                                                                 |
 * | 2       | generationId int32, stateTimestampMs int64, protocolType string, protocolName string     |
 * |         |   (nullable), leaderId string (nullable), memberCount int32, members (as in Kafka's v3)   |
 * | 3       | groupEpoch int32, topicCount int32, topicCount × (topic string, partitionCount int32)    |
 * | 5       | instanceId, rackId (nullable strings), clientId, clientHost string, names: count int32 + |
 * |         |   strings, regex, serverAssignor (nullable strings), rebalanceTimeoutMs int32            |
 * | 6       | assignmentEpoch int32, assignmentTimestampMs int64 (absent: 0)                           |
 * | 7       | partitions: assignment                                                                   |
 * | 8       | memberEpoch int32, previousMemberEpoch int32, state int8, assigned: assignment,          |
 * |         |   pendingRevocation: assignment, then (absent: none) assignment epochs: topicCount int32,|
 * |         |   per topic: topic string, count int32, count × (partition int32, epoch int32)           |
 * </pre>
 * An assignment is topicCount int32, then per topic: topic string, count int32, count × int32. Kafka's
 * offset commit and group metadata values are never version 0 (it has not written that since its 0.10
 * releases); its consumer group values are, and {@link CoordinatorRecordSerde} tells the two apart by
 * reading Kafka's first.
 */
final class LegacyRecordsSerde {

    /** Guards allocations against a corrupt count. */
    private static final int MAX_COUNT = 1 << 20;

    private LegacyRecordsSerde() {
    }

    /** The offset commit value after its version. */
    static OffsetValue offsetValue(ByteBuffer v) {
        long offset = v.getLong();
        int epoch = v.getInt();
        long commitMs = v.getLong();
        long expireMs = v.getLong();
        return new OffsetValue(offset, epoch, requiredString(v), commitMs, expireMs);
    }

    /** The group metadata value after its version. */
    static GroupValue groupValue(ByteBuffer v) {
        int generation = v.getInt();
        long stateMs = v.getLong();
        String protocolType = requiredString(v);
        String protocolName = string(v);
        String leader = string(v);
        return new GroupValue(protocolType, generation, protocolName, leader, stateMs, members(v));
    }

    /** A consumer group value (key types 3 and 5 to 8) after its version. */
    static CoordinatorRecord.Value consumerValue(short keyType, ByteBuffer v) {
        switch (keyType) {
            case CoordinatorRecordSerde.CONSUMER_GROUP_METADATA_KEY_TYPE -> {
                int epoch = v.getInt();
                int count = count(v);
                Map<String, Integer> topics = new HashMap<>();
                for (int i = 0; i < count; i++) {
                    topics.put(requiredString(v), v.getInt());
                }
                return new ConsumerGroupMetadataValue(epoch, topics);
            }
            case CoordinatorRecordSerde.CONSUMER_MEMBER_METADATA_KEY_TYPE -> {
                String instanceId = string(v);
                String rackId = string(v);
                String clientId = string(v);
                String clientHost = string(v);
                int count = count(v);
                List<String> names = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    names.add(requiredString(v));
                }
                String regex = string(v);
                String assignor = string(v);
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
                        String topic = requiredString(v);
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

    private static Map<String, Set<Integer>> readAssignment(ByteBuffer v) {
        int topics = count(v);
        Map<String, Set<Integer>> out = new TreeMap<>();
        for (int i = 0; i < topics; i++) {
            String topic = requiredString(v);
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
