package io.strand.storage.log;

import static io.strand.storage.LogFixture.START_MS;
import static io.strand.storage.LogFixture.config;
import static io.strand.storage.TestRecords.batch;
import static io.strand.storage.TestRecords.offsets;
import static io.strand.storage.TestRecords.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.storage.LogFixture;
import io.strand.storage.TestRecords;
import io.strand.storage.checkpoint.EpochEndOffset;
import io.strand.storage.file.LogFileNames;
import io.strand.storage.index.OffsetIndex;
import java.nio.file.Files;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PartitionLogTest {

    @RegisterExtension
    final LogFixture fx = LogFixture.perTest();

    @Test
    void appendsAssignConsecutiveOffsetsAcrossBatchesAndCompressions() {
        PartitionLog log = fx.log(LogConfig.defaults());
        LogAppendResult a = log.appendAsLeader(batch(START_MS, "a", "b", "c"), 0);
        LogAppendResult b = log.appendAsLeader(batch(CompressionType.GZIP, START_MS, "d", "e"), 0);
        LogAppendResult c = log.appendAsLeader(batch(CompressionType.LZ4, START_MS, "f"), 0);
        LogAppendResult d = log.appendAsLeader(batch(CompressionType.ZSTD, START_MS, "g", "h"), 0);

        assertThat(List.of(a.firstOffset(), a.lastOffset(), b.firstOffset(), b.lastOffset(), c.firstOffset(),
                d.firstOffset(), d.lastOffset())).containsExactly(0L, 2L, 3L, 4L, 5L, 6L, 7L);
        assertThat(a.recordCount()).isEqualTo(3);
        assertThat(a.logAppendTimeMs()).isEqualTo(-1L);
        assertThat(a.duplicate()).isFalse();
        assertThat(log.logEndOffset()).isEqualTo(8L);
        Records all = log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, true).records();
        assertThat(all).isInstanceOf(FileRecords.class);
        assertThat(offsets(all)).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L);
        assertThat(values(all)).containsExactly("a", "b", "c", "d", "e", "f", "g", "h");
    }

    @Test
    void readFromTheMiddleOfABatchReturnsTheWholeBatch() {
        PartitionLog log = fx.log(LogConfig.defaults());
        log.appendAsLeader(batch(START_MS, "a", "b"), 0);
        log.appendAsLeader(batch(START_MS, "c", "d", "e"), 0);

        Records r = log.read(3, Integer.MAX_VALUE, Long.MAX_VALUE, true).records();

        assertThat(r.batches().iterator().next().baseOffset()).isEqualTo(2L);
        assertThat(values(r)).containsExactly("c", "d", "e");
    }

    @Test
    void readRespectsMaxBytesAndMinOneBatch() {
        PartitionLog log = fx.log(LogConfig.defaults());
        log.appendAsLeader(batch(START_MS, "a", "b"), 0);
        int firstBatchBytes = log.sizeInBytes() > 0 ? (int) log.sizeInBytes() : 0;
        log.appendAsLeader(batch(START_MS, "c"), 0);

        Records oneBatch = log.read(0, 10, Long.MAX_VALUE, true).records();
        Records noRoom = log.read(0, 0, Long.MAX_VALUE, false).records();
        Records exactlyFirst = log.read(0, firstBatchBytes, Long.MAX_VALUE, false).records();
        Records partialSecond = log.read(0, firstBatchBytes + 5, Long.MAX_VALUE, false).records();

        assertThat(oneBatch.sizeInBytes()).isEqualTo(firstBatchBytes);
        assertThat(values(oneBatch)).containsExactly("a", "b");
        assertThat(noRoom.sizeInBytes()).isZero();
        assertThat(values(exactlyFirst)).containsExactly("a", "b");
        assertThat(partialSecond.sizeInBytes()).isEqualTo(firstBatchBytes + 5);
        assertThat(values(partialSecond)).containsExactly("a", "b");
    }

    @Test
    void readNeverReturnsABatchReachingMaxOffsetExclusive() {
        PartitionLog log = fx.log(LogConfig.defaults());
        log.appendAsLeader(batch(START_MS, "a", "b"), 0);
        log.appendAsLeader(batch(START_MS, "c", "d"), 0);
        log.appendAsLeader(batch(START_MS, "e"), 0);

        assertThat(values(log.read(0, Integer.MAX_VALUE, 4, true).records())).containsExactly("a", "b", "c", "d");
        assertThat(values(log.read(0, Integer.MAX_VALUE, 3, true).records())).containsExactly("a", "b");
        assertThat(log.read(2, Integer.MAX_VALUE, 2, true).records().sizeInBytes()).isZero();
        assertThat(log.read(2, Integer.MAX_VALUE, 3, true).records().sizeInBytes()).isZero();
        assertThat(log.read(5, Integer.MAX_VALUE, Long.MAX_VALUE, true).records()).isSameAs(MemoryRecords.EMPTY);
    }

    @Test
    void readOutsideTheLogIsOffsetOutOfRange() {
        PartitionLog log = fx.log(LogConfig.defaults());
        log.appendAsLeader(batch(START_MS, "a"), 0);

        assertThatThrownBy(() -> log.read(2, 100, Long.MAX_VALUE, true)).isInstanceOf(OffsetOutOfRangeException.class);
        assertThatThrownBy(() -> log.read(-1, 100, Long.MAX_VALUE, true)).isInstanceOf(OffsetOutOfRangeException.class);
        LogReadResult atEnd = log.read(1, 100, Long.MAX_VALUE, true);
        assertThat(atEnd.records().sizeInBytes()).isZero();
        assertThat(atEnd.logEndOffset()).isEqualTo(1L);
        assertThat(atEnd.logStartOffset()).isZero();
    }

    @Test
    void rollsBySegmentSize() {
        PartitionLog log = fx.log(config(TopicConfig.SEGMENT_BYTES_CONFIG, 300));
        for (int i = 0; i < 10; i++) {
            log.appendAsLeader(batch(START_MS, "value-" + i, "other-" + i), 0);
        }

        assertThat(log.segmentBaseOffsets()).hasSizeGreaterThan(3);
        assertThat(log.segmentBaseOffsets().get(0)).isZero();
        for (long base : log.segmentBaseOffsets()) {
            assertThat(fx.partitionDir().resolve(LogFileNames.offsetName(base) + ".log")).exists();
        }
        assertThat(TestRecords.readAll(log)).hasSize(20).containsEntry(19L, "other-9");
    }

    @Test
    void rollsBySegmentAgeMeasuredFromTheFirstBatchTimestamp() {
        PartitionLog log = fx.log(config(TopicConfig.SEGMENT_MS_CONFIG, 60_000L));
        log.appendAsLeader(batch(START_MS, "a"), 0);
        log.appendAsLeader(batch(START_MS + 59_000, "b"), 0);
        assertThat(log.segmentBaseOffsets()).containsExactly(0L);

        fx.time.advance(61_000);
        log.appendAsLeader(batch(START_MS + 61_000, "c"), 0);

        assertThat(log.segmentBaseOffsets()).containsExactly(0L, 2L);
    }

    @Test
    void rollsWhenTheOffsetIndexIsFull() {
        PartitionLog log = fx.log(config(TopicConfig.SEGMENT_INDEX_BYTES_CONFIG, 3 * OffsetIndex.ENTRY_BYTES,
                TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, 0));
        for (int i = 0; i < 12; i++) {
            log.appendAsLeader(batch(START_MS, "v" + i), 0);
        }

        assertThat(log.segmentBaseOffsets().size()).isGreaterThan(2);
        assertThat(TestRecords.readAll(log)).hasSize(12);
    }

    @Test
    void rolledSegmentsHaveTrimmedIndexes() throws Exception {
        PartitionLog log = fx.log(config(TopicConfig.SEGMENT_BYTES_CONFIG, 400, TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, 0));
        for (int i = 0; i < 8; i++) {
            log.appendAsLeader(batch(START_MS + i, "value-" + i), 0);
        }
        long firstBase = log.segmentBaseOffsets().get(0);
        long secondBase = log.segmentBaseOffsets().get(1);
        int indexEntries = (int) (secondBase - firstBase) - 1;

        assertThat(Files.size(LogFileNames.indexFile(fx.partitionDir(), firstBase)))
                .isEqualTo((long) indexEntries * OffsetIndex.ENTRY_BYTES);
        assertThat(Files.size(LogFileNames.indexFile(fx.partitionDir(), log.activeSegment().baseOffset())))
                .isEqualTo(log.config().segmentIndexBytes() / OffsetIndex.ENTRY_BYTES * (long) OffsetIndex.ENTRY_BYTES);
    }

    @Test
    void readsFromAnySegmentUseTheIndex() {
        PartitionLog log = fx.log(config(TopicConfig.SEGMENT_BYTES_CONFIG, 2000, TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, 100));
        for (int i = 0; i < 100; i++) {
            log.appendAsLeader(batch(START_MS, "value-" + i, "x-" + i), 0);
        }

        for (long offset = 0; offset < 200; offset += 7) {
            Records r = log.read(offset, 1, Long.MAX_VALUE, true).records();
            RecordBatch first = r.batches().iterator().next();
            assertThat(first.baseOffset()).isLessThanOrEqualTo(offset);
            assertThat(first.lastOffset()).isGreaterThanOrEqualTo(offset);
        }
    }

    @Test
    void findsOffsetsByTimestampAndTheMaxTimestamp() {
        PartitionLog log = fx.log(config(TopicConfig.SEGMENT_BYTES_CONFIG, 300, TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, 0));
        for (int i = 0; i < 20; i++) {
            log.appendAsLeader(batch(START_MS + 1_000L * i, "v" + i), 3);
        }
        log.appendAsLeader(MemoryRecords.withRecords(Compression.NONE,
                TestRecords.simple(START_MS + 100_000, "max")[0], TestRecords.simple(START_MS + 5, "late")[0]), 4);
        log.appendAsLeader(batch(START_MS + 30_000, "after"), 4);

        assertThat(log.offsetForTimestamp(START_MS)).contains(new TimestampAndOffset(START_MS, 0, 3));
        assertThat(log.offsetForTimestamp(START_MS + 7_500)).contains(new TimestampAndOffset(START_MS + 8_000, 8, 3));
        assertThat(log.offsetForTimestamp(START_MS + 19_000)).contains(new TimestampAndOffset(START_MS + 19_000, 19, 3));
        assertThat(log.offsetForTimestamp(START_MS + 19_001)).contains(new TimestampAndOffset(START_MS + 100_000, 20, 4));
        assertThat(log.offsetForTimestamp(START_MS + 100_001)).isEmpty();
        assertThat(log.offsetOfMaxTimestamp()).contains(new TimestampAndOffset(START_MS + 100_000, 20, 4));
    }

    @Test
    void logAppendTimeTopicsStampBatchesWithTheBrokerClock() {
        PartitionLog log = fx.log(config(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime"));
        fx.time.advance(5_000);
        LogAppendResult result = log.appendAsLeader(batch(START_MS - 123_456_789L, "a", "b"), 0);

        assertThat(result.logAppendTimeMs()).isEqualTo(START_MS + 5_000);
        RecordBatch stored = log.read(0, 1000, Long.MAX_VALUE, true).records().batches().iterator().next();
        assertThat(stored.maxTimestamp()).isEqualTo(START_MS + 5_000);
        assertThat(stored.iterator().next().timestamp()).isEqualTo(START_MS + 5_000);
        stored.ensureValid();
    }

    @Test
    void tracksLeaderEpochsAndAnswersOffsetForLeaderEpoch() {
        PartitionLog log = fx.log(LogConfig.defaults());
        assertThat(log.latestEpoch()).isEqualTo(-1);
        assertThat(log.endOffsetForEpoch(0)).isEqualTo(EpochEndOffset.UNDEFINED);
        log.appendAsLeader(batch(START_MS, "a", "b"), 1);
        log.appendAsLeader(batch(START_MS, "c"), 1);
        log.appendAsLeader(batch(START_MS, "d"), 3);
        log.appendAsLeader(batch(START_MS, "e"), 5);

        assertThat(log.latestEpoch()).isEqualTo(5);
        assertThat(log.endOffsetForEpoch(5)).isEqualTo(new EpochEndOffset(5, 5));
        assertThat(log.endOffsetForEpoch(4)).isEqualTo(new EpochEndOffset(3, 4));
        assertThat(log.endOffsetForEpoch(1)).isEqualTo(new EpochEndOffset(1, 3));
        assertThat(log.endOffsetForEpoch(0)).isEqualTo(new EpochEndOffset(0, 0));
        assertThat(log.endOffsetForEpoch(7)).isEqualTo(EpochEndOffset.UNDEFINED);
        assertThat(log.read(3, 100, Long.MAX_VALUE, true).records().batches().iterator().next().partitionLeaderEpoch())
                .isEqualTo(3);
    }

    @Test
    void truncationDropsTheBatchHoldingTheOffsetAndEverythingAfter() {
        PartitionLog log = fx.log(config(TopicConfig.SEGMENT_BYTES_CONFIG, 300));
        for (int i = 0; i < 10; i++) {
            log.appendAsLeader(batch(START_MS + i, "a" + i, "b" + i), i / 3);
        }
        log.updateHighWatermark(20);

        log.truncateTo(13);

        assertThat(log.logEndOffset()).isEqualTo(12L);
        assertThat(log.highWatermark()).isEqualTo(12L);
        assertThat(log.latestEpoch()).isEqualTo(1);
        assertThat(TestRecords.readAll(log)).hasSize(12).containsEntry(11L, "b5");
        LogAppendResult next = log.appendAsLeader(batch(START_MS, "new"), 7);
        assertThat(next.firstOffset()).isEqualTo(12L);
        assertThat(TestRecords.readAll(log)).containsEntry(12L, "new");
        assertThat(log.offsetOfMaxTimestamp().orElseThrow().offset()).isEqualTo(10L);
    }

    @Test
    void highWatermarkIsClampedToTheLog() {
        PartitionLog log = fx.log(LogConfig.defaults());
        log.appendAsLeader(batch(START_MS, "a", "b"), 0);

        log.updateHighWatermark(10);
        assertThat(log.highWatermark()).isEqualTo(2L);
        log.updateHighWatermark(-5);
        assertThat(log.highWatermark()).isZero();
    }

    @Test
    void flushMessagesFsyncsEveryNRecords() {
        PartitionLog log = fx.log(config(TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG, 3L));
        log.appendAsLeader(batch(START_MS, "a", "b"), 0);
        assertThat(log.recoveryPoint()).isZero();

        log.appendAsLeader(batch(START_MS, "c"), 0);

        assertThat(log.recoveryPoint()).isEqualTo(3L);
    }

    @Test
    void flushMsFsyncsInTheBackgroundOnceUnflushedDataIsOldEnough() {
        PartitionLog log = fx.log(config(TopicConfig.FLUSH_MS_CONFIG, 5_000L));
        log.appendAsLeader(batch(START_MS, "a"), 0);
        fx.time.advance(1_000);
        fx.runScheduler();
        assertThat(log.recoveryPoint()).isZero();

        fx.time.advance(4_000);
        fx.runScheduler();

        assertThat(log.recoveryPoint()).isEqualTo(1L);
    }

    @Test
    void rollFlushesTheOldSegmentInTheBackground() {
        PartitionLog log = fx.log(config(TopicConfig.SEGMENT_BYTES_CONFIG, 200));
        log.appendAsLeader(batch(START_MS, "a".repeat(150)), 0);
        log.appendAsLeader(batch(START_MS, "b".repeat(150)), 0);
        assertThat(log.segmentBaseOffsets()).containsExactly(0L, 1L);
        assertThat(log.recoveryPoint()).isZero();

        fx.runScheduler();

        assertThat(log.recoveryPoint()).isEqualTo(1L);
    }
}
