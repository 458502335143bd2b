package io.strand.coordinator.txn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.coordinator.transaction.generated.TransactionLogKey;
import org.apache.kafka.coordinator.transaction.generated.TransactionLogValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The records of {@code __transaction_state} against Kafka's own generated classes (the
 * kafka-transaction-coordinator jar, tests only): the same bytes both ways, at both value versions.
 */
class TransactionRecordSerdeTest {

    private static final Set<TopicPartition> PARTITIONS = Set.of(new TopicPartition("orders", 2),
            new TopicPartition("orders", 0), new TopicPartition("payments-ü", 7));

    private static TransactionMetadata value(TransactionState state, Set<TopicPartition> partitions) {
        return new TransactionMetadata(4711L, 4710L, 4712L, (short) 17, (short) -1, (short) -1, 60_000, state,
                partitions, 1_700_000_000_123L, 1_700_000_000_001L, (short) 2);
    }

    /** Kafka's value for {@code v}, built with the generated class (topics in the serde's order). */
    private static TransactionLogValue kafkaValue(TransactionMetadata v, short version) {
        List<TransactionLogValue.PartitionsSchema> topics = null;
        if (v.state() != TransactionState.EMPTY) {
            topics = new ArrayList<>();
            for (String topic : v.partitions().stream().map(TopicPartition::topic).distinct().sorted().toList()) {
                topics.add(new TransactionLogValue.PartitionsSchema().setTopic(topic).setPartitionIds(
                        v.partitions().stream().filter(tp -> tp.topic().equals(topic))
                                .map(TopicPartition::partition).sorted().toList()));
            }
        }
        TransactionLogValue value = new TransactionLogValue().setProducerId(v.producerId())
                .setProducerEpoch(v.producerEpoch()).setTransactionTimeoutMs(v.transactionTimeoutMs())
                .setTransactionStatus(v.state().id()).setTransactionPartitions(topics)
                .setTransactionLastUpdateTimestampMs(v.lastUpdateTimestampMs())
                .setTransactionStartTimestampMs(v.startTimestampMs());
        if (version >= 1) {
            value.setPreviousProducerId(v.previousProducerId()).setNextProducerId(v.nextProducerId())
                    .setNextProducerEpoch(v.nextProducerEpoch()).setClientTransactionVersion(v.clientTransactionVersion());
        }
        return value;
    }

    @Test
    void keyIsKafkasTypePrefixedTransactionLogKey() {
        byte[] kafka = MessageUtil.toCoordinatorTypePrefixedBytes(new TransactionLogKey().setTransactionalId("tx-ü-1"));

        assertThat(TransactionRecordSerde.serializeKey("tx-ü-1")).isEqualTo(kafka);
        assertThat(TransactionRecordSerde.deserializeKey(ByteBuffer.wrap(kafka))).isEqualTo("tx-ü-1");
        assertThat(ByteBuffer.wrap(kafka).getShort(0)).isEqualTo(TransactionRecordSerde.KEY_TYPE);
    }

    @ParameterizedTest
    @ValueSource(shorts = {0, 1})
    void valueBytesAreKafkasAtBothVersions(short version) {
        for (TransactionState state : List.of(TransactionState.ONGOING, TransactionState.PREPARE_COMMIT,
                TransactionState.COMPLETE_ABORT)) {
            TransactionMetadata ours = value(state, state == TransactionState.COMPLETE_ABORT ? Set.of() : PARTITIONS);

            byte[] kafka = MessageUtil.toVersionPrefixedBytes(version, kafkaValue(ours, version));

            assertThat(TransactionRecordSerde.serializeValue(ours, version)).as("%s v%d", state, version)
                    .isEqualTo(kafka);
        }
    }

    @Test
    void emptyStateWritesNullPartitionsAsKafkaDoes() {
        TransactionMetadata empty = value(TransactionState.EMPTY, Set.of());

        for (short version = 0; version <= 1; version++) {
            byte[] kafka = MessageUtil.toVersionPrefixedBytes(version, kafkaValue(empty, version));
            assertThat(TransactionRecordSerde.serializeValue(empty, version)).isEqualTo(kafka);
        }
        ByteBuffer v0 = ByteBuffer.wrap(TransactionRecordSerde.serializeValue(empty, (short) 0));
        assertThat(v0.getInt(TransactionRecordSerde.VALUE_PARTITIONS_OFFSET)).isEqualTo(-1);
    }

    @Test
    void defaultTaggedFieldsAreLeftOut() {
        TransactionMetadata plain = new TransactionMetadata(5L, -1L, -1L, (short) 0, (short) -1, (short) -1, 1000,
                TransactionState.ONGOING, Set.of(new TopicPartition("t", 0)), 10L, 9L, (short) 0);

        byte[] kafka = MessageUtil.toVersionPrefixedBytes((short) 1, kafkaValue(plain, (short) 1));

        assertThat(TransactionRecordSerde.serializeValue(plain, (short) 1)).isEqualTo(kafka);
        assertThat(kafka[kafka.length - 1]).as("no tagged fields").isZero();
    }

    @ParameterizedTest
    @EnumSource(value = TransactionState.class, names = {"EMPTY", "ONGOING", "PREPARE_ABORT", "COMPLETE_COMMIT"})
    void kafkasBytesReadBackIntoTheSameMetadata(TransactionState state) {
        TransactionMetadata ours = value(state, state == TransactionState.ONGOING
                || state == TransactionState.PREPARE_ABORT ? PARTITIONS : Set.of());
        byte[] key = MessageUtil.toCoordinatorTypePrefixedBytes(new TransactionLogKey().setTransactionalId("tx"));
        byte[] value = MessageUtil.toVersionPrefixedBytes((short) 1, kafkaValue(ours, (short) 1));

        TransactionRecord record = TransactionRecordSerde.deserialize(ByteBuffer.wrap(key), ByteBuffer.wrap(value));

        assertThat(record).isEqualTo(new TransactionRecord("tx", ours.asStored((short) 1)));
    }

    @Test
    void kafkaReadsOurValuesBack() {
        TransactionMetadata ours = value(TransactionState.PREPARE_COMMIT, PARTITIONS);
        ByteBuffer bytes = ByteBuffer.wrap(TransactionRecordSerde.serializeValue(ours, (short) 1));
        short version = bytes.getShort();

        TransactionLogValue kafka = new TransactionLogValue(new ByteBufferAccessor(bytes), version);

        assertThat(kafka.producerId()).isEqualTo(4711L);
        assertThat(kafka.previousProducerId()).isEqualTo(4710L);
        assertThat(kafka.nextProducerId()).isEqualTo(4712L);
        assertThat(kafka.producerEpoch()).isEqualTo((short) 17);
        assertThat(kafka.transactionStatus()).isEqualTo(TransactionState.PREPARE_COMMIT.id());
        assertThat(kafka.clientTransactionVersion()).isEqualTo((short) 2);
        assertThat(kafka.transactionPartitions()).hasSize(2);
        assertThat(kafka.unknownTaggedFields()).isEmpty();
    }

    @Test
    void versionZeroDropsTheTaggedFields() {
        TransactionMetadata ours = value(TransactionState.ONGOING, PARTITIONS);

        TransactionRecord back = TransactionRecordSerde.deserialize(
                ByteBuffer.wrap(TransactionRecordSerde.serializeKey("tx")),
                ByteBuffer.wrap(TransactionRecordSerde.serializeValue(ours, (short) 0)));

        assertThat(back.metadata().previousProducerId()).isEqualTo(-1L);
        assertThat(back.metadata().nextProducerId()).isEqualTo(-1L);
        assertThat(back.metadata().clientTransactionVersion()).isZero();
        assertThat(back.metadata().partitions()).isEqualTo(PARTITIONS);
        assertThat(back.metadata().producerEpoch()).isEqualTo((short) 17);
    }

    @Test
    void valueLayoutMatchesTheDocumentedOffsets() {
        ByteBuffer v = ByteBuffer.wrap(TransactionRecordSerde.serializeValue(value(TransactionState.PREPARE_ABORT,
                PARTITIONS), (short) 0));

        assertThat(v.getShort(0)).isZero();
        assertThat(v.getLong(TransactionRecordSerde.VALUE_PRODUCER_ID_OFFSET)).isEqualTo(4711L);
        assertThat(v.getShort(TransactionRecordSerde.VALUE_PRODUCER_EPOCH_OFFSET)).isEqualTo((short) 17);
        assertThat(v.getInt(TransactionRecordSerde.VALUE_TIMEOUT_OFFSET)).isEqualTo(60_000);
        assertThat(v.get(TransactionRecordSerde.VALUE_STATUS_OFFSET)).isEqualTo(TransactionState.PREPARE_ABORT.id());
        assertThat(v.getInt(TransactionRecordSerde.VALUE_PARTITIONS_OFFSET)).isEqualTo(2);
        assertThat(v.getLong(v.limit() - 8)).isEqualTo(1_700_000_000_001L);
    }

    @Test
    void tombstoneRoundTrips() {
        TransactionRecord record = TransactionRecordSerde.deserialize(
                ByteBuffer.wrap(TransactionRecordSerde.serializeKey("gone")), null);

        assertThat(record.isTombstone()).isTrue();
        assertThat(record.transactionalId()).isEqualTo("gone");
        assertThat(TransactionRecordSerde.serializeValue(null, (short) 1)).isNull();
    }

    @Test
    void unknownKeyTypesValueVersionsAndStatesAreRefusedWithContext() {
        ByteBuffer key = ByteBuffer.wrap(TransactionRecordSerde.serializeKey("tx"));
        ByteBuffer groupKey = ByteBuffer.allocate(5).putShort((short) 2).putShort((short) 1).put((byte) 'g').flip();
        byte[] bad = TransactionRecordSerde.serializeValue(value(TransactionState.ONGOING, PARTITIONS), (short) 1);
        bad[TransactionRecordSerde.VALUE_STATUS_OFFSET] = 42;

        assertThatThrownBy(() -> TransactionRecordSerde.deserialize(groupKey, null))
                .isInstanceOf(TransactionRecordFormatException.class).hasMessageContaining("keyType=2");
        assertThatThrownBy(() -> TransactionRecordSerde.deserialize(key, ByteBuffer.allocate(2).putShort(0, (short) 2)))
                .isInstanceOf(TransactionRecordFormatException.class).hasMessageContaining("version=2");
        assertThatThrownBy(() -> TransactionRecordSerde.deserialize(key, ByteBuffer.wrap(bad)))
                .isInstanceOf(TransactionRecordFormatException.class).hasMessageContaining("status=42");
        assertThatThrownBy(() -> TransactionRecordSerde.deserialize(key, ByteBuffer.wrap(new byte[] {0, 1, 0, 0})))
                .isInstanceOf(TransactionRecordFormatException.class).hasMessageContaining("transactionalId=tx");
        assertThatThrownBy(() -> TransactionRecordSerde.deserialize(ByteBuffer.wrap(new byte[] {0}), null))
                .isInstanceOf(TransactionRecordFormatException.class);
    }

    @Test
    void unknownTaggedFieldsAreSkipped() {
        TransactionLogValue kafka = kafkaValue(value(TransactionState.ONGOING, PARTITIONS), (short) 1);
        kafka.unknownTaggedFields().add(new org.apache.kafka.common.protocol.types.RawTaggedField(9,
                new byte[] {1, 2, 3}));
        byte[] bytes = MessageUtil.toVersionPrefixedBytes((short) 1, kafka);

        TransactionRecord record = TransactionRecordSerde.deserialize(
                ByteBuffer.wrap(TransactionRecordSerde.serializeKey("tx")), ByteBuffer.wrap(bytes));

        assertThat(record.metadata()).isEqualTo(value(TransactionState.ONGOING, PARTITIONS).asStored((short) 1));
    }
}
