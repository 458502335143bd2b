package io.strand.coordinator.group.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.coordinator.group.record.ShareGroupRecords.TopicPartitions;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.coordinator.group.generated.ShareGroupCurrentMemberAssignmentKey;
import org.apache.kafka.coordinator.group.generated.ShareGroupCurrentMemberAssignmentValue;
import org.apache.kafka.coordinator.group.generated.ShareGroupMemberMetadataKey;
import org.apache.kafka.coordinator.group.generated.ShareGroupMemberMetadataValue;
import org.apache.kafka.coordinator.group.generated.ShareGroupMetadataKey;
import org.apache.kafka.coordinator.group.generated.ShareGroupMetadataValue;
import org.apache.kafka.coordinator.group.generated.ShareGroupStatePartitionMetadataKey;
import org.apache.kafka.coordinator.group.generated.ShareGroupStatePartitionMetadataValue;
import org.apache.kafka.coordinator.group.generated.ShareGroupTargetAssignmentMemberKey;
import org.apache.kafka.coordinator.group.generated.ShareGroupTargetAssignmentMemberValue;
import org.apache.kafka.coordinator.group.generated.ShareGroupTargetAssignmentMetadataKey;
import org.apache.kafka.coordinator.group.generated.ShareGroupTargetAssignmentMetadataValue;
import org.junit.jupiter.api.Test;

/**
 * The share group records of {@code __consumer_offsets} are Kafka's bytes: each key and value is checked
 * against Kafka's generated classes, both ways (Strand writes what Kafka writes, and reads what Kafka wrote).
 */
class ShareRecordsSerdeTest {

    private static final Uuid T1 = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ");
    private static final Uuid T2 = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAg");
    private static final String GROUP = "group-ü";

    /** Asserts Strand's bytes for {@code record} are Kafka's key and value, and that Kafka's bytes read back. */
    private static void assertKafkasBytes(CoordinatorRecord record, ApiMessage kafkaKey, ApiMessage kafkaValue) {
        byte[] key = MessageUtil.toCoordinatorTypePrefixedBytes(kafkaKey);
        assertThat(CoordinatorRecordSerde.serializeKey(record.key())).as("key").isEqualTo(key);
        if (kafkaValue == null) {
            assertThat(CoordinatorRecordSerde.serializeValue(record.value(), TopicIds.NONE)).isNull();
            assertThat(CoordinatorRecordSerde.deserialize(ByteBuffer.wrap(key), null, TopicIds.NONE)).isEqualTo(record);
            return;
        }
        byte[] value = MessageUtil.toVersionPrefixedBytes((short) 0, kafkaValue);
        assertThat(CoordinatorRecordSerde.serializeValue(record.value(), TopicIds.NONE)).as("value").isEqualTo(value);
        assertThat(CoordinatorRecordSerde.deserialize(ByteBuffer.wrap(key), ByteBuffer.wrap(value), TopicIds.NONE)).isEqualTo(record);
    }

    @Test
    void memberMetadataIsKafkasShareGroupMemberMetadata() {
        assertKafkasBytes(new CoordinatorRecord(new ShareGroupRecords.MemberMetadataKey(GROUP, "m-1"),
                        new ShareGroupRecords.MemberMetadataValue("rack-a", "client", "/10.0.0.1", List.of("a", "b"))),
                new ShareGroupMemberMetadataKey().setGroupId(GROUP).setMemberId("m-1"),
                new ShareGroupMemberMetadataValue().setRackId("rack-a").setClientId("client")
                        .setClientHost("/10.0.0.1").setSubscribedTopicNames(List.of("a", "b")));
        assertKafkasBytes(new CoordinatorRecord(new ShareGroupRecords.MemberMetadataKey(GROUP, "m-1"),
                        new ShareGroupRecords.MemberMetadataValue(null, "", "/h", List.of())),
                new ShareGroupMemberMetadataKey().setGroupId(GROUP).setMemberId("m-1"),
                new ShareGroupMemberMetadataValue().setRackId(null).setClientId("").setClientHost("/h")
                        .setSubscribedTopicNames(List.of()));
        assertKafkasBytes(new CoordinatorRecord(new ShareGroupRecords.MemberMetadataKey(GROUP, "m-1"), null),
                new ShareGroupMemberMetadataKey().setGroupId(GROUP).setMemberId("m-1"), null);
    }

    @Test
    void groupMetadataIsKafkasShareGroupMetadata() {
        assertKafkasBytes(new CoordinatorRecord(new ShareGroupRecords.GroupMetadataKey(GROUP),
                        new ShareGroupRecords.GroupMetadataValue(7, 0x0102030405060708L)),
                new ShareGroupMetadataKey().setGroupId(GROUP),
                new ShareGroupMetadataValue().setEpoch(7).setMetadataHash(0x0102030405060708L));
        assertKafkasBytes(new CoordinatorRecord(new ShareGroupRecords.GroupMetadataKey(GROUP), null),
                new ShareGroupMetadataKey().setGroupId(GROUP), null);
    }

    @Test
    void targetAssignmentMetadataIsKafkasWithItsTaggedTimestamp() {
        assertKafkasBytes(new CoordinatorRecord(new ShareGroupRecords.TargetAssignmentMetadataKey(GROUP),
                        new ShareGroupRecords.TargetAssignmentMetadataValue(3, 1_700_000_000_000L)),
                new ShareGroupTargetAssignmentMetadataKey().setGroupId(GROUP),
                new ShareGroupTargetAssignmentMetadataValue().setAssignmentEpoch(3)
                        .setAssignmentTimestamp(1_700_000_000_000L));
        assertKafkasBytes(new CoordinatorRecord(new ShareGroupRecords.TargetAssignmentMetadataKey(GROUP),
                        new ShareGroupRecords.TargetAssignmentMetadataValue(3, 0)),
                new ShareGroupTargetAssignmentMetadataKey().setGroupId(GROUP),
                new ShareGroupTargetAssignmentMetadataValue().setAssignmentEpoch(3));
    }

    @Test
    void assignmentsAreKafkasTargetAndCurrentMemberAssignments() {
        Map<Uuid, java.util.SortedSet<Integer>> partitions = Map.of(T1, new TreeSet<>(List.of(0, 1, 2)),
                T2, new TreeSet<>(List.of(4)));
        assertKafkasBytes(new CoordinatorRecord(new ShareGroupRecords.TargetAssignmentMemberKey(GROUP, "m"),
                        new ShareGroupRecords.TargetAssignmentMemberValue(partitions)),
                new ShareGroupTargetAssignmentMemberKey().setGroupId(GROUP).setMemberId("m"),
                new ShareGroupTargetAssignmentMemberValue().setTopicPartitions(List.of(
                        new ShareGroupTargetAssignmentMemberValue.TopicPartition().setTopicId(T1)
                                .setPartitions(List.of(0, 1, 2)),
                        new ShareGroupTargetAssignmentMemberValue.TopicPartition().setTopicId(T2)
                                .setPartitions(List.of(4)))));
        assertKafkasBytes(new CoordinatorRecord(new ShareGroupRecords.MemberAssignmentKey(GROUP, "m"),
                        new ShareGroupRecords.MemberAssignmentValue(5, 4, MemberState.STABLE, partitions)),
                new ShareGroupCurrentMemberAssignmentKey().setGroupId(GROUP).setMemberId("m"),
                new ShareGroupCurrentMemberAssignmentValue().setMemberEpoch(5).setPreviousMemberEpoch(4)
                        .setState((byte) 0).setAssignedPartitions(List.of(
                                new ShareGroupCurrentMemberAssignmentValue.TopicPartitions().setTopicId(T1)
                                        .setPartitions(List.of(0, 1, 2)),
                                new ShareGroupCurrentMemberAssignmentValue.TopicPartitions().setTopicId(T2)
                                        .setPartitions(List.of(4)))));
        assertKafkasBytes(new CoordinatorRecord(new ShareGroupRecords.MemberAssignmentKey(GROUP, "m"), null),
                new ShareGroupCurrentMemberAssignmentKey().setGroupId(GROUP).setMemberId("m"), null);
    }

    @Test
    void statePartitionMetadataIsKafkasWithItsThreeLists() {
        ShareGroupRecords.StatePartitionMetadataValue value = new ShareGroupRecords.StatePartitionMetadataValue(
                Map.of(T2, new TopicPartitions("two", new TreeSet<>(List.of(3)))),
                Map.of(T1, new TopicPartitions("one", new TreeSet<>(List.of(0, 1)))),
                Map.of(Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAw"), "three"));
        assertKafkasBytes(new CoordinatorRecord(new ShareGroupRecords.StatePartitionMetadataKey(GROUP), value),
                new ShareGroupStatePartitionMetadataKey().setGroupId(GROUP),
                new ShareGroupStatePartitionMetadataValue()
                        .setInitializingTopics(List.of(new ShareGroupStatePartitionMetadataValue.TopicPartitionsInfo()
                                .setTopicId(T2).setTopicName("two").setPartitions(List.of(3))))
                        .setInitializedTopics(List.of(new ShareGroupStatePartitionMetadataValue.TopicPartitionsInfo()
                                .setTopicId(T1).setTopicName("one").setPartitions(List.of(0, 1))))
                        .setDeletingTopics(List.of(new ShareGroupStatePartitionMetadataValue.TopicInfo()
                                .setTopicId(Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAw")).setTopicName("three"))));
        assertKafkasBytes(new CoordinatorRecord(new ShareGroupRecords.StatePartitionMetadataKey(GROUP),
                        ShareGroupRecords.StatePartitionMetadataValue.EMPTY),
                new ShareGroupStatePartitionMetadataKey().setGroupId(GROUP),
                new ShareGroupStatePartitionMetadataValue());
    }

    @Test
    void truncatedShareValuesAreFormatErrors() {
        byte[] key = CoordinatorRecordSerde.serializeKey(new ShareGroupRecords.StatePartitionMetadataKey(GROUP));
        byte[] value = CoordinatorRecordSerde.serializeValue(new ShareGroupRecords.StatePartitionMetadataValue(Map.of(),
                Map.of(T1, new TopicPartitions("one", new TreeSet<>(List.of(0, 1)))), Map.of()), TopicIds.NONE);
        ByteBuffer truncated = ByteBuffer.wrap(value, 0, value.length - 6).slice();

        assertThatThrownBy(() -> CoordinatorRecordSerde.deserialize(ByteBuffer.wrap(key), truncated, TopicIds.NONE))
                .isInstanceOf(CoordinatorRecordFormatException.class);
    }
}
