package io.strand.storage.log;

import static io.strand.storage.LogFixture.START_MS;
import static io.strand.storage.TestRecords.batch;
import static io.strand.storage.TestRecords.idempotent;
import static io.strand.storage.TestRecords.transactional;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.storage.LogFixture;
import io.strand.storage.file.LogFileNames;
import io.strand.storage.index.AbortedTxn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.TransactionCoordinatorFencedException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The leader's side of transactions: {@link PartitionLog#appendAsLeader}, {@link PartitionLog#appendMarker}, the last stable offset and the transaction index. */
class TransactionalLogTest {

    static final long P = 100L;
    static final long Q = 200L;
    static final short EPOCH = 1;
    static final LogConfig SMALL_SEGMENTS = LogFixture.config(TopicConfig.SEGMENT_BYTES_CONFIG, 300,
            TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, 0);

    @RegisterExtension
    final LogFixture fx = LogFixture.perTest();

    private Path txnIndexFile(long baseOffset) {
        return LogFileNames.txnIndexFile(fx.partitionDir(), baseOffset);
    }

    private static void catchUp(PartitionLog log) {
        log.updateHighWatermark(log.logEndOffset());
    }

    @Test
    void withoutTransactionsTheLastStableOffsetIsTheHighWatermark() {
        PartitionLog log = fx.log(LogConfig.defaults());
        log.appendAsLeader(batch(START_MS, "a", "b"), 0);
        log.appendAsLeader(idempotent(P, EPOCH, 0, START_MS, "c"), 0);
        assertThat(log.lastStableOffset()).isZero();

        log.updateHighWatermark(2);
        assertThat(log.lastStableOffset()).isEqualTo(2L);
        catchUp(log);
        assertThat(log.lastStableOffset()).isEqualTo(3L);
        assertThat(log.collectAbortedTransactions(0, 3)).isEmpty();
        assertThat(txnIndexFile(0)).doesNotExist();
    }

    @Test
    void anOpenTransactionHoldsTheLastStableOffsetUntilItsMarkerIsBelowTheHighWatermark() {
        PartitionLog log = fx.log(LogConfig.defaults());
        log.appendAsLeader(batch(START_MS, "a"), 0);
        assertThat(log.appendAsLeader(transactional(P, EPOCH, 0, START_MS, "b", "c"), 0).firstOffset()).isEqualTo(1L);
        log.appendAsLeader(batch(START_MS, "d"), 0);
        catchUp(log);
        assertThat(log.lastStableOffset()).isEqualTo(1L);

        LogAppendResult marker = log.appendMarker(P, EPOCH, 0, true, 0);

        assertThat(marker.firstOffset()).isEqualTo(4L);
        assertThat(marker.lastOffset()).isEqualTo(4L);
        assertThat(log.lastStableOffset()).isEqualTo(1L);
        catchUp(log);
        assertThat(log.lastStableOffset()).isEqualTo(5L);
        assertThat(log.collectAbortedTransactions(0, 5)).isEmpty();
    }

    @Test
    void theMarkerIsAControlBatchWithTheCoordinatorEpochAndTheLeaderEpoch() {
        PartitionLog log = fx.log(LogFixture.config(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime"));
        log.appendAsLeader(transactional(P, EPOCH, 0, START_MS, "a"), 3);
        fx.time.advance(5);

        LogAppendResult result = log.appendMarker(P, EPOCH, 7, false, 3);

        assertThat(result.logAppendTimeMs()).isEqualTo(fx.time.milliseconds());
        RecordBatch marker = log.read(1, 1000, Long.MAX_VALUE, true).records().batches().iterator().next();
        assertThat(marker.isControlBatch()).isTrue();
        assertThat(marker.isTransactional()).isTrue();
        assertThat(marker.producerId()).isEqualTo(P);
        assertThat(marker.producerEpoch()).isEqualTo(EPOCH);
        assertThat(marker.partitionLeaderEpoch()).isEqualTo(3);
        assertThat(marker.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
        Record record = marker.iterator().next();
        EndTransactionMarker end = EndTransactionMarker.deserialize(record);
        assertThat(end.controlType()).isEqualTo(ControlRecordType.ABORT);
        assertThat(end.coordinatorEpoch()).isEqualTo(7);
    }

    @Test
    void anAbortGoesToTheTransactionIndexOfTheMarkersSegment() throws Exception {
        PartitionLog log = fx.log(LogConfig.defaults());
        log.appendAsLeader(transactional(P, EPOCH, 0, START_MS, "p1", "p2"), 0);
        log.appendAsLeader(transactional(Q, EPOCH, 0, START_MS, "q1"), 0);
        log.appendMarker(P, EPOCH, 0, false, 0);
        log.appendMarker(Q, EPOCH, 0, true, 0);
        log.appendAsLeader(batch(START_MS, "x"), 0);
        catchUp(log);

        assertThat(log.activeSegment().txnIndex().allEntries())
                .containsExactly(new AbortedTxn(P, 0, 3, 2));
        assertThat(Files.size(txnIndexFile(0))).isEqualTo(AbortedTxn.BYTES);
        assertThat(log.collectAbortedTransactions(0, 6)).containsExactly(new AbortedTxn(P, 0, 3, 2));
        assertThat(log.collectAbortedTransactions(2, 3)).extracting(AbortedTxn::producerId).containsExactly(P);
        assertThat(log.collectAbortedTransactions(4, 6)).isEmpty();
        assertThat(log.lastStableOffset()).isEqualTo(6L);
    }

    @Test
    void aTransactionSpanningSegmentsIsFoundFromTheSegmentHoldingTheFetchOffset() {
        PartitionLog log = fx.log(SMALL_SEGMENTS);
        log.appendAsLeader(transactional(P, EPOCH, 0, START_MS, "p0"), 0);
        for (int i = 0; i < 10; i++) {
            log.appendAsLeader(batch(START_MS, "filler-" + i), 0);
        }
        log.appendMarker(P, EPOCH, 0, false, 0);
        log.appendAsLeader(transactional(Q, EPOCH, 0, START_MS, "q0"), 0);
        log.appendMarker(Q, EPOCH, 0, false, 0);
        catchUp(log);
        assertThat(log.segmentBaseOffsets()).hasSizeGreaterThan(2);

        assertThat(log.collectAbortedTransactions(0, 1)).extracting(AbortedTxn::producerId).containsExactly(P);
        assertThat(log.collectAbortedTransactions(0, log.logEndOffset()))
                .extracting(AbortedTxn::producerId).containsExactly(P, Q);
        assertThat(log.collectAbortedTransactions(12, log.logEndOffset()))
                .extracting(AbortedTxn::producerId).containsExactly(Q);
    }

    @Test
    void aNonTransactionalBatchOfAProducerInATransactionIsRefused() {
        PartitionLog log = fx.log(LogConfig.defaults());
        log.appendAsLeader(transactional(P, EPOCH, 0, START_MS, "a"), 0);

        assertThatThrownBy(() -> log.appendAsLeader(idempotent(P, EPOCH, 1, START_MS, "b"), 0))
                .isInstanceOf(InvalidTxnStateException.class);
        assertThat(log.logEndOffset()).isEqualTo(1L);
        assertThat(log.appendAsLeader(transactional(P, EPOCH, 1, START_MS, "b"), 0).firstOffset()).isEqualTo(1L);
    }

    @Test
    void staleMarkersAreRefusedAndChangeNothing() {
        PartitionLog log = fx.log(LogConfig.defaults());
        log.appendAsLeader(transactional(P, (short) 5, 0, START_MS, "a"), 0);
        log.appendMarker(P, (short) 5, 3, false, 0);
        log.appendAsLeader(transactional(P, (short) 5, 1, START_MS, "b"), 0);
        catchUp(log);

        assertThatThrownBy(() -> log.appendMarker(P, (short) 4, 3, true, 0))
                .isInstanceOf(InvalidProducerEpochException.class);
        assertThatThrownBy(() -> log.appendMarker(P, (short) 5, 2, true, 0))
                .isInstanceOf(TransactionCoordinatorFencedException.class);
        assertThatThrownBy(() -> log.appendMarker(P, (short) 5, 3, true, 0, (short) 2))
                .isInstanceOf(InvalidProducerEpochException.class);

        assertThat(log.logEndOffset()).isEqualTo(3L);
        assertThat(log.lastStableOffset()).isEqualTo(2L);
        log.appendMarker(P, (short) 6, 3, true, 0, (short) 2);
        assertThat(log.producerState().entry(P).producerEpoch()).isEqualTo((short) 6);
        catchUp(log);
        assertThat(log.lastStableOffset()).isEqualTo(4L);
    }

    @Test
    void aProducerWithAnOpenTransactionIsNotExpired() {
        PartitionLog log = fx.log(LogConfig.defaults());
        log.appendAsLeader(transactional(P, EPOCH, 0, START_MS, "a"), 0);
        log.appendAsLeader(idempotent(Q, EPOCH, 0, START_MS, "b"), 0);
        fx.time.advance(86_400_000L + 300_000L);

        fx.runScheduler();

        assertThat(log.producerState().entry(P)).isNotNull();
        assertThat(log.producerState().entry(Q)).isNull();
        log.appendMarker(P, EPOCH, 0, false, 0);
        assertThat(log.collectAbortedTransactions(0, 3)).containsExactly(new AbortedTxn(P, 0, 2, 3));
    }

    @Test
    void deletedSegmentsTakeTheirTransactionIndexAlong() throws Exception {
        PartitionLog log = fx.log(SMALL_SEGMENTS);
        log.appendAsLeader(transactional(P, EPOCH, 0, START_MS, "a"), 0);
        log.appendMarker(P, EPOCH, 0, false, 0);
        for (int i = 0; i < 10; i++) {
            log.appendAsLeader(batch(START_MS, "filler-" + i), 0);
        }
        catchUp(log);
        assertThat(txnIndexFile(0)).exists();
        long secondSegment = log.segmentBaseOffsets().get(1);

        log.deleteRecordsBefore(secondSegment);
        fx.runScheduler();

        assertThat(log.segmentBaseOffsets()).doesNotContain(0L);
        assertThat(txnIndexFile(0)).doesNotExist();
        fx.time.advance(log.config().fileDeleteDelayMs());
        fx.runScheduler();
        try (var files = Files.list(fx.partitionDir())) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".txnindex"));
        }
        assertThat(log.collectAbortedTransactions(secondSegment, log.logEndOffset())).isEmpty();
    }

    @Test
    void theLastStableOffsetNeverFallsBelowTheLogStart() {
        PartitionLog log = fx.log(SMALL_SEGMENTS);
        log.appendAsLeader(transactional(P, EPOCH, 0, START_MS, "a"), 0);
        for (int i = 0; i < 10; i++) {
            log.appendAsLeader(batch(START_MS, "filler-" + i), 0);
        }
        catchUp(log);
        assertThat(log.lastStableOffset()).isZero();

        log.deleteRecordsBefore(5);

        assertThat(log.lastStableOffset()).isEqualTo(5L);
        assertThat(List.of(log.logStartOffset(), log.highWatermark())).containsExactly(5L, 11L);
    }

    @Test
    void aCoordinatorWritesAProducersTransactionalBatchesAtSequenceZeroAndNoneIsTakenForARetry() {
        PartitionLog log = fx.log(LogConfig.defaults());
        LogAppendResult first = log.appendAsLeader(transactional(P, EPOCH, 0, START_MS, "a"), 0,
                AppendOrigin.COORDINATOR);
        LogAppendResult second = log.appendAsLeader(transactional(P, EPOCH, 0, START_MS, "b"), 0,
                AppendOrigin.COORDINATOR);
        catchUp(log);

        assertThat(first.firstOffset()).isZero();
        assertThat(second.firstOffset()).isEqualTo(1L);
        assertThat(second.duplicate()).isFalse();
        assertThat(log.lastStableOffset()).isZero();
        assertThat(log.appendAsLeader(transactional(P, EPOCH, 0, START_MS, "b"), 0).duplicate())
                .as("the same batch from a client is a retry").isTrue();

        log.appendMarker(P, (short) (EPOCH + 1), 0, false, 0);
        catchUp(log);
        assertThat(log.lastStableOffset()).isEqualTo(3L);
        assertThat(log.collectAbortedTransactions(0, 3)).extracting(AbortedTxn::producerId).containsExactly(P);
        assertThatThrownBy(() -> log.appendAsLeader(transactional(P, EPOCH, 0, START_MS, "c"), 0,
                AppendOrigin.COORDINATOR)).isInstanceOf(InvalidProducerEpochException.class);
    }
}
