package io.strand.coordinator.group.record;

import static io.strand.coordinator.group.record.FlexibleFields.compactString;
import static io.strand.coordinator.group.record.FlexibleFields.count;
import static io.strand.coordinator.group.record.FlexibleFields.readIntSet;
import static io.strand.coordinator.group.record.FlexibleFields.readTimeTag;
import static io.strand.coordinator.group.record.FlexibleFields.requiredCompactString;
import static io.strand.coordinator.group.record.FlexibleFields.skipTaggedFields;
import static io.strand.coordinator.group.record.FlexibleFields.uuid;
import static io.strand.coordinator.group.record.FlexibleFields.writeCompactString;
import static io.strand.coordinator.group.record.FlexibleFields.writeEpochAndTime;
import static io.strand.coordinator.group.record.FlexibleFields.writeInts;

import io.strand.coordinator.group.record.CoordinatorRecordSerde.Writer;
import io.strand.coordinator.group.record.ShareGroupRecords.GroupMetadataValue;
import io.strand.coordinator.group.record.ShareGroupRecords.MemberAssignmentValue;
import io.strand.coordinator.group.record.ShareGroupRecords.MemberMetadataValue;
import io.strand.coordinator.group.record.ShareGroupRecords.StatePartitionMetadataValue;
import io.strand.coordinator.group.record.ShareGroupRecords.TargetAssignmentMemberValue;
import io.strand.coordinator.group.record.ShareGroupRecords.TargetAssignmentMetadataValue;
import io.strand.coordinator.group.record.ShareGroupRecords.TopicPartitions;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;

/**
 * The values of the share group records (key types 10–15, {@link ShareGroupRecords}) in Kafka's bytes:
 * after the int16 version (0, written by {@link CoordinatorRecordSerde}), Kafka's flexible version 0 of
 * each value ({@link FlexibleFields}):
 * <pre>
 * | type | value fields (after the version)                                                          |
 * |------|-------------------------------------------------------------------------------------------|
 * | 10   | rackId nullable string, clientId string, clientHost string, subscribedTopicNames []string |
 * | 11   | epoch int32, metadataHash int64                                                           |
 * | 12   | assignmentEpoch int32; tag 0: assignmentTimestamp int64 (written when not 0)               |
 * | 13   | topicPartitions [](topicId uuid, partitions []int32)                                      |
 * | 14   | memberEpoch int32, previousMemberEpoch int32, state int8,                                 |
 * |      |   assignedPartitions [](topicId uuid, partitions []int32)                                 |
 * | 15   | initializingTopics, initializedTopics [](topicId uuid, topicName string, partitions       |
 * |      |   []int32), deletingTopics [](topicId uuid, topicName string)                              |
 * </pre>
 * The keys are Kafka's too (an int16 type, then groupId and memberId as int16-length strings), written by
 * {@link CoordinatorRecordSerde}. Unknown tagged fields are skipped, as Kafka's readers skip them. Stateless.
 */
final class ShareRecordsSerde {

    private ShareRecordsSerde() {
    }

    static boolean isShareKeyType(short keyType) {
        return keyType >= CoordinatorRecordSerde.SHARE_GROUP_MEMBER_METADATA_KEY_TYPE
                && keyType <= CoordinatorRecordSerde.SHARE_GROUP_STATE_PARTITION_METADATA_KEY_TYPE;
    }

    static void writeValue(Writer w, CoordinatorRecord.Value value) {
        if (value instanceof MemberMetadataValue v) {
            writeCompactString(w, v.rackId());
            writeCompactString(w, v.clientId());
            writeCompactString(w, v.clientHost());
            w.uvarint(v.subscribedTopicNames().size() + 1);
            v.subscribedTopicNames().forEach(name -> writeCompactString(w, name));
            w.uvarint(0);
        } else if (value instanceof GroupMetadataValue v) {
            w.int32(v.groupEpoch()).int64(v.metadataHash()).uvarint(0);
        } else if (value instanceof TargetAssignmentMetadataValue v) {
            writeEpochAndTime(w, v.assignmentEpoch(), v.assignmentTimestampMs());
        } else if (value instanceof TargetAssignmentMemberValue v) {
            writeAssignment(w, v.partitions());
            w.uvarint(0);
        } else if (value instanceof MemberAssignmentValue v) {
            w.int32(v.memberEpoch()).int32(v.previousMemberEpoch()).int8(v.state().id());
            writeAssignment(w, v.assigned());
            w.uvarint(0);
        } else if (value instanceof StatePartitionMetadataValue v) {
            writeTopicPartitions(w, v.initializing());
            writeTopicPartitions(w, v.initialized());
            w.uvarint(v.deleting().size() + 1);
            v.deleting().forEach((topicId, name) -> {
                w.uuid(topicId);
                writeCompactString(w, name);
                w.uvarint(0);
            });
            w.uvarint(0);
        } else {
            throw new IllegalArgumentException("Not a share group value: " + value.getClass().getSimpleName());
        }
    }

    static CoordinatorRecord.Value readValue(short keyType, ByteBuffer v) {
        switch (keyType) {
            case CoordinatorRecordSerde.SHARE_GROUP_MEMBER_METADATA_KEY_TYPE -> {
                String rackId = compactString(v);
                String clientId = requiredCompactString(v);
                String clientHost = requiredCompactString(v);
                int count = count(v);
                List<String> names = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    names.add(requiredCompactString(v));
                }
                skipTaggedFields(v);
                return new MemberMetadataValue(rackId, clientId, clientHost, names);
            }
            case CoordinatorRecordSerde.SHARE_GROUP_METADATA_KEY_TYPE -> {
                int epoch = v.getInt();
                long hash = v.getLong();
                skipTaggedFields(v);
                return new GroupMetadataValue(epoch, hash);
            }
            case CoordinatorRecordSerde.SHARE_GROUP_TARGET_ASSIGNMENT_METADATA_KEY_TYPE -> {
                int epoch = v.getInt();
                return new TargetAssignmentMetadataValue(epoch, readTimeTag(v));
            }
            case CoordinatorRecordSerde.SHARE_GROUP_TARGET_ASSIGNMENT_MEMBER_KEY_TYPE -> {
                Map<Uuid, SortedSet<Integer>> partitions = readAssignment(v);
                skipTaggedFields(v);
                return new TargetAssignmentMemberValue(partitions);
            }
            case CoordinatorRecordSerde.SHARE_GROUP_CURRENT_MEMBER_ASSIGNMENT_KEY_TYPE -> {
                int epoch = v.getInt();
                int previous = v.getInt();
                MemberState state = MemberState.fromId(v.get());
                Map<Uuid, SortedSet<Integer>> assigned = readAssignment(v);
                skipTaggedFields(v);
                return new MemberAssignmentValue(epoch, previous, state, assigned);
            }
            case CoordinatorRecordSerde.SHARE_GROUP_STATE_PARTITION_METADATA_KEY_TYPE -> {
                Map<Uuid, TopicPartitions> initializing = readTopicPartitions(v);
                Map<Uuid, TopicPartitions> initialized = readTopicPartitions(v);
                int count = count(v);
                Map<Uuid, String> deleting = new TreeMap<>();
                for (int i = 0; i < count; i++) {
                    Uuid topicId = uuid(v);
                    deleting.put(topicId, requiredCompactString(v));
                    skipTaggedFields(v);
                }
                skipTaggedFields(v);
                return new StatePartitionMetadataValue(initializing, initialized, deleting);
            }
            default -> throw new CoordinatorRecordFormatException("Unknown record key type: keyType=" + keyType);
        }
    }

    private static void writeAssignment(Writer w, Map<Uuid, SortedSet<Integer>> assignment) {
        w.uvarint(assignment.size() + 1);
        assignment.forEach((topicId, partitions) -> {
            w.uuid(topicId);
            writeInts(w, partitions);
            w.uvarint(0);
        });
    }

    private static Map<Uuid, SortedSet<Integer>> readAssignment(ByteBuffer v) {
        int count = count(v);
        Map<Uuid, SortedSet<Integer>> out = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            Uuid topicId = uuid(v);
            out.put(topicId, readIntSet(v));
            skipTaggedFields(v);
        }
        return out;
    }

    private static void writeTopicPartitions(Writer w, Map<Uuid, TopicPartitions> topics) {
        w.uvarint(topics.size() + 1);
        topics.forEach((topicId, topic) -> {
            w.uuid(topicId);
            writeCompactString(w, topic.topicName());
            writeInts(w, topic.partitions());
            w.uvarint(0);
        });
    }

    private static Map<Uuid, TopicPartitions> readTopicPartitions(ByteBuffer v) {
        int count = count(v);
        Map<Uuid, TopicPartitions> out = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            Uuid topicId = uuid(v);
            String name = requiredCompactString(v);
            out.put(topicId, new TopicPartitions(name, readIntSet(v)));
            skipTaggedFields(v);
        }
        return out;
    }
}
