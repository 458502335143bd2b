package io.strand.storage.log;

import static io.strand.storage.LogFixture.START_MS;
import static io.strand.storage.LogFixture.config;
import static io.strand.storage.TestRecords.batch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.storage.LogFixture;
import io.strand.storage.TestRecords;
import io.strand.storage.file.LogFileNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RetentionTest {

    static final long HOUR_MS = 3_600_000L;

    @RegisterExtension
    final LogFixture fx = LogFixture.perTest();

    /** Five segments of two single-record batches each; segment j's records are 4 - j hours old. */
    private PartitionLog fiveSegments(Object... extraConfig) {
        Object[] kv = new Object[extraConfig.length + 4];
        kv[0] = TopicConfig.SEGMENT_BYTES_CONFIG;
        kv[1] = 200;
        kv[2] = TopicConfig.FILE_DELETE_DELAY_MS_CONFIG;
        kv[3] = 1_000L;
        System.arraycopy(extraConfig, 0, kv, 4, extraConfig.length);
        PartitionLog log = fx.log(config(kv));
        for (int i = 0; i < 10; i++) {
            log.appendAsLeader(batch(START_MS - (4 - i / 2) * HOUR_MS, "value-" + i), 0);
        }
        assertThat(log.segmentBaseOffsets()).containsExactly(0L, 2L, 4L, 6L, 8L);
        log.updateHighWatermark(log.logEndOffset());
        return log;
    }

    private long filesEndingWith(String suffix) throws Exception {
        try (Stream<Path> files = Files.list(fx.partitionDir())) {
            return files.filter(p -> p.getFileName().toString().endsWith(suffix)).count();
        }
    }

    @Test
    void deletesSegmentsOlderThanRetentionMs() throws Exception {
        PartitionLog log = fiveSegments(TopicConfig.RETENTION_MS_CONFIG, 10 * HOUR_MS);
        var heldByAReader = log.read(0, 1000, Long.MAX_VALUE, true).records();
        fx.time.advance(8 * HOUR_MS + 1);

        assertThat(log.deleteOldSegments()).isEqualTo(3);
        assertThat(TestRecords.values(heldByAReader)).containsExactly("value-0", "value-1");

        assertThat(log.segmentBaseOffsets()).containsExactly(6L, 8L);
        assertThat(log.logStartOffset()).isEqualTo(6L);
        assertThatThrownBy(() -> log.read(5, 100, Long.MAX_VALUE, true)).isInstanceOf(OffsetOutOfRangeException.class);
        assertThat(TestRecords.readAll(log)).containsOnlyKeys(6L, 7L, 8L, 9L);
        assertThat(filesEndingWith(".log.deleted")).isEqualTo(3);

        fx.time.advance(1_000);
        fx.runScheduler();
        assertThat(filesEndingWith(".deleted")).isZero();
        assertThat(filesEndingWith(".log")).isEqualTo(2);
    }

    @Test
    void rollsTheActiveSegmentWhenEverySegmentIsExpired() {
        PartitionLog log = fiveSegments(TopicConfig.RETENTION_MS_CONFIG, HOUR_MS);
        fx.time.advance(30 * HOUR_MS);

        assertThat(log.deleteOldSegments()).isEqualTo(5);

        assertThat(log.segmentBaseOffsets()).containsExactly(10L);
        assertThat(log.logStartOffset()).isEqualTo(10L);
        assertThat(log.logEndOffset()).isEqualTo(10L);
        assertThat(log.appendAsLeader(batch(fx.time.milliseconds(), "fresh"), 0).firstOffset()).isEqualTo(10L);
    }

    @Test
    void deletesOldestSegmentsBeyondRetentionBytes() {
        PartitionLog log = fiveSegments();
        long segmentBytes = log.sizeInBytes() / 5;
        log.updateConfig(config(TopicConfig.SEGMENT_BYTES_CONFIG, 200, TopicConfig.RETENTION_BYTES_CONFIG,
                2 * segmentBytes + 10));

        // As in Kafka, a segment goes only if the log stays at least retention.bytes without it.
        assertThat(log.deleteOldSegments()).isEqualTo(2);
        assertThat(log.segmentBaseOffsets()).containsExactly(4L, 6L, 8L);

        log.updateConfig(config(TopicConfig.SEGMENT_BYTES_CONFIG, 200, TopicConfig.RETENTION_BYTES_CONFIG,
                2 * segmentBytes));
        assertThat(log.deleteOldSegments()).isEqualTo(1);
        assertThat(log.segmentBaseOffsets()).containsExactly(6L, 8L);
        assertThat(log.sizeInBytes()).isEqualTo(2 * segmentBytes);
    }

    @Test
    void neverDeletesPastTheHighWatermark() {
        PartitionLog log = fiveSegments(TopicConfig.RETENTION_MS_CONFIG, HOUR_MS);
        log.updateHighWatermark(5);
        fx.time.advance(30 * HOUR_MS);

        log.deleteOldSegments();

        assertThat(log.segmentBaseOffsets()).containsExactly(4L, 6L, 8L);
        assertThat(log.logStartOffset()).isEqualTo(4L);
    }

    @Test
    void retentionOnlyAppliesWithTheDeletePolicy() {
        PartitionLog log = fiveSegments(TopicConfig.RETENTION_MS_CONFIG, HOUR_MS,
                TopicConfig.CLEANUP_POLICY_CONFIG, "compact");
        fx.time.advance(30 * HOUR_MS);

        assertThat(log.deleteOldSegments()).isZero();
        assertThat(log.segmentBaseOffsets()).hasSize(5);
    }

    @Test
    void retentionRunsInTheBackground() {
        PartitionLog log = fiveSegments(TopicConfig.RETENTION_MS_CONFIG, 10 * HOUR_MS);
        fx.time.advance(8 * HOUR_MS + 1);

        fx.runScheduler();

        assertThat(log.segmentBaseOffsets()).containsExactly(6L, 8L);
    }

    @Test
    void deleteRecordsMovesTheLogStartAndDropsWholeSegmentsBelowIt() throws Exception {
        PartitionLog log = fiveSegments();

        assertThat(log.deleteRecordsBefore(5)).isEqualTo(5L);

        assertThat(log.logStartOffset()).isEqualTo(5L);
        assertThatThrownBy(() -> log.read(4, 100, Long.MAX_VALUE, true)).isInstanceOf(OffsetOutOfRangeException.class);
        assertThat(TestRecords.readAll(log)).containsOnlyKeys(5L, 6L, 7L, 8L, 9L);
        assertThat(Files.readString(fx.dataDir.resolve(LogFileNames.LOG_START_CHECKPOINT))).contains("events 0 5");

        fx.runScheduler();

        assertThat(log.segmentBaseOffsets()).containsExactly(4L, 6L, 8L);
        assertThat(log.deleteRecordsBefore(3)).isEqualTo(5L);
    }

    @Test
    void deleteRecordsBeyondTheHighWatermarkIsOutOfRange() {
        PartitionLog log = fiveSegments();
        log.updateHighWatermark(6);

        assertThatThrownBy(() -> log.deleteRecordsBefore(7)).isInstanceOf(OffsetOutOfRangeException.class);
        assertThat(log.deleteRecordsBefore(6)).isEqualTo(6L);
    }

    @Test
    void logStartOffsetSurvivesRestart() {
        PartitionLog log = fiveSegments();
        log.deleteRecordsBefore(3);

        fx.crashAndRestart();
        PartitionLog reopened = fx.log(log.config());

        assertThat(reopened.logStartOffset()).isEqualTo(3L);
        assertThat(TestRecords.readAll(reopened)).containsOnlyKeys(3L, 4L, 5L, 6L, 7L, 8L, 9L);
    }
}
