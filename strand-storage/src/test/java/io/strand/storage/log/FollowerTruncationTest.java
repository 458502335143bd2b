package io.strand.storage.log;

import static io.strand.storage.LogFixture.START_MS;
import static io.strand.storage.LogFixture.config;
import static io.strand.storage.TestRecords.idempotent;
import static io.strand.storage.TestRecords.replicated;
import static io.strand.storage.TestRecords.replicatedIdempotent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.storage.LogFixture;
import io.strand.storage.TestRecords;
import io.strand.storage.checkpoint.EpochEndOffset;
import io.strand.storage.checkpoint.LeaderEpochCache.Entry;
import io.strand.storage.file.LogFileNames;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a follower does to its log when it finds where it diverged from the leader ({@link PartitionLog#truncateTo},
 * {@link PartitionLog#truncateFullyAndStartAt}), what a new leader records ({@link PartitionLog#assignEpochStartOffset}),
 * and the high watermark a follower is given.
 */
class FollowerTruncationTest {

    static final LogConfig SMALL_SEGMENTS = config(TopicConfig.SEGMENT_BYTES_CONFIG, 300,
            TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, 0);
    static final long PID = 77L;
    static final short PRODUCER_EPOCH = 0;

    @RegisterExtension
    final LogFixture fx = LogFixture.perTest();

    /** One one-record idempotent batch per offset 0 … count-1, "v0" …, epoch 1 + offset / 5. */
    private static void copy(PartitionLog log, int from, int count) {
        for (int i = from; i < from + count; i++) {
            log.appendAsFollower(replicatedIdempotent(i, 1 + i / 5, PID, PRODUCER_EPOCH, i, START_MS + i, "v" + i));
        }
    }

    private static Map<Long, String> values(int count) {
        Map<Long, String> out = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            out.put((long) i, "v" + i);
        }
        return out;
    }

    @Test
    void truncationDropsSegmentsEpochsAndProducerStateAboveTheOffsetAndClampsTheOffsets() {
        PartitionLog log = fx.log(SMALL_SEGMENTS);
        copy(log, 0, 14);
        log.updateHighWatermark(14);
        log.flush();

        log.truncateTo(7);

        assertThat(log.logEndOffset()).isEqualTo(7L);
        assertThat(log.highWatermark()).isEqualTo(7L);
        assertThat(log.recoveryPoint()).isEqualTo(7L);
        assertThat(log.segmentBaseOffsets()).allMatch(base -> base < 7);
        assertThat(TestRecords.readAll(log)).isEqualTo(values(7));
        assertThat(log.leaderEpochs()).containsExactly(new Entry(1, 0), new Entry(2, 5));
        assertThat(log.endOffsetForEpoch(2)).isEqualTo(new EpochEndOffset(2, 7));
        // The producer's batches above 7 are forgotten: seq 7 is next, not a retry of offset 7.
        log.assignEpochStartOffset(4, 7);
        LogAppendResult next = log.appendAsLeader(idempotent(PID, PRODUCER_EPOCH, 7, START_MS, "new7"), 4);
        assertThat(next.duplicate()).isFalse();
        assertThat(next.firstOffset()).isEqualTo(7L);
        assertThat(log.appendAsLeader(idempotent(PID, PRODUCER_EPOCH, 6, START_MS, "v6"), 4).duplicate()).isTrue();
    }

    @Test
    void producerStateIsRebuiltFromASnapshotBelowTheNewEnd() throws Exception {
        PartitionLog log = fx.log(SMALL_SEGMENTS);
        copy(log, 0, 14);
        assertThat(log.producerState().snapshotOffsets()).isNotEmpty().allMatch(o -> o > 0);
        long lastSnapshot = log.producerState().snapshotOffsets().get(log.producerState().snapshotOffsets().size() - 1);

        log.truncateTo(lastSnapshot - 1);

        assertThat(log.producerState().snapshotOffsets()).allMatch(o -> o <= lastSnapshot - 1);
        assertThat(log.producerState().entry(PID).lastSequence()).isEqualTo((int) lastSnapshot - 2);
        assertThatThrownBy(() -> log.appendAsLeader(idempotent(PID, PRODUCER_EPOCH, (int) lastSnapshot, START_MS,
                "skip"), 3)).isInstanceOf(OutOfOrderSequenceException.class);
    }

    @Test
    void truncatingAtTheLogEndForgetsAnEpochBegunThereWithoutBatches() {
        PartitionLog log = fx.log(LogConfig.defaults());
        copy(log, 0, 3);
        log.assignEpochStartOffset(6, 3);
        assertThat(log.latestEpoch()).isEqualTo(6);

        log.truncateTo(3);

        assertThat(log.latestEpoch()).isEqualTo(1);
        assertThat(log.logEndOffset()).isEqualTo(3L);
        assertThat(TestRecords.readAll(log)).isEqualTo(values(3));
    }

    @Test
    void truncatingAtOrBelowTheFirstSegmentRestartsTheLogThere() {
        PartitionLog log = fx.log(SMALL_SEGMENTS);
        copy(log, 0, 8);

        log.truncateTo(0);

        assertThat(log.logStartOffset()).isZero();
        assertThat(log.logEndOffset()).isZero();
        assertThat(log.leaderEpochs()).isEmpty();
        assertThat(log.producerState().entry(PID)).isNull();
        assertThat(log.segmentBaseOffsets()).containsExactly(0L);
    }

    @Test
    void truncatedBatchesStayGoneAfterACrashAndLaterOnesAreKept() {
        PartitionLog log = fx.log(SMALL_SEGMENTS);
        copy(log, 0, 14);
        log.flush();

        log.truncateTo(7);
        log.appendAsFollower(replicated(7, 5, START_MS, "w7", "w8"));
        log.flush();
        fx.crashAndRestart();
        PartitionLog reopened = fx.log(SMALL_SEGMENTS);

        Map<Long, String> expected = values(7);
        expected.put(7L, "w7");
        expected.put(8L, "w8");
        assertThat(TestRecords.readAll(reopened)).isEqualTo(expected);
        assertThat(reopened.leaderEpochs()).containsExactly(new Entry(1, 0), new Entry(2, 5), new Entry(5, 7));
        assertThat(reopened.producerState().entry(PID).lastSequence()).isEqualTo(6);
    }

    @Test
    void recoveryRechecksWhatWasAppendedAfterATruncationBelowTheCheckpointedRecoveryPoint() throws Exception {
        PartitionLog log = fx.log(SMALL_SEGMENTS);
        copy(log, 0, 14);
        log.flush();
        fx.time.advance(60_000);
        fx.runScheduler(); // checkpoints recovery point 14
        log.truncateTo(5);
        for (int i = 5; i < 16; i++) {
            log.appendAsFollower(replicated(i, 3, START_MS + i, "w" + i));
        }
        // A segment above the truncation whose successor also starts at or below the old recovery point.
        List<Long> bases = log.segmentBaseOffsets();
        int damaged = 0;
        while (bases.get(damaged) <= 5) {
            damaged++;
        }
        long damagedSegment = bases.get(damaged);
        long nextSegment = bases.get(damaged + 1);
        assertThat(nextSegment).isLessThanOrEqualTo(14L);
        fx.abandon();
        // A power loss took the unflushed tail of a segment below the old recovery point.
        Path file = LogFileNames.logFile(fx.partitionDir(), damagedSegment);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(raf.length() - 3);
            raf.write(new byte[] {1, 2, 3});
        }

        fx.crashAndRestartWithoutAbandon();
        PartitionLog reopened = fx.log(SMALL_SEGMENTS);

        assertThat(reopened.logEndOffset()).isEqualTo(nextSegment - 1);
        assertThat(reopened.segmentBaseOffsets()).last().isEqualTo(damagedSegment);
        assertThat(TestRecords.readAll(reopened)).hasSize((int) reopened.logEndOffset());
    }

    @Test
    void truncateFullyAndStartAtEmptiesTheLogAndRestartsItAtTheOffset() throws Exception {
        PartitionLog log = fx.log(SMALL_SEGMENTS);
        copy(log, 0, 14);
        log.updateHighWatermark(10);

        log.truncateFullyAndStartAt(100);

        assertThat(log.logStartOffset()).isEqualTo(100L);
        assertThat(log.logEndOffset()).isEqualTo(100L);
        assertThat(log.highWatermark()).isEqualTo(100L);
        assertThat(log.recoveryPoint()).isEqualTo(100L);
        assertThat(log.segmentBaseOffsets()).containsExactly(100L);
        assertThat(log.leaderEpochs()).isEmpty();
        assertThat(log.producerState().entry(PID)).isNull();
        assertThat(log.producerState().snapshotOffsets()).isEmpty();
        log.appendAsFollower(replicatedIdempotent(100, 9, PID, PRODUCER_EPOCH, 50, START_MS, "late"));
        assertThat(log.leaderEpochs()).containsExactly(new Entry(9, 100));

        fx.crashAndRestart();
        PartitionLog reopened = fx.log(SMALL_SEGMENTS);

        assertThat(reopened.logStartOffset()).isEqualTo(100L);
        assertThat(TestRecords.readAll(reopened)).isEqualTo(Map.of(100L, "late"));
        assertThat(reopened.leaderEpochs()).containsExactly(new Entry(9, 100));
        assertThat(reopened.producerState().entry(PID).lastSequence()).isEqualTo(50);
    }

    @Test
    void aNewLeadersEpochIsVisibleBeforeItsFirstBatchAndIsAssignedAgainAfterARestart() {
        PartitionLog log = fx.log(LogConfig.defaults());
        copy(log, 0, 6);

        log.assignEpochStartOffset(5, 6);
        log.assignEpochStartOffset(5, 6);

        assertThat(log.latestEpoch()).isEqualTo(5);
        assertThat(log.endOffsetForEpoch(2)).isEqualTo(new EpochEndOffset(2, 6));
        assertThat(log.endOffsetForEpoch(4)).isEqualTo(new EpochEndOffset(2, 6));
        assertThat(log.endOffsetForEpoch(5)).isEqualTo(new EpochEndOffset(5, 6));
        // As in Kafka, loading trims epochs at the log end; becoming leader again records the epoch again.
        fx.restartClean();
        PartitionLog reopened = fx.log(LogConfig.defaults());
        assertThat(reopened.latestEpoch()).isEqualTo(2);
        reopened.assignEpochStartOffset(5, 6);
        assertThat(reopened.leaderEpochs()).containsExactly(new Entry(1, 0), new Entry(2, 5), new Entry(5, 6));
    }

    @Test
    void epochsNeverGoBackAndStartAtTheLogEnd() {
        PartitionLog log = fx.log(LogConfig.defaults());
        copy(log, 0, 6);
        log.assignEpochStartOffset(5, 6);

        assertThatThrownBy(() -> log.assignEpochStartOffset(4, 6)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("leaderEpoch=4").hasMessageContaining("latestEpoch=5");
        assertThatThrownBy(() -> log.assignEpochStartOffset(6, 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("logEndOffset=6");
        assertThat(log.leaderEpochs()).containsExactly(new Entry(1, 0), new Entry(2, 5), new Entry(5, 6));
    }

    @Test
    void aFollowersHighWatermarkIsClampedToItsOwnLog() {
        PartitionLog log = fx.log(LogConfig.defaults());
        log.truncateFullyAndStartAt(50);
        log.appendAsFollower(replicated(50, 1, START_MS, "a", "b", "c"));

        log.updateHighWatermark(80);
        assertThat(log.highWatermark()).isEqualTo(53L);
        log.updateHighWatermark(51);
        assertThat(log.highWatermark()).isEqualTo(51L);
        log.updateHighWatermark(10);
        assertThat(log.highWatermark()).isEqualTo(50L);
    }
}
