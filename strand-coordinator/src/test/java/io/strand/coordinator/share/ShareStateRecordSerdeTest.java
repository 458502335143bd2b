package io.strand.coordinator.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.coordinator.share.generated.ShareSnapshotKey;
import org.apache.kafka.coordinator.share.generated.ShareSnapshotValue;
import org.apache.kafka.coordinator.share.generated.ShareUpdateKey;
import org.apache.kafka.coordinator.share.generated.ShareUpdateValue;
import org.junit.jupiter.api.Test;

/** {@code __share_group_state} records are Kafka's bytes: checked against Kafka's generated classes. */
class ShareStateRecordSerdeTest {

    private static final Uuid TOPIC_ID = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ");
    private static final ShareStateKey KEY = new ShareStateKey("group-ü", TOPIC_ID, 7);
    private static final List<StateBatch> BATCHES = List.of(new StateBatch(100, 104, StateBatch.ACKNOWLEDGED, (short) 1),
            new StateBatch(105, 105, StateBatch.AVAILABLE, (short) 3));

    @Test
    void aSnapshotIsKafkasShareSnapshotRecord() {
        ShareStateRecord.Snapshot snapshot = new ShareStateRecord.Snapshot(KEY,
                new ShareState(2, 1, 5, 100, 4, 1_000L, 2_000L, BATCHES, 0));

        byte[] kafkaKey = MessageUtil.toCoordinatorTypePrefixedBytes(new ShareSnapshotKey().setGroupId(KEY.groupId())
                .setTopicId(TOPIC_ID).setPartition(7));
        ShareSnapshotValue value = new ShareSnapshotValue().setSnapshotEpoch(2).setStateEpoch(1).setLeaderEpoch(5)
                .setStartOffset(100).setDeliveryCompleteCount(4).setCreateTimestamp(1_000L).setWriteTimestamp(2_000L)
                .setStateBatches(List.of(
                        new ShareSnapshotValue.StateBatch().setFirstOffset(100).setLastOffset(104)
                                .setDeliveryState((byte) 2).setDeliveryCount((short) 1),
                        new ShareSnapshotValue.StateBatch().setFirstOffset(105).setLastOffset(105)
                                .setDeliveryState((byte) 0).setDeliveryCount((short) 3)));
        byte[] kafkaValue = MessageUtil.toVersionPrefixedBytes((short) 0, value);

        assertThat(ShareStateRecordSerde.serializeKey(snapshot)).isEqualTo(kafkaKey);
        assertThat(ShareStateRecordSerde.serializeValue(snapshot)).isEqualTo(kafkaValue);
        assertThat(ShareStateRecordSerde.deserialize(ByteBuffer.wrap(kafkaKey), ByteBuffer.wrap(kafkaValue)))
                .isEqualTo(snapshot);
    }

    @Test
    void anUpdateIsKafkasShareUpdateRecordAndAnUnknownDeliveryCompleteCountIsNotWritten() {
        ShareStateRecord.Update update = new ShareStateRecord.Update(KEY, 2, -1, 105, -1, BATCHES.subList(1, 2));

        byte[] kafkaKey = MessageUtil.toCoordinatorTypePrefixedBytes(new ShareUpdateKey().setGroupId(KEY.groupId())
                .setTopicId(TOPIC_ID).setPartition(7));
        ShareUpdateValue value = new ShareUpdateValue().setSnapshotEpoch(2).setLeaderEpoch(-1).setStartOffset(105)
                .setStateBatches(List.of(new ShareUpdateValue.StateBatch().setFirstOffset(105).setLastOffset(105)
                        .setDeliveryState((byte) 0).setDeliveryCount((short) 3)));
        byte[] kafkaValue = MessageUtil.toVersionPrefixedBytes((short) 0, value);

        assertThat(ShareStateRecordSerde.serializeKey(update)).isEqualTo(kafkaKey);
        assertThat(ShareStateRecordSerde.serializeValue(update)).isEqualTo(kafkaValue);
        ShareUpdateValue read = new ShareUpdateValue(new ByteBufferAccessor(
                ByteBuffer.wrap(ShareStateRecordSerde.serializeValue(update), 2, kafkaValue.length - 2)), (short) 0);
        assertThat(read).isEqualTo(value);
        assertThat(ShareStateRecordSerde.deserialize(ByteBuffer.wrap(kafkaKey), ByteBuffer.wrap(kafkaValue)))
                .isEqualTo(update);
    }

    @Test
    void aTombstoneIsASnapshotKeyWithoutValue() {
        ShareStateRecord.Tombstone tombstone = new ShareStateRecord.Tombstone(KEY);

        assertThat(ShareStateRecordSerde.serializeValue(tombstone)).isNull();
        assertThat(ShareStateRecordSerde.deserialize(ByteBuffer.wrap(ShareStateRecordSerde.serializeKey(tombstone)),
                null)).isEqualTo(tombstone);
    }

    @Test
    void unknownRecordTypesAndTruncatedValuesAreRefused() {
        byte[] key = ShareStateRecordSerde.serializeKey(new ShareStateRecord.Tombstone(KEY));
        key[1] = 9;
        assertThatThrownBy(() -> ShareStateRecordSerde.deserialize(ByteBuffer.wrap(key), null))
                .isInstanceOf(ShareStateRecordSerde.FormatException.class).hasMessageContaining("type=9");
        ShareStateRecord.Update update = new ShareStateRecord.Update(KEY, 0, 1, 0, -1, BATCHES);
        byte[] value = ShareStateRecordSerde.serializeValue(update);
        assertThatThrownBy(() -> ShareStateRecordSerde.deserialize(
                ByteBuffer.wrap(ShareStateRecordSerde.serializeKey(update)), ByteBuffer.wrap(value, 0, 20)))
                .isInstanceOf(ShareStateRecordSerde.FormatException.class);
    }
}
