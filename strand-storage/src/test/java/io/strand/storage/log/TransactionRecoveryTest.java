package io.strand.storage.log;

import static io.strand.storage.LogFixture.START_MS;
import static io.strand.storage.LogFixture.TOPIC_ID;
import static io.strand.storage.TestRecords.batch;
import static io.strand.storage.TestRecords.replicated;
import static io.strand.storage.TestRecords.replicatedMarker;
import static io.strand.storage.TestRecords.replicatedTransactional;
import static io.strand.storage.TestRecords.transactional;
import static org.assertj.core.api.Assertions.assertThat;

import io.strand.storage.LogFixture;
import io.strand.storage.TestRecords;
import io.strand.storage.file.LogFileNames;
import io.strand.storage.index.AbortedTxn;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Transactions across restarts, crashes, follower appends and truncation: the producer state's open
 * transactions, the last stable offset and the transaction indexes always end up as a replay of the log
 * from its start would make them.
 */
class TransactionRecoveryTest {

    static final long P = 100L;
    static final long Q = 200L;
    static final short EPOCH = 1;
    static final LogConfig SMALL_SEGMENTS = LogFixture.config(TopicConfig.SEGMENT_BYTES_CONFIG, 300,
            TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, 0);

    @RegisterExtension
    final LogFixture fx = LogFixture.perTest();

    private static void catchUp(PartitionLog log) {
        log.updateHighWatermark(log.logEndOffset());
    }

    private static void fillers(PartitionLog log, int count) {
        for (int i = 0; i < count; i++) {
            log.appendAsLeader(batch(START_MS, "filler-" + i), 0);
        }
    }

    /** P aborts a transaction spanning segments, Q's stays open: [P data, fillers, P abort, Q data, fillers]. */
    private long writeHistory(PartitionLog log) {
        log.appendAsLeader(transactional(P, EPOCH, 0, START_MS, "p0"), 0);
        fillers(log, 8);
        long abortOffset = log.appendMarker(P, EPOCH, 4, false, 0).firstOffset();
        long qFirst = log.appendAsLeader(transactional(Q, EPOCH, 0, START_MS, "q0"), 0).firstOffset();
        fillers(log, 8);
        catchUp(log);
        assertThat(log.lastStableOffset()).isEqualTo(qFirst);
        assertThat(log.segmentBaseOffsets()).hasSizeGreaterThan(3);
        return abortOffset;
    }

    private static void assertHistoryState(PartitionLog log, long abortOffset) {
        long qFirst = abortOffset + 1;
        assertThat(log.collectAbortedTransactions(0, log.logEndOffset()))
                .containsExactly(new AbortedTxn(P, 0, abortOffset, abortOffset + 1));
        assertThat(log.producerState().ongoingTransactions()).isEqualTo(Map.of(qFirst, Q));
        log.updateHighWatermark(log.logEndOffset());
        assertThat(log.lastStableOffset()).isEqualTo(qFirst);
        // Q's transaction is still the one it opened: its abort covers it from its first offset
        log.appendMarker(Q, EPOCH, 4, false, 0);
        assertThat(log.collectAbortedTransactions(qFirst, log.logEndOffset()))
                .extracting(AbortedTxn::producerId, AbortedTxn::firstOffset).containsExactly(
                        org.assertj.core.groups.Tuple.tuple(Q, qFirst));
        log.updateHighWatermark(log.logEndOffset());
        assertThat(log.lastStableOffset()).isEqualTo(log.logEndOffset());
    }

    @Test
    void openTransactionsAndTheIndexSurviveACleanRestart() {
        PartitionLog log = fx.log(SMALL_SEGMENTS);
        long abortOffset = writeHistory(log);

        fx.restartClean();

        assertHistoryState(fx.log(SMALL_SEGMENTS), abortOffset);
    }

    @Test
    void openTransactionsAndTheIndexSurviveACrash() {
        PartitionLog log = fx.log(SMALL_SEGMENTS);
        long abortOffset = writeHistory(log);

        fx.crashAndRestart();

        assertHistoryState(fx.log(SMALL_SEGMENTS), abortOffset);
    }

    @Test
    void recoveryRebuildsATransactionIndexLostWithItsUnflushedSegment() throws Exception {
        PartitionLog log = fx.log(SMALL_SEGMENTS);
        long abortOffset = writeHistory(log);
        long markerSegment = log.segmentMap().floorKey(abortOffset);
        Path index = LogFileNames.txnIndexFile(fx.partitionDir(), markerSegment);
        assertThat(index).exists();
        fx.abandon();
        Files.delete(index);

        fx.crashAndRestartWithoutAbandon();
        PartitionLog recovered = fx.log(SMALL_SEGMENTS);

        assertThat(index).exists();
        assertHistoryState(recovered, abortOffset);
    }

    @Test
    void aTornTransactionIndexIsRebuiltEvenAfterACleanShutdown() throws Exception {
        PartitionLog log = fx.log(SMALL_SEGMENTS);
        long abortOffset = writeHistory(log);
        long markerSegment = log.segmentMap().floorKey(abortOffset);
        fx.close();
        Path index = LogFileNames.txnIndexFile(fx.partitionDir(), markerSegment);
        try (RandomAccessFile raf = new RandomAccessFile(index.toFile(), "rw")) {
            raf.setLength(raf.length() + 11);
        }
        Files.writeString(fx.dataDir.resolve(LogFileNames.CLEAN_SHUTDOWN_MARKER), "");

        fx.crashAndRestartWithoutAbandon();
        PartitionLog reopened = fx.log(SMALL_SEGMENTS);

        assertThat(Files.size(index)).isEqualTo(AbortedTxn.BYTES);
        assertHistoryState(reopened, abortOffset);
    }

    @Test
    void aCrashCutAbortMarkerTakesItsIndexEntryAndReopensTheTransaction() throws Exception {
        PartitionLog log = fx.log(LogConfig.defaults());
        log.appendAsLeader(transactional(P, EPOCH, 0, START_MS, "a"), 0);
        long sizeBeforeMarker = log.sizeInBytes();
        log.appendMarker(P, EPOCH, 0, false, 0);
        assertThat(log.activeSegment().txnIndex().entries()).isOne();
        fx.abandon();
        try (RandomAccessFile raf = new RandomAccessFile(LogFileNames.logFile(fx.partitionDir(), 0).toFile(), "rw")) {
            raf.setLength(sizeBeforeMarker + 10);
        }

        fx.crashAndRestartWithoutAbandon();
        PartitionLog recovered = fx.log(LogConfig.defaults());

        assertThat(recovered.logEndOffset()).isEqualTo(1L);
        assertThat(recovered.activeSegment().txnIndex().entries()).isZero();
        assertThat(recovered.producerState().ongoingTransactions()).isEqualTo(Map.of(0L, P));
        catchUp(recovered);
        assertThat(recovered.lastStableOffset()).isZero();
    }

    @Test
    void aFollowerReplaysTransactionsAsItsLeaderWroteThem() {
        PartitionLog leader = fx.log(SMALL_SEGMENTS);
        long abortOffset = writeHistory(leader);
        PartitionLog follower = fx.manager.getOrCreateLog(new TopicPartition("events", 1), TOPIC_ID, SMALL_SEGMENTS);

        long offset = 0;
        while (offset < leader.logEndOffset()) {
            var records = TestRecords.copy(leader.read(offset, 250, Long.MAX_VALUE, true).records());
            offset = follower.appendAsFollower(records).lastOffset() + 1;
        }
        follower.updateHighWatermark(leader.highWatermark());

        assertThat(follower.segmentBaseOffsets().size()).isGreaterThan(1);
        assertThat(follower.lastStableOffset()).isEqualTo(leader.lastStableOffset());
        assertThat(follower.collectAbortedTransactions(0, follower.logEndOffset()))
                .isEqualTo(leader.collectAbortedTransactions(0, leader.logEndOffset()));
        assertHistoryState(follower, abortOffset);
    }

    @Test
    void aFollowersLastStableOffsetMovesWhenTheLeadersHighWatermarkPassesTheMarker() {
        PartitionLog follower = fx.log(LogConfig.defaults());
        follower.appendAsFollower(replicatedTransactional(0, 0, P, EPOCH, 0, START_MS, "a", "b"));
        follower.appendAsFollower(replicatedMarker(2, 0, P, EPOCH, 0, true, START_MS));
        follower.updateHighWatermark(2);
        assertThat(follower.lastStableOffset()).isZero();

        follower.updateHighWatermark(3);

        assertThat(follower.lastStableOffset()).isEqualTo(3L);
        assertThat(follower.collectAbortedTransactions(0, 3)).isEmpty();
    }

    @Test
    void truncationBelowAnAbortMarkerDropsItsEntryAndReopensTheTransaction() {
        PartitionLog follower = fx.log(LogConfig.defaults());
        follower.appendAsFollower(replicatedTransactional(0, 0, P, EPOCH, 0, START_MS, "a"));
        follower.appendAsFollower(replicated(1, 0, START_MS, "b"));
        follower.appendAsFollower(replicatedMarker(2, 0, P, EPOCH, 0, false, START_MS));
        follower.appendAsFollower(replicated(3, 0, START_MS, "c"));
        follower.updateHighWatermark(4);
        assertThat(follower.lastStableOffset()).isEqualTo(4L);
        assertThat(follower.collectAbortedTransactions(0, 4)).hasSize(1);

        follower.truncateTo(2);

        assertThat(follower.logEndOffset()).isEqualTo(2L);
        assertThat(follower.activeSegment().txnIndex().entries()).isZero();
        assertThat(follower.collectAbortedTransactions(0, 2)).isEmpty();
        assertThat(follower.producerState().ongoingTransactions()).isEqualTo(Map.of(0L, P));
        assertThat(follower.lastStableOffset()).isZero();
        // the new leader's history: the transaction commits instead
        follower.appendAsFollower(replicatedMarker(2, 1, P, EPOCH, 0, true, START_MS));
        follower.updateHighWatermark(3);
        assertThat(follower.lastStableOffset()).isEqualTo(3L);
        assertThat(follower.collectAbortedTransactions(0, 3)).isEmpty();
    }

    @Test
    void truncationAcrossSegmentsRebuildsOpenTransactionsFromTheSnapshotBelow() {
        PartitionLog log = fx.log(SMALL_SEGMENTS);
        long abortOffset = writeHistory(log);

        log.truncateTo(abortOffset);

        assertThat(log.producerState().ongoingTransactions()).isEqualTo(Map.of(0L, P));
        assertThat(log.collectAbortedTransactions(0, log.logEndOffset())).isEmpty();
        assertThat(log.lastStableOffset()).isZero();
        try (var files = Files.list(fx.partitionDir())) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .noneMatch(n -> n.endsWith(LogFileNames.TXN_INDEX_SUFFIX));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void restartingFullyForgetsTransactions() {
        PartitionLog follower = fx.log(LogConfig.defaults());
        follower.appendAsFollower(replicatedTransactional(0, 0, P, EPOCH, 0, START_MS, "a"));
        follower.appendAsFollower(replicatedMarker(1, 0, P, EPOCH, 0, false, START_MS));
        follower.appendAsFollower(replicatedTransactional(2, 0, Q, EPOCH, 0, START_MS, "b"));

        follower.truncateFullyAndStartAt(10);

        assertThat(follower.producerState().ongoingTransactions()).isEmpty();
        assertThat(follower.collectAbortedTransactions(10, 10)).isEmpty();
        assertThat(follower.lastStableOffset()).isEqualTo(10L);
        assertThat(LogFileNames.txnIndexFile(fx.partitionDir(), 0)).doesNotExist();
        assertThat(List.of(follower.logStartOffset(), follower.highWatermark())).containsExactly(10L, 10L);
    }
}
