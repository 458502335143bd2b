package io.strand.storage.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.storage.TestRecords;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.TransactionCoordinatorFencedException;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Transactions in the producer state, Kafka's rules (its {@code ProducerAppendInfo} and {@code ProducerStateManager}). */
class ProducerStateTransactionsTest {

    static final long P = 10L;
    static final long Q = 20L;
    static final short EPOCH = 3;
    static final long TS = 1_000L;

    @TempDir
    Path dir;

    private ProducerStateManager state() {
        return new ProducerStateManager(new TopicPartition("t", 0), dir);
    }

    /** A transactional data batch of {@code producerId} at [first, last]. */
    private static void data(ProducerStateManager s, long producerId, short epoch, int seq, long first, long last,
            boolean transactional) {
        s.checkAppend(producerId, epoch, seq, seq + (int) (last - first), transactional);
        s.onBatchAppended(producerId, epoch, new ProducerEntry.BatchMetadata(seq, seq + (int) (last - first), first,
                last, TS), transactional);
    }

    @Test
    void aTransactionalBatchStartsTheTransactionAndAMarkerCompletesIt() {
        ProducerStateManager s = state();
        data(s, P, EPOCH, 0, 5, 7, true);
        data(s, P, EPOCH, 3, 8, 8, true);

        assertThat(s.entry(P).currentTxnFirstOffset()).isEqualTo(5L);
        assertThat(s.ongoingTransactions()).containsExactly(Map.entry(5L, P));
        assertThat(s.firstUnstableOffset()).isEqualTo(5L);

        s.checkMarker(P, EPOCH, 0, (short) 0);
        CompletedTxn done = s.onMarker(P, EPOCH, 0, false, 9, TS + 1);

        assertThat(done).isEqualTo(new CompletedTxn(P, 5, 9, true, 10));
        assertThat(s.entry(P).currentTxnFirstOffset()).isEqualTo(-1L);
        assertThat(s.entry(P).coordinatorEpoch()).isZero();
        assertThat(s.entry(P).lastTimestampMs()).isEqualTo(TS + 1);
        assertThat(s.ongoingTransactions()).isEmpty();
        // complete, but the marker is not below the high watermark yet
        assertThat(s.firstUnstableOffset()).isEqualTo(5L);
        s.onHighWatermarkUpdated(9);
        assertThat(s.firstUnstableOffset()).isEqualTo(5L);
        s.onHighWatermarkUpdated(10);
        assertThat(s.firstUnstableOffset()).isEqualTo(-1L);
        assertThat(s.hasUnreplicatedTransactions()).isFalse();
    }

    @Test
    void aMarkerWithoutAnOngoingTransactionCompletesNothing() {
        ProducerStateManager s = state();

        assertThat(s.onMarker(P, EPOCH, 2, true, 0, TS)).isNull();
        assertThat(s.entry(P).producerEpoch()).isEqualTo(EPOCH);
        assertThat(s.entry(P).coordinatorEpoch()).isEqualTo(2);
        assertThat(s.firstUnstableOffset()).isEqualTo(-1L);
    }

    @Test
    void theLastStableOffsetOfACompletedTransactionIsTheEarliestOtherOpenOne() {
        ProducerStateManager s = state();
        data(s, P, EPOCH, 0, 0, 0, true);
        data(s, Q, EPOCH, 0, 1, 1, true);
        data(s, P, EPOCH, 1, 2, 2, true);

        assertThat(s.onMarker(P, EPOCH, 0, false, 3, TS).lastStableOffset()).isEqualTo(1L);
        assertThat(s.onMarker(Q, EPOCH, 0, true, 4, TS)).isEqualTo(new CompletedTxn(Q, 1, 4, false, 5));
        assertThat(s.firstUnstableOffset()).isZero();
        s.onHighWatermarkUpdated(4);
        assertThat(s.firstUnstableOffset()).isEqualTo(1L);
    }

    @Test
    void aNonTransactionalBatchDuringATransactionIsRefusedWithInvalidTxnState() {
        ProducerStateManager s = state();
        data(s, P, EPOCH, 0, 0, 0, true);

        assertThatThrownBy(() -> s.checkAppend(P, EPOCH, 1, 1, false)).isInstanceOf(InvalidTxnStateException.class);
        assertThatThrownBy(() -> s.checkAppend(P, (short) (EPOCH + 1), 0, 0, false))
                .isInstanceOf(InvalidTxnStateException.class);
        // a retry of a batch already in the log is still answered as a duplicate
        assertThat(s.checkAppend(P, EPOCH, 0, 0, true)).isNotNull();
        s.onMarker(P, EPOCH, 0, true, 1, TS);
        assertThat(s.checkAppend(P, EPOCH, 1, 1, false)).isNull();
    }

    @Test
    void markerEpochChecksFollowTheTransactionVersion() {
        ProducerStateManager s = state();
        data(s, P, EPOCH, 0, 0, 0, true);

        assertThatThrownBy(() -> s.checkMarker(P, (short) (EPOCH - 1), 0, (short) 0))
                .isInstanceOf(InvalidProducerEpochException.class);
        s.checkMarker(P, EPOCH, 0, (short) 1);
        // version 2: the coordinator bumps the epoch for the marker, so the same epoch is stale
        assertThatThrownBy(() -> s.checkMarker(P, EPOCH, 0, (short) 2))
                .isInstanceOf(InvalidProducerEpochException.class);
        s.checkMarker(P, (short) (EPOCH + 1), 0, (short) 2);
        s.onMarker(P, (short) (EPOCH + 1), 0, true, 1, TS);
        // a repeat of that marker once the transaction ended is a retry
        s.checkMarker(P, (short) (EPOCH + 1), 0, (short) 2);
    }

    @Test
    void aMarkerFromAnOlderCoordinatorIsFenced() {
        ProducerStateManager s = state();
        s.onMarker(P, EPOCH, 5, true, 0, TS);

        assertThatThrownBy(() -> s.checkMarker(P, EPOCH, 4, (short) 0))
                .isInstanceOf(TransactionCoordinatorFencedException.class);
        s.checkMarker(P, EPOCH, 5, (short) 0);
        s.checkMarker(P, EPOCH, 6, (short) 0);
    }

    @Test
    void aMarkerOfANewerEpochBumpsTheProducerAndForgetsItsBatches() {
        ProducerStateManager s = state();
        data(s, P, EPOCH, 0, 0, 0, true);

        s.onMarker(P, (short) (EPOCH + 1), 0, false, 1, TS);

        assertThat(s.entry(P).producerEpoch()).isEqualTo((short) (EPOCH + 1));
        assertThat(s.entry(P).batches()).isEmpty();
        assertThatThrownBy(() -> s.checkAppend(P, EPOCH, 1, 1, true)).isInstanceOf(InvalidProducerEpochException.class);
    }

    @Test
    void replayAppliesMarkersWithoutChecks() {
        ProducerStateManager s = state();
        s.onMarker(P, EPOCH, 5, true, 0, TS);
        for (MutableRecordBatch b : TestRecords.replicatedTransactional(1, 0, P, EPOCH, 0, TS, "a", "b").batches()) {
            assertThat(s.replay(b)).isNull();
        }
        CompletedTxn done = null;
        // an older coordinator epoch and an older producer epoch: a leader would refuse it, replay applies it
        for (MutableRecordBatch b : TestRecords.replicatedMarker(3, 0, P, (short) (EPOCH - 1), 4, false, TS).batches()) {
            done = s.replay(b);
        }

        assertThat(done).isEqualTo(new CompletedTxn(P, 1, 3, true, 4));
        assertThat(s.entry(P).producerEpoch()).isEqualTo(EPOCH);
        assertThat(s.mapEndOffset()).isEqualTo(4L);
    }

    @Test
    void producersWithAnOngoingTransactionNeverExpire() {
        ProducerStateManager s = state();
        data(s, P, EPOCH, 0, 0, 0, true);
        data(s, Q, EPOCH, 0, 1, 1, false);

        assertThat(s.removeExpiredProducers(TS + 10_000, 1_000)).isEqualTo(1);

        assertThat(s.entry(P)).isNotNull();
        assertThat(s.entry(Q)).isNull();
        s.onMarker(P, EPOCH, 0, true, 2, TS + 10_000);
        assertThat(s.removeExpiredProducers(TS + 10_500, 1_000)).isZero();
        assertThat(s.removeExpiredProducers(TS + 11_000, 1_000)).isEqualTo(1);
    }

    @Test
    void aSnapshotRestoresOngoingTransactionsAndCoordinatorEpochs() throws Exception {
        ProducerStateManager s = state();
        data(s, P, EPOCH, 0, 0, 1, true);
        s.onMarker(Q, EPOCH, 7, true, 2, TS + 5);
        s.setMapEndOffset(3);
        s.takeSnapshot();

        ProducerStateManager loaded = state();
        assertThat(loaded.loadLatestSnapshot(3)).isEqualTo(3L);

        assertThat(loaded.ongoingTransactions()).containsExactly(Map.entry(0L, P));
        assertThat(loaded.firstUnstableOffset()).isZero();
        assertThat(loaded.entry(Q).coordinatorEpoch()).isEqualTo(7);
        assertThat(loaded.entry(Q).lastTimestampMs()).isEqualTo(TS + 5);
        assertThatThrownBy(() -> loaded.checkMarker(Q, EPOCH, 6, (short) 0))
                .isInstanceOf(TransactionCoordinatorFencedException.class);
        assertThat(loaded.onMarker(P, EPOCH, 0, false, 3, TS)).isEqualTo(new CompletedTxn(P, 0, 3, true, 4));
    }
}
