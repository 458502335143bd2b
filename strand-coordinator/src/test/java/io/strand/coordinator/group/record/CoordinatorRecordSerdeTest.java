package io.strand.coordinator.group.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.coordinator.group.record.CoordinatorRecord.GroupKey;
import io.strand.coordinator.group.record.CoordinatorRecord.GroupValue;
import io.strand.coordinator.group.record.CoordinatorRecord.MemberValue;
import io.strand.coordinator.group.record.CoordinatorRecord.OffsetKey;
import io.strand.coordinator.group.record.CoordinatorRecord.OffsetValue;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class CoordinatorRecordSerdeTest {

    private static CoordinatorRecord roundTrip(CoordinatorRecord record) {
        byte[] value = CoordinatorRecordSerde.serializeValue(record.value());
        return CoordinatorRecordSerde.deserialize(ByteBuffer.wrap(CoordinatorRecordSerde.serializeKey(record.key())),
                value == null ? null : ByteBuffer.wrap(value));
    }

    @Test
    void offsetRecordsRoundTripWithTheirMetadata() {
        CoordinatorRecord record = new CoordinatorRecord(new OffsetKey("g", "topic-ü", 7),
                new OffsetValue(123L, 4, "meta ✓", 1000L, -1L));

        assertThat(roundTrip(record)).isEqualTo(record);
        assertThat(roundTrip(new CoordinatorRecord(record.key(), null)).isTombstone()).isTrue();
    }

    @Test
    void groupRecordsRoundTripWithMembers() {
        CoordinatorRecord record = new CoordinatorRecord(new GroupKey("g"), new GroupValue("consumer", 3, "range", "m1",
                99L, List.of(new MemberValue("m1", null, "c", "/1.2.3.4", 300, 10, new byte[] {1, 2}, new byte[] {3}),
                        new MemberValue("m2", "i-2", "c", "/1.2.3.5", 300, 10, new byte[0], new byte[0]))));

        assertThat(roundTrip(record)).isEqualTo(record);
        assertThat(roundTrip(new CoordinatorRecord(new GroupKey("g"),
                new GroupValue("", 1, null, null, 5L, List.of())))).isNotNull();
    }

    @Test
    void valueLayoutMatchesTheDocumentedOffsets() {
        byte[] bytes = CoordinatorRecordSerde.serializeValue(new OffsetValue(0x0102030405060708L, 9, "", 11L, 12L));
        ByteBuffer buf = ByteBuffer.wrap(bytes);

        assertThat(buf.getShort(0)).isEqualTo(CoordinatorRecordSerde.VALUE_VERSION);
        assertThat(buf.getLong(CoordinatorRecordSerde.OFFSET_VALUE_COMMITTED_OFFSET_OFFSET)).isEqualTo(0x0102030405060708L);
        assertThat(buf.getInt(CoordinatorRecordSerde.OFFSET_VALUE_LEADER_EPOCH_OFFSET)).isEqualTo(9);
        assertThat(buf.getLong(CoordinatorRecordSerde.OFFSET_VALUE_COMMIT_TIMESTAMP_OFFSET)).isEqualTo(11L);
        assertThat(buf.getLong(CoordinatorRecordSerde.OFFSET_VALUE_EXPIRE_TIMESTAMP_OFFSET)).isEqualTo(12L);
        assertThat(buf.getShort(CoordinatorRecordSerde.OFFSET_VALUE_METADATA_OFFSET)).isZero();

        ByteBuffer group = ByteBuffer.wrap(CoordinatorRecordSerde.serializeValue(
                new GroupValue("consumer", 0x01020304, null, null, 0x0A0B0C0D0E0F0102L, List.of())));
        assertThat(group.getInt(CoordinatorRecordSerde.GROUP_VALUE_GENERATION_OFFSET)).isEqualTo(0x01020304);
        assertThat(group.getLong(CoordinatorRecordSerde.GROUP_VALUE_STATE_TIMESTAMP_OFFSET)).isEqualTo(0x0A0B0C0D0E0F0102L);
        assertThat(group.getShort(CoordinatorRecordSerde.GROUP_VALUE_PROTOCOL_TYPE_OFFSET)).isEqualTo((short) 8);
        ByteBuffer key = ByteBuffer.wrap(CoordinatorRecordSerde.serializeKey(new OffsetKey("g", "t", 1)));
        assertThat(key.getShort(CoordinatorRecordSerde.KEY_TYPE_FIELD_OFFSET)).isEqualTo(CoordinatorRecordSerde.OFFSET_KEY_TYPE);
    }

    @Test
    void unknownVersionsAndTruncatedBytesAreRefusedWithContext() {
        byte[] key = CoordinatorRecordSerde.serializeKey(new GroupKey("g"));
        ByteBuffer futureValue = ByteBuffer.allocate(2).putShort(0, (short) 9);

        assertThatThrownBy(() -> CoordinatorRecordSerde.deserialize(ByteBuffer.wrap(key), futureValue))
                .isInstanceOf(CoordinatorRecordFormatException.class).hasMessageContaining("version=9");
        assertThatThrownBy(() -> CoordinatorRecordSerde.deserialize(ByteBuffer.wrap(new byte[] {0, 42}), null))
                .isInstanceOf(CoordinatorRecordFormatException.class).hasMessageContaining("keyType=42");
        assertThatThrownBy(() -> CoordinatorRecordSerde.deserialize(ByteBuffer.wrap(key),
                ByteBuffer.wrap(new byte[] {0, 0, 1})))
                .isInstanceOf(CoordinatorRecordFormatException.class);
    }

    @Test
    void shortKeysAndNullKeyFieldsAreRefusedAsFormatErrors() {
        ByteBuffer nullTopic = ByteBuffer.allocate(11).putShort(CoordinatorRecordSerde.OFFSET_KEY_TYPE)
                .putShort((short) 1).put((byte) 'g').putShort((short) -1).putInt(0).flip();

        assertThatThrownBy(() -> CoordinatorRecordSerde.deserialize(ByteBuffer.wrap(new byte[] {1}), null))
                .isInstanceOf(CoordinatorRecordFormatException.class).hasMessageContaining("keyBytes=1");
        assertThatThrownBy(() -> CoordinatorRecordSerde.deserialize(ByteBuffer.wrap(new byte[0]), null))
                .isInstanceOf(CoordinatorRecordFormatException.class);
        assertThatThrownBy(() -> CoordinatorRecordSerde.deserialize(nullTopic, null))
                .isInstanceOf(CoordinatorRecordFormatException.class);
        assertThatThrownBy(() -> CoordinatorRecordSerde.deserialize(
                ByteBuffer.wrap(CoordinatorRecordSerde.serializeKey(new GroupKey("g"))), ByteBuffer.allocate(1)))
                .isInstanceOf(CoordinatorRecordFormatException.class).hasMessageContaining("valueBytes=1");
    }

    @Test
    void consumerGroupRecordsRoundTrip() {
        java.util.List<CoordinatorRecord> records = java.util.List.of(
                new CoordinatorRecord(new CoordinatorRecord.ConsumerGroupMetadataKey("g"),
                        new CoordinatorRecord.ConsumerGroupMetadataValue(7, java.util.Map.of("a", 3, "b", 1))),
                new CoordinatorRecord(new CoordinatorRecord.ConsumerMemberMetadataKey("g", "m"),
                        new CoordinatorRecord.ConsumerMemberMetadataValue("i", null, "c", "/h", List.of("a", "b"),
                                "x.*", "range", 30_000)),
                new CoordinatorRecord(new CoordinatorRecord.TargetAssignmentMetadataKey("g"),
                        new CoordinatorRecord.TargetAssignmentMetadataValue(7, 1_700_000_000_000L)),
                new CoordinatorRecord(new CoordinatorRecord.TargetAssignmentMemberKey("g", "m"),
                        new CoordinatorRecord.TargetAssignmentMemberValue(java.util.Map.of("a", java.util.Set.of(0, 2)))),
                new CoordinatorRecord(new CoordinatorRecord.ConsumerMemberAssignmentKey("g", "m"),
                        new CoordinatorRecord.ConsumerMemberAssignmentValue(6, 5, MemberState.UNREVOKED_PARTITIONS,
                                java.util.Map.of("a", java.util.Set.of(0)), java.util.Map.of("b", java.util.Set.of(0)),
                                java.util.Map.of("a", java.util.Map.of(0, 4), "b", java.util.Map.of(0, 6)))),
                new CoordinatorRecord(new CoordinatorRecord.ConsumerMemberAssignmentKey("g", "m"), null));
        for (CoordinatorRecord record : records) {
            byte[] value = CoordinatorRecordSerde.serializeValue(record.value());
            CoordinatorRecord back = CoordinatorRecordSerde.deserialize(
                    ByteBuffer.wrap(CoordinatorRecordSerde.serializeKey(record.key())),
                    value == null ? null : ByteBuffer.wrap(value));
            assertThat(back).isEqualTo(record);
        }
        ByteBuffer key = ByteBuffer.wrap(CoordinatorRecordSerde.serializeKey(
                new CoordinatorRecord.ConsumerMemberAssignmentKey("g", "m")));
        assertThat(key.getShort(CoordinatorRecordSerde.KEY_TYPE_FIELD_OFFSET))
                .isEqualTo(CoordinatorRecordSerde.CONSUMER_MEMBER_ASSIGNMENT_KEY_TYPE);
    }

    @Test
    void recordsWrittenBeforeTheAssignmentTimeAndEpochsReadWithout() {
        CoordinatorRecord.TargetAssignmentMetadataKey metadataKey = new CoordinatorRecord.TargetAssignmentMetadataKey("g");
        byte[] metadata = CoordinatorRecordSerde.serializeValue(
                new CoordinatorRecord.TargetAssignmentMetadataValue(7, 1_700_000_000_000L));
        CoordinatorRecord oldMetadata = CoordinatorRecordSerde.deserialize(
                ByteBuffer.wrap(CoordinatorRecordSerde.serializeKey(metadataKey)),
                ByteBuffer.wrap(metadata, 0, metadata.length - Long.BYTES));
        assertThat(oldMetadata.value()).isEqualTo(new CoordinatorRecord.TargetAssignmentMetadataValue(7, 0));

        CoordinatorRecord.ConsumerMemberAssignmentKey memberKey =
                new CoordinatorRecord.ConsumerMemberAssignmentKey("g", "m");
        byte[] member = CoordinatorRecordSerde.serializeValue(new CoordinatorRecord.ConsumerMemberAssignmentValue(
                6, 5, MemberState.STABLE, java.util.Map.of("a", java.util.Set.of(0)), java.util.Map.of()));
        // No epochs written is a count of 0 at the end; a record from before ends without it.
        CoordinatorRecord oldMember = CoordinatorRecordSerde.deserialize(
                ByteBuffer.wrap(CoordinatorRecordSerde.serializeKey(memberKey)),
                ByteBuffer.wrap(member, 0, member.length - Integer.BYTES));
        CoordinatorRecord.ConsumerMemberAssignmentValue value =
                (CoordinatorRecord.ConsumerMemberAssignmentValue) oldMember.value();
        assertThat(value.assignmentEpochs()).isEmpty();
        assertThat(value.assignmentEpochOf("a", 0)).isEqualTo(6);
        assertThat(value.assignmentEpochOf("a", 1)).isNull();
    }
}
