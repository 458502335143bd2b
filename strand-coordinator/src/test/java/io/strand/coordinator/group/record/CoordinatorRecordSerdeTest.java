package io.strand.coordinator.group.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.coordinator.group.record.CoordinatorRecord.GroupKey;
import io.strand.coordinator.group.record.CoordinatorRecord.GroupValue;
import io.strand.coordinator.group.record.CoordinatorRecord.MemberValue;
import io.strand.coordinator.group.record.CoordinatorRecord.OffsetKey;
import io.strand.coordinator.group.record.CoordinatorRecord.OffsetValue;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.coordinator.group.generated.GroupMetadataKey;
import org.apache.kafka.coordinator.group.generated.GroupMetadataValue;
import org.apache.kafka.coordinator.group.generated.OffsetCommitKey;
import org.apache.kafka.coordinator.group.generated.OffsetCommitValue;
import org.junit.jupiter.api.Test;

class CoordinatorRecordSerdeTest {

    private static CoordinatorRecord roundTrip(CoordinatorRecord record) {
        byte[] value = CoordinatorRecordSerde.serializeValue(record.value(), TopicIds.NONE);
        return CoordinatorRecordSerde.deserialize(ByteBuffer.wrap(CoordinatorRecordSerde.serializeKey(record.key())),
                value == null ? null : ByteBuffer.wrap(value), TopicIds.NONE);
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

    /** Asserts Strand's bytes for {@code record} are Kafka's key and value, and that Kafka's bytes read back. */
    private static void assertKafkasBytes(CoordinatorRecord record, ApiMessage kafkaKey, ApiMessage kafkaValue,
                                          short valueVersion) {
        byte[] key = MessageUtil.toCoordinatorTypePrefixedBytes(kafkaKey);
        assertThat(CoordinatorRecordSerde.serializeKey(record.key())).as("key").isEqualTo(key);
        byte[] value = MessageUtil.toVersionPrefixedBytes(valueVersion, kafkaValue);
        assertThat(CoordinatorRecordSerde.serializeValue(record.value(), TopicIds.NONE)).as("value").isEqualTo(value);
        assertThat(CoordinatorRecordSerde.deserialize(ByteBuffer.wrap(key), ByteBuffer.wrap(value), TopicIds.NONE)).isEqualTo(record);
    }

    @Test
    void offsetCommitsAreKafkasRecordsVersionThreeOrOneWithAnExpiry() {
        OffsetCommitKey key = new OffsetCommitKey().setGroup("g-ü").setTopic("topic").setPartition(7);
        assertKafkasBytes(new CoordinatorRecord(new OffsetKey("g-ü", "topic", 7), new OffsetValue(123L, 4, "meta ✓",
                        1000L, -1L)), key,
                new OffsetCommitValue().setOffset(123L).setLeaderEpoch(4).setMetadata("meta ✓").setCommitTimestamp(1000L),
                (short) 3);
        // Version 1 has no leader epoch: it reads back as -1, as Kafka's does.
        assertKafkasBytes(new CoordinatorRecord(new OffsetKey("g-ü", "topic", 7), new OffsetValue(123L, -1, "",
                        1000L, 61_000L)), key,
                new OffsetCommitValue().setOffset(123L).setMetadata("").setCommitTimestamp(1000L)
                        .setExpireTimestamp(61_000L), (short) 1);
        assertThat(CoordinatorRecordSerde.serializeValue(new OffsetValue(1L, 4, "", 2L, 3L), TopicIds.NONE))
                .isEqualTo(MessageUtil.toVersionPrefixedBytes((short) 1, new OffsetCommitValue().setOffset(1L)
                        .setMetadata("").setCommitTimestamp(2L).setExpireTimestamp(3L)));
    }

    @Test
    void groupMetadataIsKafkasRecordVersionThree() {
        GroupMetadataKey key = new GroupMetadataKey().setGroup("g");
        assertKafkasBytes(new CoordinatorRecord(new GroupKey("g"), new GroupValue("consumer", 3, "range", "m1", 99L,
                        List.of(new MemberValue("m1", null, "c", "/1.2.3.4", 300, 10, new byte[] {1, 2}, new byte[] {3}),
                                new MemberValue("m2", "i-2", "c", "/1.2.3.5", 300, 10, new byte[0], new byte[0])))),
                key, new GroupMetadataValue().setProtocolType("consumer").setGeneration(3).setProtocol("range")
                        .setLeader("m1").setCurrentStateTimestamp(99L).setMembers(List.of(
                                new GroupMetadataValue.MemberMetadata().setMemberId("m1").setGroupInstanceId(null)
                                        .setClientId("c").setClientHost("/1.2.3.4").setRebalanceTimeout(300)
                                        .setSessionTimeout(10).setSubscription(new byte[] {1, 2})
                                        .setAssignment(new byte[] {3}),
                                new GroupMetadataValue.MemberMetadata().setMemberId("m2").setGroupInstanceId("i-2")
                                        .setClientId("c").setClientHost("/1.2.3.5").setRebalanceTimeout(300)
                                        .setSessionTimeout(10).setSubscription(new byte[0])
                                        .setAssignment(new byte[0]))),
                (short) 3);
        // An empty group: no protocol, no leader.
        assertKafkasBytes(new CoordinatorRecord(new GroupKey("g"), new GroupValue("", 1, null, null, 5L, List.of())),
                key, new GroupMetadataValue().setProtocolType("").setGeneration(1).setProtocol(null).setLeader(null)
                        .setCurrentStateTimestamp(5L), (short) 3);
    }

    @Test
    void theEarlierLayoutOfVersionZeroStillLoads() {
        ByteBuffer offset = ByteBuffer.allocate(2 + 8 + 4 + 8 + 8 + 2 + 4);
        offset.putShort((short) 0).putLong(123L).putInt(4).putLong(1000L).putLong(-1L).putShort((short) 4)
                .put("meta".getBytes(StandardCharsets.UTF_8)).flip();
        assertThat(CoordinatorRecordSerde.deserialize(ByteBuffer.wrap(CoordinatorRecordSerde.serializeKey(
                new OffsetKey("g", "t", 1))), offset, TopicIds.NONE).value()).isEqualTo(new OffsetValue(123L, 4, "meta", 1000L, -1L));

        ByteBuffer group = ByteBuffer.allocate(64);
        group.putShort((short) 0).putInt(5).putLong(99L).putShort((short) 8).put("consumer".getBytes(StandardCharsets.UTF_8))
                .putShort((short) -1).putShort((short) -1).putInt(1)
                .putShort((short) 2).put("m1".getBytes(StandardCharsets.UTF_8)).putShort((short) -1)
                .putShort((short) 1).put((byte) 'c').putShort((short) 1).put((byte) 'h').putInt(300).putInt(10)
                .putInt(1).put((byte) 7).putInt(0).flip();
        assertThat(CoordinatorRecordSerde.deserialize(ByteBuffer.wrap(CoordinatorRecordSerde.serializeKey(
                new GroupKey("g"))), group, TopicIds.NONE).value()).isEqualTo(new GroupValue("consumer", 5, null, null, 99L,
                List.of(new MemberValue("m1", null, "c", "h", 300, 10, new byte[] {7}, new byte[0]))));
    }

    @Test
    void unknownVersionsAndTruncatedBytesAreRefusedWithContext() {
        byte[] key = CoordinatorRecordSerde.serializeKey(new GroupKey("g"));
        ByteBuffer futureValue = ByteBuffer.allocate(2).putShort(0, (short) 9);

        assertThatThrownBy(() -> CoordinatorRecordSerde.deserialize(ByteBuffer.wrap(key), futureValue, TopicIds.NONE))
                .isInstanceOf(CoordinatorRecordFormatException.class).hasMessageContaining("version=9");
        assertThatThrownBy(() -> CoordinatorRecordSerde.deserialize(ByteBuffer.wrap(new byte[] {0, 42}), null, TopicIds.NONE))
                .isInstanceOf(CoordinatorRecordFormatException.class).hasMessageContaining("keyType=42");
        assertThatThrownBy(() -> CoordinatorRecordSerde.deserialize(ByteBuffer.wrap(key),
                ByteBuffer.wrap(new byte[] {0, 0, 1}), TopicIds.NONE))
                .isInstanceOf(CoordinatorRecordFormatException.class);
    }

    @Test
    void shortKeysAndNullKeyFieldsAreRefusedAsFormatErrors() {
        ByteBuffer nullTopic = ByteBuffer.allocate(11).putShort(CoordinatorRecordSerde.OFFSET_KEY_TYPE)
                .putShort((short) 1).put((byte) 'g').putShort((short) -1).putInt(0).flip();

        assertThatThrownBy(() -> CoordinatorRecordSerde.deserialize(ByteBuffer.wrap(new byte[] {1}), null, TopicIds.NONE))
                .isInstanceOf(CoordinatorRecordFormatException.class).hasMessageContaining("keyBytes=1");
        assertThatThrownBy(() -> CoordinatorRecordSerde.deserialize(ByteBuffer.wrap(new byte[0]), null, TopicIds.NONE))
                .isInstanceOf(CoordinatorRecordFormatException.class);
        assertThatThrownBy(() -> CoordinatorRecordSerde.deserialize(nullTopic, null, TopicIds.NONE))
                .isInstanceOf(CoordinatorRecordFormatException.class);
        assertThatThrownBy(() -> CoordinatorRecordSerde.deserialize(
                ByteBuffer.wrap(CoordinatorRecordSerde.serializeKey(new GroupKey("g"))), ByteBuffer.allocate(1), TopicIds.NONE))
                .isInstanceOf(CoordinatorRecordFormatException.class).hasMessageContaining("valueBytes=1");
    }
}
