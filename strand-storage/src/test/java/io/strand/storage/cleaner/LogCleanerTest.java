package io.strand.storage.cleaner;

import static io.strand.storage.cleaner.Compacted.append;
import static io.strand.storage.cleaner.Compacted.latestPerKey;
import static io.strand.storage.cleaner.Compacted.liveLatestPerKey;
import static io.strand.storage.cleaner.Compacted.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.storage.LogFixture;
import io.strand.storage.file.LogFileNames;
import io.strand.storage.log.LogAppendResult;
import io.strand.storage.log.PartitionLog;
import io.strand.storage.log.SwapObserver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LogCleanerTest {

    @TempDir
    Path dir;

    /** Appends rounds of updates to keys k0..k{keys-1}; each round is one batch. */
    private static void fill(LogFixture f, PartitionLog log, int rounds, int keys, CompressionType compression) {
        for (int round = 0; round < rounds; round++) {
            String[] pairs = new String[keys];
            for (int k = 0; k < keys; k++) {
                pairs[k] = "k" + k + "=v" + round;
            }
            append(log, compression, f.time.milliseconds(), pairs);
        }
    }

    @Test
    void keepsTheLatestValueOfEveryKeyAtItsOriginalOffset() {
        try (LogFixture f = new LogFixture(dir)) {
            PartitionLog log = f.log(Compacted.config());
            fill(f, log, 40, 5, CompressionType.NONE);
            List<Compacted.Entry> before = readAll(log);
            long sizeBefore = log.sizeInBytes();
            int segmentsBefore = log.segmentBaseOffsets().size();

            assertThat(f.cleaner().cleanOnce()).isTrue();

            List<Compacted.Entry> after = readAll(log);
            long activeBase = log.activeSegment().baseOffset();
            List<Compacted.Entry> cleanedPart = after.stream().filter(e -> e.offset() < activeBase).toList();
            assertThat(cleanedPart).doesNotHaveDuplicates();
            assertThat(cleanedPart.stream().map(Compacted.Entry::key).distinct().count()).isEqualTo(cleanedPart.size());
            assertThat(latestPerKey(after)).isEqualTo(latestPerKey(before));
            assertThat(after).isSubsetOf(before);
            assertThat(log.sizeInBytes()).isLessThan(sizeBefore);
            assertThat(log.logEndOffset()).isEqualTo(200);
            assertThat(log.logStartOffset()).isZero();
        }
    }

    @Test
    void groupsSmallCleanedSegmentsIntoOne() {
        try (LogFixture f = new LogFixture(dir)) {
            PartitionLog log = f.log(Compacted.config());
            fill(f, log, 40, 5, CompressionType.NONE);
            assertThat(f.cleaner().cleanOnce()).isTrue();
            int segmentsAfterFirst = log.segmentBaseOffsets().size();
            fill(f, log, 40, 5, CompressionType.NONE);
            List<Compacted.Entry> before = readAll(log);
            assertThat(f.cleaner().cleanOnce()).isTrue();
            assertThat(log.segmentBaseOffsets().size()).isLessThan(segmentsAfterFirst + 5);
            assertThat(log.segmentBaseOffsets().get(1)).isGreaterThan(100L);
            assertThat(latestPerKey(readAll(log))).isEqualTo(latestPerKey(before));
        }
    }

    @Test
    void neverTouchesTheActiveSegment() {
        try (LogFixture f = new LogFixture(dir)) {
            PartitionLog log = f.log(Compacted.config());
            fill(f, log, 40, 5, CompressionType.NONE);
            long activeBase = log.activeSegment().baseOffset();
            List<Compacted.Entry> activeBefore = readAll(log).stream().filter(e -> e.offset() >= activeBase).toList();
            assertThat(activeBefore.size()).isGreaterThan(5);

            f.cleaner().cleanOnce();

            assertThat(readAll(log).stream().filter(e -> e.offset() >= activeBase).toList()).isEqualTo(activeBefore);
            assertThat(log.activeSegment().baseOffset()).isEqualTo(activeBase);
        }
    }

    @Test
    void cleansOnlyAboveTheMinCleanableDirtyRatio() {
        try (LogFixture f = new LogFixture(dir)) {
            PartitionLog log = f.log(Compacted.config("min.cleanable.dirty.ratio", 0.99));
            fill(f, log, 40, 5, CompressionType.NONE);
            assertThat(f.cleaner().cleanOnce()).isTrue(); // nothing clean yet: ratio is 1.0
            fill(f, log, 6, 5, CompressionType.NONE);
            assertThat(f.cleaner().cleanOnce()).isFalse();
            log.updateConfig(Compacted.config("min.cleanable.dirty.ratio", 0.01));
            assertThat(f.cleaner().cleanOnce()).isTrue();
        }
    }

    @Test
    void minCompactionLagKeepsRecentRecordsUncompacted() {
        try (LogFixture f = new LogFixture(dir)) {
            PartitionLog log = f.log(Compacted.config("min.compaction.lag.ms", 3_600_000L));
            fill(f, log, 40, 5, CompressionType.NONE);
            List<Compacted.Entry> before = readAll(log);
            assertThat(f.cleaner().cleanOnce()).isFalse();
            assertThat(readAll(log)).isEqualTo(before);

            f.time.advance(3_600_000L);
            assertThat(f.cleaner().cleanOnce()).isTrue();
            assertThat(readAll(log).size()).isLessThan(before.size());
        }
    }

    @Test
    void maxCompactionLagCleansBelowTheDirtyRatio() {
        try (LogFixture f = new LogFixture(dir)) {
            PartitionLog log = f.log(Compacted.config("min.cleanable.dirty.ratio", 0.99));
            fill(f, log, 40, 5, CompressionType.NONE);
            assertThat(f.cleaner().cleanOnce()).isTrue();
            fill(f, log, 6, 5, CompressionType.NONE);
            assertThat(f.cleaner().cleanOnce()).isFalse();

            log.updateConfig(Compacted.config("min.cleanable.dirty.ratio", 0.99, "max.compaction.lag.ms", 60_000L));
            assertThat(f.cleaner().cleanOnce()).isFalse();
            f.time.advance(60_001L);
            assertThat(f.cleaner().cleanOnce()).isTrue();
        }
    }

    @Test
    void removesTombstonesOnlyAfterDeleteRetentionSinceTheyWereFirstCleaned() {
        try (LogFixture f = new LogFixture(dir)) {
            PartitionLog log = f.log(Compacted.config("delete.retention.ms", 1_000_000L));
            fill(f, log, 20, 5, CompressionType.NONE);
            append(log, CompressionType.NONE, f.time.milliseconds(), "k1", "k3");
            fill(f, log, 20, 2, CompressionType.NONE);

            assertThat(f.cleaner().cleanOnce()).isTrue();
            List<Compacted.Entry> afterFirst = readAll(log);
            assertThat(afterFirst).anyMatch(e -> e.key().equals("k3") && e.value() == null);
            assertThat(afterFirst).noneMatch(e -> e.key().equals("k3") && e.value() != null);

            f.time.advance(999_999L);
            assertThat(f.cleaner().cleanOnce()).isFalse();
            f.time.advance(1L);
            assertThat(f.cleaner().cleanOnce()).isTrue();
            List<Compacted.Entry> afterSecond = readAll(log);
            assertThat(afterSecond).noneMatch(e -> e.key().equals("k3"));
            assertThat(liveLatestPerKey(afterSecond)).isEqualTo(liveLatestPerKey(afterFirst));
        }
    }

    @Test
    void recompressesWithTheBatchCodec() {
        try (LogFixture f = new LogFixture(dir)) {
            PartitionLog log = f.log(Compacted.config());
            fill(f, log, 60, 5, CompressionType.GZIP);
            List<Compacted.Entry> before = readAll(log);
            assertThat(f.cleaner().cleanOnce()).isTrue();
            assertThat(latestPerKey(readAll(log))).isEqualTo(latestPerKey(before));
            for (RecordBatch batch : log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, true).records().batches()) {
                assertThat(batch.compressionType()).isEqualTo(CompressionType.GZIP);
            }
        }
    }

    @Test
    void aSmallDedupeBufferCleansInSeveralPasses() {
        try (LogFixture f = new LogFixture(dir, c -> c.withCleaner(false, OffsetMap.SLOT_BYTES * 30L,
                Double.MAX_VALUE, 15_000L))) {
            PartitionLog log = f.log(Compacted.config());
            for (int round = 0; round < 60; round++) {
                String[] pairs = new String[5];
                for (int k = 0; k < 5; k++) {
                    pairs[k] = "k" + (round * 5 + k) % 80 + "=v" + round;
                }
                append(log, CompressionType.NONE, f.time.milliseconds(), pairs);
            }
            List<Compacted.Entry> before = readAll(log);
            int passes = 0;
            while (f.cleaner().cleanOnce()) {
                passes++;
                assertThat(latestPerKey(readAll(log))).isEqualTo(latestPerKey(before));
            }
            assertThat(passes).isGreaterThan(2);
            long activeBase = log.activeSegment().baseOffset();
            List<Compacted.Entry> cleaned = readAll(log).stream().filter(e -> e.offset() < activeBase).toList();
            assertThat(cleaned.stream().map(Compacted.Entry::key).distinct().count()).isEqualTo(cleaned.size());
        }
    }

    @Test
    void truncationBelowTheCleanSectionMovesTheCheckpointBack() {
        try (LogFixture f = new LogFixture(dir)) {
            PartitionLog log = f.log(Compacted.config());
            fill(f, log, 40, 5, CompressionType.NONE);
            long endOffset = f.cleaner().cleanNow(log).orElseThrow().endOffset();
            assertThat(endOffset).isGreaterThan(100L);

            log.truncateTo(100L);
            assertThat(f.cleaner().checkpointed(log)).isEqualTo(log.logEndOffset()).isLessThanOrEqualTo(100L);
            fill(f, log, 40, 5, CompressionType.NONE);
            List<Compacted.Entry> before = readAll(log);
            assertThat(f.cleaner().cleanOnce()).isTrue();
            long activeBase = log.activeSegment().baseOffset();
            List<Compacted.Entry> cleaned = readAll(log).stream().filter(e -> e.offset() < activeBase).toList();
            assertThat(cleaned.stream().map(Compacted.Entry::key).distinct().count()).isEqualTo(cleaned.size());
            assertThat(latestPerKey(readAll(log))).isEqualTo(latestPerKey(before));
        }
    }

    @Test
    void cleansBatchesLargerThanTheReadBuffer() {
        try (LogFixture f = new LogFixture(dir)) {
            PartitionLog log = f.log(Compacted.config("max.message.bytes", 4 * Cleaner.INITIAL_BUFFER_BYTES,
                    "segment.bytes", 8 * Cleaner.INITIAL_BUFFER_BYTES));
            String big = "x".repeat(Cleaner.INITIAL_BUFFER_BYTES / 4);
            for (int round = 0; round < 3; round++) {
                append(log, CompressionType.NONE, f.time.milliseconds(), "a=" + round + big, "b=" + round + big,
                        "c=" + round + big, "d=" + round + big, "e=" + round + big);
            }
            f.time.advance(7 * 24 * 3_600_000L + 1);
            append(log, CompressionType.NONE, f.time.milliseconds(), "roll=1");
            List<Compacted.Entry> before = readAll(log);

            assertThat(f.cleaner().cleanOnce()).isTrue();

            assertThat(readAll(log)).isEqualTo(latestPerKey(before));
        }
    }

    @Test
    void aStoppingCleanerAbandonsItsWorkAndLeavesTheLogAsItWas() throws Exception {
        try (LogFixture f = new LogFixture(dir)) {
            PartitionLog log = f.log(Compacted.config());
            fill(f, log, 40, 5, CompressionType.NONE);
            List<Compacted.Entry> before = readAll(log);
            f.cleaner().shutdown();

            assertThat(f.cleaner().cleanNow(log)).isEmpty();

            assertThat(readAll(log)).isEqualTo(before);
            assertThat(log.isClosed()).isFalse();
            try (Stream<Path> files = Files.list(f.partitionDir())) {
                assertThat(files.map(p -> p.getFileName().toString()))
                        .noneMatch(n -> n.endsWith(LogFileNames.CLEANED_SUFFIX));
            }
        }
    }

    @Test
    void throttlesIoToTheConfiguredRate() {
        try (LogFixture f = new LogFixture(dir, c -> c.withCleaner(false, 1024 * 1024, 10_000.0, 15_000L))) {
            PartitionLog log = f.log(Compacted.config());
            fill(f, log, 60, 5, CompressionType.NONE);
            long startMs = f.time.milliseconds();
            Cleaner.Result result = f.cleaner().cleanNow(log).orElseThrow();
            long ioBytes = result.bytesRead() + result.bytesWritten();
            assertThat(f.time.milliseconds() - startMs).isGreaterThanOrEqualTo(ioBytes * 1000 / 10_000 - Throttler.MIN_SLEEP_MS);
        }
    }

    @Test
    void checkpointRemembersTheCleanSectionAcrossRestart() throws Exception {
        try (LogFixture f = new LogFixture(dir)) {
            PartitionLog log = f.log(Compacted.config());
            fill(f, log, 40, 5, CompressionType.NONE);
            long endOffset = f.cleaner().cleanNow(log).orElseThrow().endOffset();
            assertThat(Files.readAllLines(dir.resolve(LogFileNames.CLEANER_CHECKPOINT)))
                    .contains(LogFixture.TP.topic() + " 0 " + endOffset);
            f.restartClean();
            PartitionLog reopened = f.log(Compacted.config());
            assertThat(f.cleaner().checkpointed(reopened)).isEqualTo(endOffset);
            assertThat(f.cleaner().cleanOnce()).isFalse();
        }
    }

    @Test
    void compactedTopicRejectsRecordsWithoutKey() {
        try (LogFixture f = new LogFixture(dir)) {
            PartitionLog log = f.log(Compacted.config());
            MemoryRecords keyless = MemoryRecords.withRecords(Compression.NONE,
                    new SimpleRecord(f.time.milliseconds(), null, "v".getBytes(StandardCharsets.UTF_8)));
            assertThatThrownBy(() -> log.appendAsLeader(keyless, 0)).isInstanceOf(InvalidRecordException.class);
            assertThat(log.logEndOffset()).isZero();
        }
    }

    @Test
    void producerStateSurvivesCompactionAndUncleanRestart() throws Exception {
        try (LogFixture f = new LogFixture(dir)) {
            PartitionLog log = f.log(Compacted.config());
            long pid = 7L;
            short epoch = 0;
            int seq = 0;
            for (int round = 0; round < 30; round++) {
                SimpleRecord[] records = new SimpleRecord[4];
                for (int k = 0; k < 4; k++) {
                    records[k] = new SimpleRecord(f.time.milliseconds(), ("k" + k).getBytes(StandardCharsets.UTF_8),
                            ("v" + round).getBytes(StandardCharsets.UTF_8));
                }
                log.appendAsLeader(MemoryRecords.withIdempotentRecords(Compression.NONE, pid, epoch, seq, records), 0);
                seq += 4;
            }
            fill(f, log, 20, 4, CompressionType.NONE); // the producer's batches are superseded
            log.updateHighWatermark(log.logEndOffset());
            assertThat(f.cleaner().cleanOnce()).isTrue();

            f.crashAndRestart();
            try (Stream<Path> files = Files.list(f.partitionDir())) {
                for (Path p : files.filter(p -> p.toString().endsWith(LogFileNames.SNAPSHOT_SUFFIX)).toList()) {
                    Files.delete(p);
                }
            }
            f.crashAndRestart();
            PartitionLog reopened = f.log(Compacted.config());
            int nextSeq = seq;
            assertThat(reopened.producerState().entry(pid).lastSequence()).isEqualTo(nextSeq - 1);
            assertThatThrownBy(() -> reopened.appendAsLeader(MemoryRecords.withIdempotentRecords(Compression.NONE, pid,
                    epoch, nextSeq + 1, new SimpleRecord(1L, "k".getBytes(StandardCharsets.UTF_8), null)), 0))
                    .isInstanceOf(OutOfOrderSequenceException.class);
            LogAppendResult next = reopened.appendAsLeader(MemoryRecords.withIdempotentRecords(Compression.NONE, pid,
                    epoch, nextSeq, new SimpleRecord(f.time.milliseconds(), "k".getBytes(StandardCharsets.UTF_8),
                            "x".getBytes(StandardCharsets.UTF_8))), 0);
            assertThat(next.duplicate()).isFalse();
        }
    }

    @Test
    void backgroundThreadCompactsAndStopsAtClose() {
        LogFixture f = new LogFixture(dir, c -> c.withCleaner(true, 1024 * 1024, Double.MAX_VALUE, 10L));
        try {
            PartitionLog log = f.log(Compacted.config());
            fill(f, log, 40, 5, CompressionType.NONE);
            long sizeBefore = log.sizeInBytes();
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> log.sizeInBytes() < sizeBefore);
        } finally {
            f.close();
        }
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("strand-log-cleaner"));
    }

    /** A crash simulated by throwing from a step of the swap. */
    static final class SimulatedCrash extends RuntimeException {
        SimulatedCrash(SwapObserver.Step step) {
            super("crash at " + step);
        }
    }

    @ParameterizedTest
    @EnumSource(SwapObserver.Step.class)
    void crashAtAnySwapStepRecoversEveryKeysLatestValue(SwapObserver.Step crashStep) throws Exception {
        try (LogFixture f = new LogFixture(dir)) {
            PartitionLog log = f.log(Compacted.config("segment.bytes", 2048));
            fill(f, log, 60, 5, CompressionType.NONE);
            List<Compacted.Entry> before = readAll(log);
            f.cleaner().setSwapObserver(step -> {
                if (step == crashStep) {
                    throw new SimulatedCrash(step);
                }
            });
            f.cleaner().cleanOnce();
            assertThat(log.isClosed()).isTrue();

            f.crashAndRestart();
            PartitionLog reopened = f.log(Compacted.config("segment.bytes", 2048));
            List<Compacted.Entry> after = readAll(reopened);
            assertThat(latestPerKey(after)).isEqualTo(latestPerKey(before));
            assertThat(after).isSubsetOf(before).isSortedAccordingTo(Comparator.comparingLong(
                    Compacted.Entry::offset)).doesNotHaveDuplicates();
            assertThat(reopened.logEndOffset()).isEqualTo(300);
            reopened.updateHighWatermark(reopened.logEndOffset());
            try (Stream<Path> files = Files.list(f.partitionDir())) {
                assertThat(files.map(p -> p.getFileName().toString()))
                        .noneMatch(n -> n.endsWith(LogFileNames.CLEANED_SUFFIX) || n.endsWith(LogFileNames.SWAP_SUFFIX));
            }
            assertThat(f.cleaner().cleanOnce()).isTrue();
            assertThat(latestPerKey(readAll(reopened))).isEqualTo(latestPerKey(before));
        }
    }

    @Test
    void crashWithHalfRenamedSwapFilesKeepsTheOldSegments() throws Exception {
        try (LogFixture f = new LogFixture(dir)) {
            PartitionLog log = f.log(Compacted.config("segment.bytes", 2048));
            fill(f, log, 60, 5, CompressionType.NONE);
            List<Compacted.Entry> before = readAll(log);
            f.cleaner().setSwapObserver(step -> {
                throw new SimulatedCrash(step);
            });
            f.cleaner().cleanOnce();
            f.abandon();
            Path cleanedIndex = LogFileNames.indexFile(f.partitionDir(), 0).resolveSibling(
                    LogFileNames.offsetName(0) + LogFileNames.INDEX_SUFFIX + LogFileNames.CLEANED_SUFFIX);
            assertThat(cleanedIndex).exists();
            Files.move(cleanedIndex, cleanedIndex.resolveSibling(
                    LogFileNames.offsetName(0) + LogFileNames.INDEX_SUFFIX + LogFileNames.SWAP_SUFFIX));

            f.crashAndRestartWithoutAbandon();
            assertThat(readAll(f.log(Compacted.config("segment.bytes", 2048)))).isEqualTo(before);
        }
    }
}
