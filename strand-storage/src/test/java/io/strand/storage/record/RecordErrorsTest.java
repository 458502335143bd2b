package io.strand.storage.record;

import static io.strand.storage.LogFixture.START_MS;
import static io.strand.storage.LogFixture.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.strand.storage.LogFixture;
import io.strand.storage.log.PartitionLog;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ProduceResponse.RecordError;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The refusals Kafka answers with per-record errors (KIP-467): which records, and which error code. */
class RecordErrorsTest {

    @RegisterExtension
    final LogFixture fx = LogFixture.perTest();

    private static SimpleRecord record(long timestampMs, String key) {
        return new SimpleRecord(timestampMs, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                "v".getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @EnumSource(value = CompressionType.class, names = {"NONE", "LZ4"})
    void namesEveryRecordWithoutKeyInACompactedTopic(CompressionType codec) {
        PartitionLog log = fx.log(config(TopicConfig.CLEANUP_POLICY_CONFIG, "compact"));
        MemoryRecords records = MemoryRecords.withRecords(Compression.of(codec).build(),
                record(START_MS, "a"), record(START_MS, null), record(START_MS, "c"), record(START_MS, null));

        Throwable e = catchThrowable(() -> log.appendAsLeader(records, 0));

        assertThat(e).isInstanceOf(InvalidRecordException.class).isInstanceOf(RecordErrors.class);
        assertThat(Errors.forException(e)).isEqualTo(Errors.INVALID_RECORD);
        assertThat(((RecordErrors) e).recordErrors()).extracting(r -> r.batchIndex).containsExactly(1, 3);
        assertThat(((RecordErrors) e).recordErrors()).allSatisfy(r -> assertThat(r.message).contains("without key"));
        assertThat(log.logEndOffset()).isZero();
    }

    @ParameterizedTest
    @EnumSource(value = CompressionType.class, names = {"NONE", "GZIP"})
    void namesEveryRecordWithATimestampOutOfRange(CompressionType codec) {
        PartitionLog log = fx.log(config(TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG, 60_000L,
                TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG, 10_000L));
        MemoryRecords records = MemoryRecords.withRecords(Compression.of(codec).build(),
                record(START_MS, "a"), record(START_MS - 60_001, "b"), record(START_MS + 10_001, "c"));

        Throwable e = catchThrowable(() -> log.appendAsLeader(records, 0));

        assertThat(e).isInstanceOf(InvalidTimestampException.class).isInstanceOf(RecordErrors.class);
        assertThat(Errors.forException(e)).isEqualTo(Errors.INVALID_TIMESTAMP);
        assertThat(((RecordErrors) e).recordErrors()).extracting(r -> r.batchIndex).containsExactly(1, 2);
        assertThat(log.logEndOffset()).isZero();
    }

    @ParameterizedTest
    @EnumSource(value = CompressionType.class, names = {"NONE", "ZSTD"})
    void aTimestampErrorMakesTheBatchInvalidTimestampEvenBesideAMissingKey(CompressionType codec) {
        PartitionLog log = fx.log(config(TopicConfig.CLEANUP_POLICY_CONFIG, "compact",
                TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG, 60_000L));
        MemoryRecords records = MemoryRecords.withRecords(Compression.of(codec).build(),
                record(START_MS, null), record(START_MS - 70_000, "b"));

        Throwable e = catchThrowable(() -> log.appendAsLeader(records, 0));

        assertThat(Errors.forException(e)).isEqualTo(Errors.INVALID_TIMESTAMP);
        assertThat(((RecordErrors) e).recordErrors()).extracting(RecordError::toString).hasSize(2);
        assertThat(((RecordErrors) e).recordErrors()).extracting(r -> r.batchIndex).containsExactly(0, 1);
    }
}
