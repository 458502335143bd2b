package io.strand.coordinator.group.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.coordinator.group.record.CoordinatorRecord.ConsumerGroupMetadataKey;
import io.strand.coordinator.group.record.CoordinatorRecord.ConsumerGroupMetadataValue;
import io.strand.coordinator.group.record.CoordinatorRecord.ConsumerMemberAssignmentKey;
import io.strand.coordinator.group.record.CoordinatorRecord.ConsumerMemberAssignmentValue;
import io.strand.coordinator.group.record.CoordinatorRecord.ConsumerMemberMetadataKey;
import io.strand.coordinator.group.record.CoordinatorRecord.ConsumerMemberMetadataValue;
import io.strand.coordinator.group.record.CoordinatorRecord.TargetAssignmentMemberKey;
import io.strand.coordinator.group.record.CoordinatorRecord.TargetAssignmentMemberValue;
import io.strand.coordinator.group.record.CoordinatorRecord.TargetAssignmentMetadataKey;
import io.strand.coordinator.group.record.CoordinatorRecord.TargetAssignmentMetadataValue;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupCurrentMemberAssignmentKey;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupCurrentMemberAssignmentValue;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupMemberMetadataKey;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupMemberMetadataValue;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupTargetAssignmentMemberKey;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupTargetAssignmentMemberValue;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupTargetAssignmentMetadataKey;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupTargetAssignmentMetadataValue;
import org.junit.jupiter.api.Test;

/**
 * The consumer group (KIP-848) records of {@code __consumer_offsets} are Kafka's bytes: each key and value
 * is checked against Kafka's generated classes both ways, topics going by id through {@link TopicIds}.
 */
class ConsumerRecordsSerdeTest {

    private static final String GROUP = "group-ü";
    private static final Uuid ORDERS = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ");
    private static final Uuid PAYMENTS = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAg");
    private static final Uuid GONE = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAw");

    /** orders and payments exist; "deleted" does not, and neither does any topic of id {@link #GONE}. */
    private static final TopicIds IDS = new TopicIds() {
        @Override
        public String nameOf(Uuid topicId) {
            return topicId.equals(ORDERS) ? "orders" : topicId.equals(PAYMENTS) ? "payments" : null;
        }

        @Override
        public Uuid idOf(String topicName) {
            return switch (topicName) {
                case "orders" -> ORDERS;
                case "payments" -> PAYMENTS;
                default -> Uuid.ZERO_UUID;
            };
        }
    };

    /** Asserts Strand's bytes for {@code record} are Kafka's key and value, and that Kafka's bytes read back. */
    private static void assertKafkasBytes(CoordinatorRecord record, ApiMessage kafkaKey, ApiMessage kafkaValue) {
        byte[] key = MessageUtil.toCoordinatorTypePrefixedBytes(kafkaKey);
        assertThat(CoordinatorRecordSerde.serializeKey(record.key())).as("key").isEqualTo(key);
        byte[] value = MessageUtil.toVersionPrefixedBytes((short) 0, kafkaValue);
        assertThat(CoordinatorRecordSerde.serializeValue(record.value(), IDS)).as("value").isEqualTo(value);
        assertThat(CoordinatorRecordSerde.deserialize(ByteBuffer.wrap(key), ByteBuffer.wrap(value), IDS))
                .isEqualTo(record);
    }

    private static CoordinatorRecord.Value read(CoordinatorRecord.Key key, byte[] value) {
        return CoordinatorRecordSerde.deserialize(ByteBuffer.wrap(CoordinatorRecordSerde.serializeKey(key)),
                ByteBuffer.wrap(value), IDS).value();
    }

    @Test
    void groupMetadataIsKafkasWithTheSubscribedTopicsInATagOfItsOwn() {
        // Subscribed topics with their ids, where known ("payments"' is not), each in the entry's own tag.
        ConsumerGroupMetadataValue ours = new ConsumerGroupMetadataValue(5, Map.of("orders", 6, "payments", 2),
                Map.of("orders", ORDERS));
        byte[] bytes = CoordinatorRecordSerde.serializeValue(ours, IDS);

        // Kafka reads the epoch, no metadata hash, and keeps the tag it does not know; written again, the same bytes.
        org.apache.kafka.coordinator.group.generated.ConsumerGroupMetadataValue kafkas =
                new org.apache.kafka.coordinator.group.generated.ConsumerGroupMetadataValue(
                        new ByteBufferAccessor(ByteBuffer.wrap(bytes, 2, bytes.length - 2)), (short) 0);
        assertThat(kafkas.epoch()).isEqualTo(5);
        assertThat(kafkas.metadataHash()).isZero();
        assertThat(kafkas.unknownTaggedFields()).singleElement()
                .satisfies(field -> assertThat(field.tag()).isEqualTo(ConsumerRecordsSerde.SUBSCRIBED_TOPICS_TAG));
        assertThat(MessageUtil.toVersionPrefixedBytes((short) 0, kafkas)).isEqualTo(bytes);
        assertThat(read(new ConsumerGroupMetadataKey(GROUP), bytes)).isEqualTo(ours);

        // With racks of replicas: their hash beside the id, in the entry's own tags too.
        ConsumerGroupMetadataValue racked = new ConsumerGroupMetadataValue(5, Map.of("orders", 6, "payments", 2),
                Map.of("orders", ORDERS), Map.of("orders", -42L, "payments", 7L));
        assertThat(read(new ConsumerGroupMetadataKey(GROUP), CoordinatorRecordSerde.serializeValue(racked, IDS)))
                .isEqualTo(racked);

        // Written before ids were kept: the topics, no ids.
        byte[] withoutIds = CoordinatorRecordSerde.serializeValue(
                new ConsumerGroupMetadataValue(5, Map.of("orders", 6)), IDS);
        assertThat(read(new ConsumerGroupMetadataKey(GROUP), withoutIds))
                .isEqualTo(new ConsumerGroupMetadataValue(5, Map.of("orders", 6), Map.of()));

        // Kafka's own record, with its hash: the epoch, and no topics known.
        byte[] kafkaBytes = MessageUtil.toVersionPrefixedBytes((short) 0,
                new org.apache.kafka.coordinator.group.generated.ConsumerGroupMetadataValue().setEpoch(7)
                        .setMetadataHash(42L));
        assertThat(read(new ConsumerGroupMetadataKey(GROUP), kafkaBytes))
                .isEqualTo(new ConsumerGroupMetadataValue(7, Map.of()));
    }

    @Test
    void memberMetadataIsKafkas() {
        assertKafkasBytes(new CoordinatorRecord(new ConsumerMemberMetadataKey(GROUP, "m-1"),
                        new ConsumerMemberMetadataValue("instance", "rack-a", "client", "/10.0.0.1",
                                List.of("orders", "payments"), "pay.*", "uniform", 45_000)),
                new ConsumerGroupMemberMetadataKey().setGroupId(GROUP).setMemberId("m-1"),
                new ConsumerGroupMemberMetadataValue().setInstanceId("instance").setRackId("rack-a")
                        .setClientId("client").setClientHost("/10.0.0.1")
                        .setSubscribedTopicNames(List.of("orders", "payments")).setSubscribedTopicRegex("pay.*")
                        .setServerAssignor("uniform").setRebalanceTimeoutMs(45_000));
        assertKafkasBytes(new CoordinatorRecord(new ConsumerMemberMetadataKey(GROUP, "m-1"),
                        new ConsumerMemberMetadataValue(null, null, "client", "/10.0.0.1", List.of(), null, null,
                                30_000)),
                new ConsumerGroupMemberMetadataKey().setGroupId(GROUP).setMemberId("m-1"),
                new ConsumerGroupMemberMetadataValue().setInstanceId(null).setRackId(null).setClientId("client")
                        .setClientHost("/10.0.0.1").setSubscribedTopicNames(List.of()).setSubscribedTopicRegex(null)
                        .setServerAssignor(null).setRebalanceTimeoutMs(30_000));
    }

    @Test
    void targetAssignmentMetadataIsKafkasWithItsTaggedTimestamp() {
        assertKafkasBytes(new CoordinatorRecord(new TargetAssignmentMetadataKey(GROUP),
                        new TargetAssignmentMetadataValue(4, 1_700_000_000_000L)),
                new ConsumerGroupTargetAssignmentMetadataKey().setGroupId(GROUP),
                new ConsumerGroupTargetAssignmentMetadataValue().setAssignmentEpoch(4)
                        .setAssignmentTimestamp(1_700_000_000_000L));
        assertKafkasBytes(new CoordinatorRecord(new TargetAssignmentMetadataKey(GROUP),
                        new TargetAssignmentMetadataValue(4, 0)),
                new ConsumerGroupTargetAssignmentMetadataKey().setGroupId(GROUP),
                new ConsumerGroupTargetAssignmentMetadataValue().setAssignmentEpoch(4));
    }

    @Test
    void targetAssignmentsNameTopicsById() {
        assertKafkasBytes(new CoordinatorRecord(new TargetAssignmentMemberKey(GROUP, "m"),
                        new TargetAssignmentMemberValue(Map.of("orders", Set.of(0, 1, 2), "payments", Set.of(4)))),
                new ConsumerGroupTargetAssignmentMemberKey().setGroupId(GROUP).setMemberId("m"),
                new ConsumerGroupTargetAssignmentMemberValue().setTopicPartitions(List.of(
                        new ConsumerGroupTargetAssignmentMemberValue.TopicPartition().setTopicId(ORDERS)
                                .setPartitions(List.of(0, 1, 2)),
                        new ConsumerGroupTargetAssignmentMemberValue.TopicPartition().setTopicId(PAYMENTS)
                                .setPartitions(List.of(4)))));
    }

    @Test
    void currentAssignmentsCarryTheirAssignmentEpochsAsKafkasTaggedField() {
        ConsumerMemberAssignmentValue ours = new ConsumerMemberAssignmentValue(6, 5, MemberState.UNREVOKED_PARTITIONS,
                Map.of("orders", Set.of(0, 1)), Map.of("orders", Set.of(2), "payments", Set.of(3)),
                Map.of("orders", Map.of(0, 3, 1, 6, 2, 2)));
        assertKafkasBytes(new CoordinatorRecord(new ConsumerMemberAssignmentKey(GROUP, "m"), ours),
                new ConsumerGroupCurrentMemberAssignmentKey().setGroupId(GROUP).setMemberId("m"),
                new ConsumerGroupCurrentMemberAssignmentValue().setMemberEpoch(6).setPreviousMemberEpoch(5)
                        .setState((byte) 1)
                        .setAssignedPartitions(List.of(new ConsumerGroupCurrentMemberAssignmentValue.TopicPartitions()
                                .setTopicId(ORDERS).setPartitions(List.of(0, 1)).setAssignmentEpochs(List.of(3, 6))))
                        .setPartitionsPendingRevocation(List.of(
                                new ConsumerGroupCurrentMemberAssignmentValue.TopicPartitions().setTopicId(ORDERS)
                                        .setPartitions(List.of(2)).setAssignmentEpochs(List.of(2)),
                                new ConsumerGroupCurrentMemberAssignmentValue.TopicPartitions().setTopicId(PAYMENTS)
                                        .setPartitions(List.of(3)))));

        // A partition of a topic with epochs but none of its own is written at the member epoch, as it counts.
        ConsumerMemberAssignmentValue partial = new ConsumerMemberAssignmentValue(6, 5, MemberState.STABLE,
                Map.of("orders", Set.of(0, 1)), Map.of(), Map.of("orders", Map.of(0, 3)));
        CoordinatorRecord.Value readBack = read(new ConsumerMemberAssignmentKey(GROUP, "m"),
                CoordinatorRecordSerde.serializeValue(partial, IDS));
        assertThat(readBack).isEqualTo(new ConsumerMemberAssignmentValue(6, 5, MemberState.STABLE,
                Map.of("orders", Set.of(0, 1)), Map.of(), Map.of("orders", Map.of(0, 3, 1, 6))));
    }

    @Test
    void namesNoTopicHasLeaveTheRecordAndIdsNoTopicHasAreFormerTopics() {
        // Written: "deleted" has no id now.
        byte[] written = CoordinatorRecordSerde.serializeValue(new TargetAssignmentMemberValue(
                Map.of("orders", Set.of(0), "deleted", Set.of(1))), IDS);
        assertThat(read(new TargetAssignmentMemberKey(GROUP, "m"), written))
                .isEqualTo(new TargetAssignmentMemberValue(Map.of("orders", Set.of(0))));

        // Read: a topic id no topic has now (deleted, or deleted and created again under a new id).
        byte[] kafkas = MessageUtil.toVersionPrefixedBytes((short) 0, new ConsumerGroupCurrentMemberAssignmentValue()
                .setMemberEpoch(3).setPreviousMemberEpoch(2).setState((byte) 0)
                .setAssignedPartitions(List.of(
                        new ConsumerGroupCurrentMemberAssignmentValue.TopicPartitions().setTopicId(GONE)
                                .setPartitions(List.of(0)).setAssignmentEpochs(List.of(1)),
                        new ConsumerGroupCurrentMemberAssignmentValue.TopicPartitions().setTopicId(ORDERS)
                                .setPartitions(List.of(1)))));
        ConsumerMemberAssignmentValue withFormer = new ConsumerMemberAssignmentValue(3, 2, MemberState.STABLE,
                Map.of(FormerTopics.name(GONE), Set.of(0), "orders", Set.of(1)), Map.of(),
                Map.of(FormerTopics.name(GONE), Map.of(0, 1)));
        assertThat(read(new ConsumerMemberAssignmentKey(GROUP, "m"), kafkas)).isEqualTo(withFormer);

        // A former topic is written by its id: Kafka's bytes again, ids sorted.
        assertKafkasBytes(new CoordinatorRecord(new ConsumerMemberAssignmentKey(GROUP, "m"), withFormer),
                new ConsumerGroupCurrentMemberAssignmentKey().setGroupId(GROUP).setMemberId("m"),
                new ConsumerGroupCurrentMemberAssignmentValue().setMemberEpoch(3).setPreviousMemberEpoch(2)
                        .setState((byte) 0).setAssignedPartitions(List.of(
                                new ConsumerGroupCurrentMemberAssignmentValue.TopicPartitions().setTopicId(ORDERS)
                                        .setPartitions(List.of(1)),
                                new ConsumerGroupCurrentMemberAssignmentValue.TopicPartitions().setTopicId(GONE)
                                        .setPartitions(List.of(0)).setAssignmentEpochs(List.of(1)))));
    }

    @Test
    void assignmentEpochsNotOnePerPartitionAreAFormatError() {
        byte[] kafkas = MessageUtil.toVersionPrefixedBytes((short) 0, new ConsumerGroupCurrentMemberAssignmentValue()
                .setMemberEpoch(3).setPreviousMemberEpoch(2).setState((byte) 0)
                .setAssignedPartitions(List.of(new ConsumerGroupCurrentMemberAssignmentValue.TopicPartitions()
                        .setTopicId(ORDERS).setPartitions(List.of(0, 1)).setAssignmentEpochs(List.of(1)))));

        assertThatThrownBy(() -> read(new ConsumerMemberAssignmentKey(GROUP, "m"), kafkas))
                .isInstanceOf(CoordinatorRecordFormatException.class);
    }

    @Test
    void theEarlierLayoutStillLoads() {
        // Group metadata: epoch 5, one topic "orders" of 6 partitions.
        ByteBuffer group = ByteBuffer.allocate(2 + 4 + 4 + 2 + 6 + 4);
        group.putShort((short) 0).putInt(5).putInt(1).putShort((short) 6).put(bytes("orders")).putInt(6);
        assertThat(read(new ConsumerGroupMetadataKey(GROUP), group.array()))
                .isEqualTo(new ConsumerGroupMetadataValue(5, Map.of("orders", 6)));

        // Member metadata: no instance or rack, client "c" on host "h", topic "orders", no regex or assignor.
        ByteBuffer member = ByteBuffer.allocate(2 + 2 + 2 + 3 + 3 + 4 + 8 + 2 + 2 + 4);
        member.putShort((short) 0).putShort((short) -1).putShort((short) -1).putShort((short) 1).put(bytes("c"))
                .putShort((short) 1).put(bytes("h")).putInt(1).putShort((short) 6).put(bytes("orders"))
                .putShort((short) -1).putShort((short) -1).putInt(30_000);
        assertThat(read(new ConsumerMemberMetadataKey(GROUP, "m"), member.array())).isEqualTo(
                new ConsumerMemberMetadataValue(null, null, "c", "h", List.of("orders"), null, null, 30_000));

        // Target metadata with its time, and without (the oldest layout).
        ByteBuffer target = ByteBuffer.allocate(2 + 4 + 8).putShort((short) 0).putInt(4).putLong(1_700_000_000_000L);
        assertThat(read(new TargetAssignmentMetadataKey(GROUP), target.array()))
                .isEqualTo(new TargetAssignmentMetadataValue(4, 1_700_000_000_000L));
        ByteBuffer oldest = ByteBuffer.allocate(2 + 4).putShort((short) 0).putInt(4);
        assertThat(read(new TargetAssignmentMetadataKey(GROUP), oldest.array()))
                .isEqualTo(new TargetAssignmentMetadataValue(4, 0));

        // Current assignment: epoch 6 (before 5), stable, orders 0 and 1, nothing pending, orders-0 given at 3.
        ByteBuffer current = ByteBuffer.allocate(64);
        current.putShort((short) 0).putInt(6).putInt(5).put((byte) 0)
                .putInt(1).putShort((short) 6).put(bytes("orders")).putInt(2).putInt(0).putInt(1)
                .putInt(0)
                .putInt(1).putShort((short) 6).put(bytes("orders")).putInt(1).putInt(0).putInt(3).flip();
        byte[] currentBytes = new byte[current.remaining()];
        current.get(currentBytes);
        assertThat(read(new ConsumerMemberAssignmentKey(GROUP, "m"), currentBytes)).isEqualTo(
                new ConsumerMemberAssignmentValue(6, 5, MemberState.STABLE, Map.of("orders", Set.of(0, 1)), Map.of(),
                        Map.of("orders", Map.of(0, 3))));
        // The oldest, without the epochs: every partition counts as given at the member epoch.
        int withoutEpochs = currentBytes.length - (4 + 2 + 6 + 4 + 8);
        assertThat(read(new ConsumerMemberAssignmentKey(GROUP, "m"), Arrays.copyOf(currentBytes,
                withoutEpochs))).isEqualTo(new ConsumerMemberAssignmentValue(6, 5, MemberState.STABLE,
                Map.of("orders", Set.of(0, 1)), Map.of()));
    }

    private static byte[] bytes(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}
