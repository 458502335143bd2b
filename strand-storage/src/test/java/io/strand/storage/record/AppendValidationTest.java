package io.strand.storage.record;

import static io.strand.storage.LogFixture.START_MS;
import static io.strand.storage.LogFixture.config;
import static io.strand.storage.TestRecords.batch;
import static io.strand.storage.TestRecords.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.storage.LogFixture;
import io.strand.storage.log.LogConfig;
import io.strand.storage.log.PartitionLog;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnsupportedForMessageFormatException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class AppendValidationTest {

    @RegisterExtension
    final LogFixture fx = LogFixture.perTest();

    private void assertUntouched(PartitionLog log, long logEndOffset, long sizeInBytes) {
        assertThat(log.logEndOffset()).isEqualTo(logEndOffset);
        assertThat(log.sizeInBytes()).isEqualTo(sizeInBytes);
    }

    @Test
    void rejectsOldMessageFormats() {
        PartitionLog log = fx.log(LogConfig.defaults());
        MemoryRecords v1 = MemoryRecords.withRecords(RecordBatch.MAGIC_VALUE_V1, Compression.NONE,
                new SimpleRecord(START_MS, "a".getBytes()));

        assertThatThrownBy(() -> log.appendAsLeader(v1, 0)).isInstanceOf(UnsupportedForMessageFormatException.class);
        assertUntouched(log, 0, 0);
    }

    @Test
    void rejectsABatchWithABadCrcAndLeavesTheLogUntouched() {
        PartitionLog log = fx.log(LogConfig.defaults());
        log.appendAsLeader(batch(START_MS, "ok"), 0);
        long size = log.sizeInBytes();
        MemoryRecords records = batch(START_MS, "hello", "world");
        ByteBuffer buf = records.buffer();
        buf.put(buf.limit() - 2, (byte) (buf.get(buf.limit() - 2) ^ 0x55));

        assertThatThrownBy(() -> log.appendAsLeader(records, 0)).isInstanceOf(CorruptRecordException.class)
                .satisfies(e -> assertThat(Errors.forException(e)).isEqualTo(Errors.CORRUPT_MESSAGE));
        assertUntouched(log, 1, size);
    }

    @Test
    void rejectsABatchWhoseHeaderDisagreesWithItsRecords() {
        PartitionLog log = fx.log(LogConfig.defaults());
        MemoryRecords records = batch(START_MS, "a", "b", "c");
        ByteBuffer buf = records.buffer();
        buf.putInt(DefaultRecordBatch.LAST_OFFSET_DELTA_OFFSET, 5);
        fixCrc(buf);

        assertThatThrownBy(() -> log.appendAsLeader(records, 0)).isInstanceOf(CorruptRecordException.class);
        assertUntouched(log, 0, 0);
    }

    @Test
    void rejectsABatchWhoseRecordCountOverstatesItsRecords() {
        PartitionLog log = fx.log(LogConfig.defaults());
        MemoryRecords records = batch(START_MS, "a", "b", "c");
        ByteBuffer buf = records.buffer();
        buf.putInt(DefaultRecordBatch.RECORDS_COUNT_OFFSET, 4);
        buf.putInt(DefaultRecordBatch.LAST_OFFSET_DELTA_OFFSET, 3);
        fixCrc(buf);

        assertThatThrownBy(() -> log.appendAsLeader(records, 0)).isInstanceOf(InvalidRecordException.class)
                .satisfies(e -> assertThat(Errors.forException(e)).isEqualTo(Errors.INVALID_RECORD));
        assertUntouched(log, 0, 0);
    }

    @Test
    void rejectsATruncatedBatch() {
        PartitionLog log = fx.log(LogConfig.defaults());
        ByteBuffer buf = batch(START_MS, "a", "b").buffer();
        buf.limit(buf.limit() - 3);

        assertThatThrownBy(() -> log.appendAsLeader(MemoryRecords.readableRecords(buf.slice()), 0))
                .isInstanceOf(CorruptRecordException.class);
    }

    @Test
    void rejectsABatchLargerThanMaxMessageBytes() {
        PartitionLog log = fx.log(config(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, 200));
        log.appendAsLeader(batch(START_MS, "small"), 0);

        assertThatThrownBy(() -> log.appendAsLeader(batch(START_MS, "x".repeat(300)), 0))
                .isInstanceOf(RecordTooLargeException.class)
                .satisfies(e -> assertThat(Errors.forException(e)).isEqualTo(Errors.MESSAGE_TOO_LARGE));
        assertUntouched(log, 1, log.sizeInBytes());
    }

    @Test
    void rejectsTimestampsOutsideTheConfiguredWindow() {
        PartitionLog log = fx.log(config(TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG, 60_000L,
                TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG, 10_000L));

        assertThatThrownBy(() -> log.appendAsLeader(batch(START_MS - 60_001, "old"), 0))
                .isInstanceOf(InvalidTimestampException.class);
        assertThatThrownBy(() -> log.appendAsLeader(batch(START_MS + 10_001, "future"), 0))
                .isInstanceOf(InvalidTimestampException.class);
        assertThatThrownBy(() -> log.appendAsLeader(batch(CompressionType.GZIP, START_MS + 10_001, "future"), 0))
                .isInstanceOf(InvalidTimestampException.class);
        MemoryRecords oneOldInside = MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord(START_MS, "k".getBytes(), "now".getBytes()),
                new SimpleRecord(START_MS - 70_000, "k".getBytes(), "old".getBytes()));
        assertThatThrownBy(() -> log.appendAsLeader(oneOldInside, 0)).isInstanceOf(InvalidTimestampException.class);
        assertUntouched(log, 0, 0);

        log.appendAsLeader(batch(START_MS - 60_000, "edge"), 0);
        log.appendAsLeader(batch(START_MS + 10_000, "edge"), 0);
        assertThat(log.logEndOffset()).isEqualTo(2L);
    }

    @Test
    void rejectsARequestWithoutBatches() {
        PartitionLog log = fx.log(LogConfig.defaults());

        assertThatThrownBy(() -> log.appendAsLeader(MemoryRecords.EMPTY, 0)).isInstanceOf(InvalidRecordException.class)
                .satisfies(e -> assertThat(Errors.forException(e)).isEqualTo(Errors.INVALID_RECORD));
    }

    @Test
    void rejectsMoreThanOneBatchPerRequest() {
        PartitionLog log = fx.log(LogConfig.defaults());
        ByteBuffer a = batch(START_MS, "a").buffer();
        ByteBuffer b = batch(START_MS, "b").buffer();
        ByteBuffer both = ByteBuffer.allocate(a.remaining() + b.remaining()).put(a).put(b).flip();

        assertThatThrownBy(() -> log.appendAsLeader(MemoryRecords.readableRecords(both), 0))
                .isInstanceOf(InvalidRecordException.class);
        assertUntouched(log, 0, 0);
    }

    @Test
    void rejectsControlBatchesFromProducers() {
        PartitionLog log = fx.log(LogConfig.defaults());
        MemoryRecords marker = MemoryRecords.withEndTransactionMarker(0L, START_MS, 0, 7L, (short) 0,
                new EndTransactionMarker(ControlRecordType.COMMIT, 0));

        assertThatThrownBy(() -> log.appendAsLeader(marker, 0)).isInstanceOf(InvalidRecordException.class);
    }

    @Test
    void compactedTopicsRequireKeys() {
        PartitionLog log = fx.log(config(TopicConfig.CLEANUP_POLICY_CONFIG, "compact"));
        MemoryRecords noKey = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(START_MS, null, "v".getBytes()));
        MemoryRecords noKeyCompressed = MemoryRecords.withRecords(Compression.gzip().build(),
                new SimpleRecord(START_MS, "k".getBytes(), "v".getBytes()), new SimpleRecord(START_MS, null, "v".getBytes()));

        assertThatThrownBy(() -> log.appendAsLeader(noKey, 0)).isInstanceOf(InvalidRecordException.class);
        assertThatThrownBy(() -> log.appendAsLeader(noKeyCompressed, 0)).isInstanceOf(InvalidRecordException.class);
        log.appendAsLeader(batch(START_MS, "keyed"), 0);
        assertThat(log.logEndOffset()).isEqualTo(1L);
    }

    @Test
    void recompressesIntoTheTopicCodec() {
        PartitionLog log = fx.log(config(TopicConfig.COMPRESSION_TYPE_CONFIG, "zstd"));
        log.appendAsLeader(batch(START_MS, "plain-1", "plain-2"), 0);
        log.appendAsLeader(batch(CompressionType.GZIP, START_MS, "gzip-1"), 0);

        var batches = log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, true).records().batches().iterator();
        RecordBatch first = batches.next();
        RecordBatch second = batches.next();
        assertThat(first.compressionType()).isEqualTo(CompressionType.ZSTD);
        assertThat(second.compressionType()).isEqualTo(CompressionType.ZSTD);
        assertThat(second.baseOffset()).isEqualTo(2L);
        first.ensureValid();
        second.ensureValid();
        assertThat(values(log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, true).records()))
                .containsExactly("plain-1", "plain-2", "gzip-1");
    }

    @Test
    void uncompressedTopicsDecompress() {
        PartitionLog log = fx.log(config(TopicConfig.COMPRESSION_TYPE_CONFIG, "uncompressed"));
        log.appendAsLeader(batch(CompressionType.SNAPPY, START_MS, "a", "b"), 0);

        RecordBatch stored = log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, true).records().batches().iterator().next();
        assertThat(stored.compressionType()).isEqualTo(CompressionType.NONE);
        assertThat(values(log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, true).records())).containsExactly("a", "b");
    }

    @Test
    void correctsAMaxTimestampTheProducerGotWrong() {
        PartitionLog log = fx.log(LogConfig.defaults());
        MemoryRecords records = batch(START_MS, "a");
        ByteBuffer buf = records.buffer();
        buf.putLong(35, START_MS - 999);
        fixCrc(buf);

        log.appendAsLeader(records, 0);

        RecordBatch stored = log.read(0, 1000, Long.MAX_VALUE, true).records().batches().iterator().next();
        assertThat(stored.maxTimestamp()).isEqualTo(START_MS);
        assertThat(stored.timestampType()).isEqualTo(TimestampType.CREATE_TIME);
        stored.ensureValid();
    }

    /** Recomputes the CRC of the single batch in {@code buf} after a test changed its header. */
    private static void fixCrc(ByteBuffer buf) {
        ByteBuffer b = buf.duplicate();
        int crcStart = DefaultRecordBatch.CRC_OFFSET + 4;
        CRC32C crc = new CRC32C();
        crc.update(b.position(crcStart));
        buf.putInt(DefaultRecordBatch.CRC_OFFSET, (int) crc.getValue());
    }
}
