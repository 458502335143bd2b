package io.strand.storage.log;

import static io.strand.storage.LogFixture.START_MS;
import static io.strand.storage.LogFixture.config;
import static io.strand.storage.TestRecords.batch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.storage.LogFixture;
import io.strand.storage.TestRecords;
import io.strand.storage.checkpoint.EpochEndOffset;
import io.strand.storage.file.LogFileNames;
import io.strand.storage.index.TimeIndex;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RecoveryTest {

    static final LogConfig SMALL_SEGMENTS = config(TopicConfig.SEGMENT_BYTES_CONFIG, 400,
            TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, 0);

    @RegisterExtension
    final LogFixture fx = LogFixture.perTest();

    /** Appends {@code count} one-record batches "v0", "v1", …; returns offset → value. */
    private Map<Long, String> append(PartitionLog log, int count) {
        Map<Long, String> written = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            long offset = log.appendAsLeader(batch(START_MS + i, "v" + i), 0).firstOffset();
            written.put(offset, "v" + i);
        }
        return written;
    }

    private Path segmentFile(long baseOffset) {
        return LogFileNames.logFile(fx.partitionDir(), baseOffset);
    }

    /** File positions of the batches in a segment file. */
    private List<Integer> batchPositions(Path logFile) throws Exception {
        try (FileRecords records = FileRecords.open(logFile.toFile(), false)) {
            List<Integer> positions = new ArrayList<>();
            for (FileChannelRecordBatch b : records.batches()) {
                positions.add(b.position());
            }
            return positions;
        }
    }

    private static void flipByte(Path file, long position) throws Exception {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(position);
            int b = raf.read();
            raf.seek(position);
            raf.write(b ^ 0xFF);
        }
    }

    @Test
    void truncatesTornBatchOnRecovery() throws Exception {
        PartitionLog log = fx.log(LogConfig.defaults());
        Map<Long, String> written = append(log, 4);
        long sizeBeforeLastBatch = log.sizeInBytes();
        append(log, 1);
        fx.abandon();
        Path file = segmentFile(0);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(Files.size(file) - 7);
        }

        fx.crashAndRestartWithoutAbandon();
        PartitionLog recovered = fx.log(LogConfig.defaults());

        assertThat(recovered.logEndOffset()).isEqualTo(4L);
        assertThat(TestRecords.readAll(recovered)).isEqualTo(written);
        assertThat(Files.size(file)).isEqualTo(sizeBeforeLastBatch);
        assertThat(recovered.appendAsLeader(batch(START_MS, "after"), 0).firstOffset()).isEqualTo(4L);
    }

    @Test
    void cutsGarbageWrittenAtTheTail() throws Exception {
        PartitionLog log = fx.log(LogConfig.defaults());
        Map<Long, String> written = append(log, 3);
        long validSize = log.sizeInBytes();
        fx.abandon();
        try (RandomAccessFile raf = new RandomAccessFile(segmentFile(0).toFile(), "rw")) {
            raf.seek(validSize);
            raf.write(new byte[] {0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 80, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13});
        }

        fx.crashAndRestartWithoutAbandon();
        PartitionLog recovered = fx.log(LogConfig.defaults());

        assertThat(Files.size(segmentFile(0))).isEqualTo(validSize);
        assertThat(recovered.logEndOffset()).isEqualTo(3L);
        assertThat(TestRecords.readAll(recovered)).isEqualTo(written);
    }

    @Test
    void cutsABatchWhoseTailWasOverwrittenWithGarbage() throws Exception {
        PartitionLog log = fx.log(LogConfig.defaults());
        Map<Long, String> written = append(log, 3);
        long sizeBeforeLastBatch = log.sizeInBytes();
        append(log, 1);
        long size = log.sizeInBytes();
        fx.abandon();
        try (RandomAccessFile raf = new RandomAccessFile(segmentFile(0).toFile(), "rw")) {
            raf.seek(size - 10);
            raf.write(new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef, 1, 2, 3, 4, 5, 6});
        }

        fx.crashAndRestartWithoutAbandon();
        PartitionLog recovered = fx.log(LogConfig.defaults());

        assertThat(Files.size(segmentFile(0))).isEqualTo(sizeBeforeLastBatch);
        assertThat(TestRecords.readAll(recovered)).isEqualTo(written);
    }

    @Test
    void cutsAtACorruptCrcInTheMiddleAndDropsTheSegmentsAfterIt() throws Exception {
        PartitionLog log = fx.log(SMALL_SEGMENTS);
        append(log, 20);
        assertThat(log.segmentBaseOffsets()).hasSizeGreaterThan(3);
        long secondSegment = log.segmentBaseOffsets().get(1);
        fx.abandon();
        List<Integer> positions = batchPositions(segmentFile(secondSegment));
        flipByte(segmentFile(secondSegment), positions.get(1) + 70);

        fx.crashAndRestartWithoutAbandon();
        PartitionLog recovered = fx.log(SMALL_SEGMENTS);

        assertThat(recovered.logEndOffset()).isEqualTo(secondSegment + 1);
        assertThat(recovered.segmentBaseOffsets()).containsExactly(0L, secondSegment);
        assertThat(Files.size(segmentFile(secondSegment))).isEqualTo((long) positions.get(1));
        assertThat(TestRecords.readAll(recovered)).hasSize((int) secondSegment + 1);
        try (var files = Files.list(fx.partitionDir())) {
            assertThat(files.filter(p -> p.toString().endsWith(".log")).count()).isEqualTo(2);
        }
    }

    @Test
    void cleanShutdownSkipsRecovery() throws Exception {
        PartitionLog log = fx.log(LogConfig.defaults());
        append(log, 3);
        fx.manager.close();
        List<Integer> positions = batchPositions(segmentFile(0));
        flipByte(segmentFile(0), positions.get(1) + 70);
        assertThat(fx.dataDir.resolve(LogFileNames.CLEAN_SHUTDOWN_MARKER)).exists();

        fx.crashAndRestartWithoutAbandon();
        PartitionLog reopened = fx.log(LogConfig.defaults());

        assertThat(fx.dataDir.resolve(LogFileNames.CLEAN_SHUTDOWN_MARKER)).doesNotExist();
        assertThat(reopened.logEndOffset()).isEqualTo(3L);
        RecordBatch corrupt = reopened.read(1, 1000, Long.MAX_VALUE, true).records().batches().iterator().next();
        assertThatThrownBy(corrupt::ensureValid).isInstanceOf(CorruptRecordException.class);
    }

    @Test
    void theSameCorruptionIsCutAfterAnUncleanShutdown() throws Exception {
        PartitionLog log = fx.log(LogConfig.defaults());
        append(log, 3);
        fx.abandon();
        List<Integer> positions = batchPositions(segmentFile(0));
        flipByte(segmentFile(0), positions.get(1) + 70);

        fx.crashAndRestartWithoutAbandon();

        assertThat(fx.log(LogConfig.defaults()).logEndOffset()).isEqualTo(1L);
    }

    @Test
    void segmentsBelowTheRecoveryPointAreTrustedAfterAnUncleanShutdown() throws Exception {
        PartitionLog log = fx.log(SMALL_SEGMENTS);
        append(log, 20);
        log.flush();
        fx.time.advance(60_000);
        fx.runScheduler();
        append(log, 1);
        fx.abandon();
        List<Integer> positions = batchPositions(segmentFile(0));
        flipByte(segmentFile(0), positions.get(1) + 70);

        fx.crashAndRestartWithoutAbandon();

        assertThat(fx.log(SMALL_SEGMENTS).logEndOffset()).isEqualTo(21L);
    }

    @Test
    void reopenRestoresOffsetsLogStartHighWatermarkAndEpochs() {
        PartitionLog log = fx.log(SMALL_SEGMENTS);
        for (int i = 0; i < 20; i++) {
            log.appendAsLeader(batch(START_MS + i, "v" + i), i / 5);
        }
        log.updateHighWatermark(17);
        log.deleteRecordsBefore(6);
        fx.runScheduler();
        Map<Long, String> before = TestRecords.readAll(log);
        List<Long> segments = log.segmentBaseOffsets();

        fx.restartClean();
        PartitionLog reopened = fx.log(SMALL_SEGMENTS);

        assertThat(reopened.logEndOffset()).isEqualTo(20L);
        assertThat(reopened.logStartOffset()).isEqualTo(6L);
        assertThat(reopened.highWatermark()).isEqualTo(17L);
        assertThat(reopened.latestEpoch()).isEqualTo(3);
        assertThat(reopened.endOffsetForEpoch(2)).isEqualTo(new EpochEndOffset(2, 15));
        assertThat(reopened.segmentBaseOffsets()).isEqualTo(segments);
        assertThat(TestRecords.readAll(reopened)).isEqualTo(before);
        assertThat(reopened.offsetForTimestamp(START_MS + 12)).contains(new TimestampAndOffset(START_MS + 12, 12, 2));
        assertThat(reopened.offsetOfMaxTimestamp()).contains(new TimestampAndOffset(START_MS + 19, 19, 3));
    }

    @Test
    void highWatermarkComesBackFromTheLastCheckpointAfterACrash() {
        PartitionLog log = fx.log(LogConfig.defaults());
        append(log, 5);
        log.updateHighWatermark(5);
        fx.time.advance(60_000);
        fx.runScheduler();
        append(log, 3);
        log.updateHighWatermark(8);

        fx.crashAndRestart();
        PartitionLog reopened = fx.log(LogConfig.defaults());

        assertThat(reopened.logEndOffset()).isEqualTo(8L);
        assertThat(reopened.highWatermark()).isEqualTo(5L);
    }

    @Test
    void rebuildsAMissingOrMalformedIndex() throws Exception {
        PartitionLog log = fx.log(SMALL_SEGMENTS);
        Map<Long, String> written = append(log, 20);
        long second = log.segmentBaseOffsets().get(1);
        fx.manager.close();
        Files.delete(LogFileNames.indexFile(fx.partitionDir(), 0));
        Files.write(LogFileNames.timeIndexFile(fx.partitionDir(), second), new byte[] {1, 2, 3});
        Files.write(LogFileNames.indexFile(fx.partitionDir(), second), new byte[16]);

        fx.crashAndRestartWithoutAbandon();
        PartitionLog reopened = fx.log(SMALL_SEGMENTS);

        assertThat(TestRecords.readAll(reopened)).isEqualTo(written);
        assertThat(Files.size(LogFileNames.indexFile(fx.partitionDir(), 0))).isPositive();
        assertThat(Files.size(LogFileNames.timeIndexFile(fx.partitionDir(), second)) % TimeIndex.ENTRY_BYTES).isZero();
        for (long offset = 0; offset < 20; offset++) {
            assertThat(reopened.read(offset, 1, Long.MAX_VALUE, true).records().batches().iterator().next().baseOffset())
                    .isEqualTo(offset);
        }
        assertThat(reopened.offsetForTimestamp(START_MS + second).orElseThrow().offset()).isEqualTo(second);
    }

    @Test
    void recoversPreallocatedSegments() throws Exception {
        LogConfig preallocated = config(TopicConfig.PREALLOCATE_CONFIG, true, TopicConfig.SEGMENT_BYTES_CONFIG, 4096);
        PartitionLog log = fx.log(preallocated);
        Map<Long, String> written = append(log, 3);
        assertThat(Files.size(segmentFile(0))).isEqualTo(4096L);

        fx.crashAndRestart();
        PartitionLog recovered = fx.log(preallocated);

        assertThat(recovered.logEndOffset()).isEqualTo(3L);
        assertThat(TestRecords.readAll(recovered)).isEqualTo(written);
        recovered.appendAsLeader(batch(START_MS, "more"), 0);
        fx.restartClean();
        assertThat(TestRecords.readAll(fx.log(preallocated))).hasSize(4).containsEntry(3L, "more");
    }
}
