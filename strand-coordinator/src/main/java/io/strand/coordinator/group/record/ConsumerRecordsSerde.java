package io.strand.coordinator.group.record;

import static io.strand.coordinator.group.record.FlexibleFields.compactString;
import static io.strand.coordinator.group.record.FlexibleFields.count;
import static io.strand.coordinator.group.record.FlexibleFields.intsSize;
import static io.strand.coordinator.group.record.FlexibleFields.readTimeTag;
import static io.strand.coordinator.group.record.FlexibleFields.requiredCompactString;
import static io.strand.coordinator.group.record.FlexibleFields.skip;
import static io.strand.coordinator.group.record.FlexibleFields.skipTaggedFields;
import static io.strand.coordinator.group.record.FlexibleFields.uuid;
import static io.strand.coordinator.group.record.FlexibleFields.writeCompactString;
import static io.strand.coordinator.group.record.FlexibleFields.writeEpochAndTime;
import static io.strand.coordinator.group.record.FlexibleFields.writeInts;

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
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.ByteUtils;

/**
 * The values of consumer-protocol group records (key types 3 and 5 to 8) in Kafka's bytes: after the
 * int16 version (0, written by {@link CoordinatorRecordSerde}), Kafka's flexible version 0 of each value
 * ({@link FlexibleFields}):
 * <pre>
 * | type | value fields (after the version)                                                          |
 * |------|-------------------------------------------------------------------------------------------|
 * | 3    | epoch int32; tag 0: metadataHash int64 (not written); tag 10000: subscribed topics         |
 * | 5    | instanceId, rackId nullable strings, clientId, clientHost strings, subscribedTopicNames   |
 * |      |   []string, subscribedTopicRegex nullable string, rebalanceTimeoutMs int32,               |
 * |      |   serverAssignor nullable string; tag 0: classicMemberMetadata (never written)            |
 * | 6    | assignmentEpoch int32; tag 0: assignmentTimestamp int64 (written when not 0)              |
 * | 7    | topicPartitions [](topicId uuid, partitions []int32)                                      |
 * | 8    | memberEpoch int32, previousMemberEpoch int32, state int8, assignedPartitions and          |
 * |      |   partitionsPendingRevocation [](topicId uuid, partitions []int32; tag 0:                 |
 * |      |   assignmentEpochs []int32, one per partition, written when the topic has any)            |
 * </pre>
 * Kafka's records name topics by id, the groups here by name: names become ids through {@link TopicIds}
 * as a record is written, and ids names as it is read. An id no topic has by then is read as a {@link
 * FormerTopics former topic}, which a member still has to revoke (a topic deleted and created again is a
 * new topic, as in Kafka); former topics are written by their ids. A topic name no topic has is left out.
 *
 * <p>Kafka keeps a hash of the subscribed topics in the group's record (KIP-1101); this broker keeps the
 * topics themselves, with their partition counts and ids, in a tagged field of its own (tag {@value
 * #SUBSCRIBED_TOPICS_TAG}, far past Kafka's): a compact array of (name compact string, partition count
 * int32, tagged fields: tag {@value #TOPIC_ID_TAG} the topic's id, a uuid, when known; tag {@value
 * #TOPIC_RACKS_TAG} a hash of its replicas' racks, an int64, when they have any). Kafka's readers skip a tag they do not know, so they read the rest as Kafka's.
 * Unknown tagged fields are skipped here too. Stateless.
 */
final class ConsumerRecordsSerde {

    /** The tag of the subscribed topics in a group's record: this broker's, not Kafka's. */
    static final int SUBSCRIBED_TOPICS_TAG = 10_000;
    /** The tag of a topic's id in an entry of {@link #SUBSCRIBED_TOPICS_TAG}. */
    static final int TOPIC_ID_TAG = 0;
    /** The tag of a hash of a topic's replicas' racks in an entry of {@link #SUBSCRIBED_TOPICS_TAG}. */
    static final int TOPIC_RACKS_TAG = 1;

    private ConsumerRecordsSerde() {
    }

    static void writeValue(Writer w, CoordinatorRecord.Value value, TopicIds topicIds) {
        if (value instanceof ConsumerGroupMetadataValue v) {
            Writer topics = new Writer().uvarint(v.subscribedTopicPartitions().size() + 1);
            new TreeMap<>(v.subscribedTopicPartitions()).forEach((topic, partitions) -> {
                writeCompactString(topics, topic);
                topics.int32(partitions);
                Uuid id = v.subscribedTopicIds().getOrDefault(topic, Uuid.ZERO_UUID);
                Long racks = v.subscribedTopicRacks().get(topic);
                topics.uvarint((Uuid.ZERO_UUID.equals(id) ? 0 : 1) + (racks == null ? 0 : 1));
                if (!Uuid.ZERO_UUID.equals(id)) {
                    topics.uvarint(TOPIC_ID_TAG).uvarint(16).uuid(id);
                }
                if (racks != null) {
                    topics.uvarint(TOPIC_RACKS_TAG).uvarint(8).int64(racks);
                }
            });
            byte[] field = topics.toArray();
            w.int32(v.groupEpoch()).uvarint(1).uvarint(SUBSCRIBED_TOPICS_TAG).uvarint(field.length).raw(field);
        } else if (value instanceof ConsumerMemberMetadataValue v) {
            writeCompactString(w, v.instanceId());
            writeCompactString(w, v.rackId());
            writeCompactString(w, v.clientId());
            writeCompactString(w, v.clientHost());
            w.uvarint(v.subscribedTopicNames().size() + 1);
            v.subscribedTopicNames().forEach(name -> writeCompactString(w, name));
            writeCompactString(w, v.subscribedTopicRegex());
            w.int32(v.rebalanceTimeoutMs());
            writeCompactString(w, v.serverAssignor());
            w.uvarint(0);
        } else if (value instanceof TargetAssignmentMetadataValue v) {
            writeEpochAndTime(w, v.assignmentEpoch(), v.assignmentTimestampMs());
        } else if (value instanceof TargetAssignmentMemberValue v) {
            writeTopicPartitions(w, v.partitions(), null, 0, topicIds);
            w.uvarint(0);
        } else if (value instanceof ConsumerMemberAssignmentValue v) {
            w.int32(v.memberEpoch()).int32(v.previousMemberEpoch()).int8(v.state().id());
            int givenByDefault = Math.max(v.memberEpoch(), 0);
            writeTopicPartitions(w, v.assigned(), v.assignmentEpochs(), givenByDefault, topicIds);
            writeTopicPartitions(w, v.pendingRevocation(), v.assignmentEpochs(), givenByDefault, topicIds);
            w.uvarint(0);
        } else {
            throw new IllegalArgumentException("Not a consumer group value: " + value.getClass().getSimpleName());
        }
    }

    /**
     * Kafka's {@code []TopicPartitions} of {@code assignment}, by topic id: with {@code epochs} (null for
     * a target), each topic that has any carries one per partition, {@code givenByDefault} for a partition
     * it lacks (what {@link ConsumerMemberAssignmentValue#assignmentEpochOf} answers for one).
     */
    private static void writeTopicPartitions(Writer w, Map<String, Set<Integer>> assignment,
                                             Map<String, Map<Integer, Integer>> epochs, int givenByDefault,
                                             TopicIds topicIds) {
        Map<Uuid, String> known = new TreeMap<>();
        assignment.keySet().forEach(topic -> {
            Uuid id = FormerTopics.isFormer(topic) ? FormerTopics.idOf(topic) : topicIds.idOf(topic);
            if (!Uuid.ZERO_UUID.equals(id)) {
                known.put(id, topic);
            }
        });
        w.uvarint(known.size() + 1);
        known.forEach((id, topic) -> {
            Set<Integer> partitions = assignment.get(topic);
            w.uuid(id);
            writeInts(w, partitions);
            Map<Integer, Integer> byPartition = epochs == null ? null : epochs.get(topic);
            if (byPartition == null) {
                w.uvarint(0);
                return;
            }
            List<Integer> given = new ArrayList<>(partitions.size());
            partitions.forEach(p -> given.add(byPartition.getOrDefault(p, givenByDefault)));
            w.uvarint(1).uvarint(0).uvarint(intsSize(given.size()));
            writeInts(w, given);
        });
    }

    static CoordinatorRecord.Value readValue(short keyType, ByteBuffer v, TopicIds topicIds) {
        switch (keyType) {
            case CoordinatorRecordSerde.CONSUMER_GROUP_METADATA_KEY_TYPE -> {
                int epoch = v.getInt();
                Map<String, Integer> topics = new HashMap<>();
                Map<String, Uuid> ids = new HashMap<>();
                Map<String, Long> racks = new HashMap<>();
                int fields = ByteUtils.readUnsignedVarint(v);
                for (int i = 0; i < fields; i++) {
                    int tag = ByteUtils.readUnsignedVarint(v);
                    int size = ByteUtils.readUnsignedVarint(v);
                    if (tag != SUBSCRIBED_TOPICS_TAG) {
                        skip(v, size);
                        continue;
                    }
                    int count = count(v);
                    for (int t = 0; t < count; t++) {
                        String topic = requiredCompactString(v);
                        topics.put(topic, v.getInt());
                        int topicFields = ByteUtils.readUnsignedVarint(v);
                        for (int f = 0; f < topicFields; f++) {
                            int topicTag = ByteUtils.readUnsignedVarint(v);
                            int topicSize = ByteUtils.readUnsignedVarint(v);
                            if (topicTag == TOPIC_ID_TAG && topicSize == 16) {
                                ids.put(topic, uuid(v));
                            } else if (topicTag == TOPIC_RACKS_TAG && topicSize == 8) {
                                racks.put(topic, v.getLong());
                            } else {
                                skip(v, topicSize);
                            }
                        }
                    }
                }
                return new ConsumerGroupMetadataValue(epoch, topics, ids, racks);
            }
            case CoordinatorRecordSerde.CONSUMER_MEMBER_METADATA_KEY_TYPE -> {
                String instanceId = compactString(v);
                String rackId = compactString(v);
                String clientId = requiredCompactString(v);
                String clientHost = requiredCompactString(v);
                int count = count(v);
                List<String> names = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    names.add(requiredCompactString(v));
                }
                String regex = compactString(v);
                int rebalanceTimeoutMs = v.getInt();
                String assignor = compactString(v);
                skipTaggedFields(v);
                return new ConsumerMemberMetadataValue(instanceId, rackId, clientId, clientHost, names, regex, assignor,
                        rebalanceTimeoutMs);
            }
            case CoordinatorRecordSerde.TARGET_ASSIGNMENT_METADATA_KEY_TYPE -> {
                int epoch = v.getInt();
                return new TargetAssignmentMetadataValue(epoch, readTimeTag(v));
            }
            case CoordinatorRecordSerde.TARGET_ASSIGNMENT_MEMBER_KEY_TYPE -> {
                Map<String, Set<Integer>> partitions = new TreeMap<>();
                readTopicPartitions(v, partitions, null, topicIds);
                skipTaggedFields(v);
                return new TargetAssignmentMemberValue(partitions);
            }
            case CoordinatorRecordSerde.CONSUMER_MEMBER_ASSIGNMENT_KEY_TYPE -> {
                int epoch = v.getInt();
                int previous = v.getInt();
                MemberState state = MemberState.fromId(v.get());
                Map<String, Set<Integer>> assigned = new TreeMap<>();
                Map<String, Set<Integer>> pending = new TreeMap<>();
                Map<String, Map<Integer, Integer>> epochs = new TreeMap<>();
                readTopicPartitions(v, assigned, epochs, topicIds);
                readTopicPartitions(v, pending, epochs, topicIds);
                skipTaggedFields(v);
                return new ConsumerMemberAssignmentValue(epoch, previous, state, assigned, pending, epochs);
            }
            default -> throw new CoordinatorRecordFormatException("Unknown record key type: keyType=" + keyType);
        }
    }

    /**
     * Reads a {@code []TopicPartitions} into {@code into} by topic name (a topic id no topic has now as a
     * {@link FormerTopics former topic}), and each topic's assignment epochs into {@code epochs} (null: a
     * target, which has none).
     */
    private static void readTopicPartitions(ByteBuffer v, Map<String, Set<Integer>> into,
                                            Map<String, Map<Integer, Integer>> epochs, TopicIds topicIds) {
        int count = count(v);
        for (int i = 0; i < count; i++) {
            Uuid id = uuid(v);
            String topic = topicIds.nameOf(id);
            if (topic == null) {
                topic = FormerTopics.name(id);
            }
            int partitionCount = count(v);
            List<Integer> partitions = new ArrayList<>(partitionCount);
            for (int p = 0; p < partitionCount; p++) {
                partitions.add(v.getInt());
            }
            List<Integer> given = new ArrayList<>();
            int fields = ByteUtils.readUnsignedVarint(v);
            for (int f = 0; f < fields; f++) {
                int tag = ByteUtils.readUnsignedVarint(v);
                int size = ByteUtils.readUnsignedVarint(v);
                if (tag != 0 || epochs == null) {
                    skip(v, size);
                    continue;
                }
                int n = count(v);
                for (int e = 0; e < n; e++) {
                    given.add(v.getInt());
                }
            }
            into.computeIfAbsent(topic, t -> new TreeSet<>()).addAll(partitions);
            if (!given.isEmpty()) {
                if (given.size() != partitions.size()) {
                    throw new IllegalArgumentException("assignment epochs " + given.size() + " for "
                            + partitions.size() + " partitions");
                }
                Map<Integer, Integer> byPartition = epochs.computeIfAbsent(topic, t -> new TreeMap<>());
                for (int p = 0; p < partitions.size(); p++) {
                    byPartition.put(partitions.get(p), given.get(p));
                }
            }
        }
    }
}
