package io.strand.storage;

import java.nio.ByteBuffer;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnsupportedForMessageFormatException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.utils.BufferSupplier;
import org.apache.kafka.common.utils.CloseableIterator;

/**
 * Validates the records of one produce request before they enter the log, and re-compresses them
 * when the topic's {@code compression.type} asks for another codec. Runs on the request's thread,
 * outside the log's lock; stateless and thread-safe. Every rejection is a kafka-clients
 * {@code ApiException}, so the broker answers with the matching error code, and happens before
 * anything is written.
 *
 * <p>A v2 batch header (big-endian), as validated here:
 * <pre>
 * offset  size  field                  checked
 * 0       8     baseOffset             0 (the producer's; the log assigns the real one)
 * 8       4     length                 batch is exactly the request's bytes; size &lt;= max.message.bytes
 * 12      4     partitionLeaderEpoch   (set by the log)
 * 16      1     magic                  2, else UnsupportedForMessageFormat (0, 1) or CorruptRecord
 * 17      4     crc                    CRC32C of offset 21 to the end, else CorruptRecord
 * 21      2     attributes             not a control batch; not LogAppendTime
 * 23      4     lastOffsetDelta        count - 1, else CorruptRecord
 * 27      8     baseTimestamp
 * 35      8     maxTimestamp           rewritten to the true maximum if the producer got it wrong
 * 43      8     producerId
 * 51      2     producerEpoch
 * 53      4     baseSequence           &gt;= 0 when there is a producer id
 * 57      4     recordCount            &gt; 0, and exactly that many records
 * 61            records
 * </pre>
 *
 * Records are looked at one by one only where the header cannot answer: an uncompressed batch is
 * walked in place ({@link RecordScan}, no objects); a compressed one is decompressed (without copying
 * keys and values unless it is re-compressed). Each record's timestamp is checked against
 * {@code message.timestamp.before/after.max.ms} (CreateTime topics) and, in a compacted topic, must
 * have a key.
 */
final class BatchValidator {

    static final int BASE_TIMESTAMP_OFFSET = 27;
    static final int RECORDS_OFFSET = 61;

    private static final ThreadLocal<BufferSupplier> BUFFERS = ThreadLocal.withInitial(BufferSupplier::create);

    private BatchValidator() {
    }

    static ValidatedBatch validate(TopicPartition tp, MemoryRecords records, LogConfig config, long nowMs) {
        ByteBuffer buf = records.buffer();
        int start = buf.position();
        int remaining = buf.remaining();
        if (remaining == 0) {
            throw new InvalidRecordException("Produce request holds no record batch: partition=" + tp);
        }
        if (remaining < Records.HEADER_SIZE_UP_TO_MAGIC) {
            throw new CorruptRecordException("Produce request too short for a batch header: partition=" + tp
                    + " sizeInBytes=" + remaining);
        }
        byte magic = buf.get(start + Records.MAGIC_OFFSET);
        if (magic < RecordBatch.MAGIC_VALUE_V2 && magic >= 0) {
            throw new UnsupportedForMessageFormatException("Record batch magic=" + magic
                    + " is not supported, only v2: partition=" + tp);
        }
        if (magic != RecordBatch.MAGIC_VALUE_V2) {
            throw new CorruptRecordException("Invalid record batch magic=" + magic + ": partition=" + tp);
        }
        long batchSize = (long) buf.getInt(start + Records.SIZE_OFFSET) + Records.LOG_OVERHEAD;
        if (batchSize < RECORDS_OFFSET || batchSize > remaining) {
            throw new CorruptRecordException("Record batch sizeInBytes=" + batchSize + " does not fit the request's "
                    + remaining + " bytes: partition=" + tp);
        }
        if (batchSize < remaining) {
            throw new InvalidRecordException("Produce request holds more than one record batch: partition=" + tp);
        }
        if (batchSize > config.maxMessageBytes()) {
            throw tooLarge(tp, batchSize, config);
        }
        MutableRecordBatch batch = records.batches().iterator().next();
        batch.ensureValid();
        checkHeader(tp, batch);
        int count = batch.countOrNull();
        CompressionType target = config.targetCompressionOrNull();
        boolean recompress = target != null && target != batch.compressionType();
        Stats stats = new Stats();
        MemoryRecords out = records;
        if (!batch.isCompressed() && !recompress) {
            RecordScan scan = RecordScan.scan(buf, start + RECORDS_OFFSET, start + (int) batchSize,
                    buf.getLong(start + BASE_TIMESTAMP_OFFSET), count);
            stats.minTimestampMs = scan.minTimestampMs;
            stats.maxTimestampMs = scan.maxTimestampMs;
            stats.everyRecordHasKey = scan.everyRecordHasKey;
        } else {
            MemoryRecords recompressed = iterateRecords(tp, batch, count, recompress ? target : null, stats);
            if (recompressed != null) {
                out = recompressed;
            }
        }
        checkTimestamps(tp, config, stats, nowMs);
        if (config.compactPolicy() && !stats.everyRecordHasKey) {
            throw new InvalidRecordException("Compacted topic cannot accept a record without key: partition=" + tp);
        }
        MutableRecordBatch outBatch = batch;
        if (out != records) {
            if (out.sizeInBytes() > config.maxMessageBytes()) {
                throw tooLarge(tp, out.sizeInBytes(), config);
            }
            outBatch = out.batches().iterator().next();
        }
        if (config.timestampType() == TimestampType.CREATE_TIME && outBatch.maxTimestamp() != stats.maxTimestampMs) {
            outBatch.setMaxTimestamp(TimestampType.CREATE_TIME, stats.maxTimestampMs);
        }
        return new ValidatedBatch(out, outBatch, count, stats.maxTimestampMs);
    }

    private static void checkHeader(TopicPartition tp, MutableRecordBatch batch) {
        if (batch.baseOffset() != 0) {
            throw new InvalidRecordException("Record batch baseOffset=" + batch.baseOffset()
                    + " from a producer must be 0: partition=" + tp);
        }
        Integer count = batch.countOrNull();
        long lastOffsetDelta = batch.lastOffset() - batch.baseOffset();
        if (count == null || count <= 0 || lastOffsetDelta != count - 1L) {
            throw new CorruptRecordException("Record batch recordCount=" + count + " does not match lastOffsetDelta="
                    + lastOffsetDelta + ": partition=" + tp);
        }
        if (batch.isControlBatch()) {
            throw new InvalidRecordException("Producers may not write control batches: partition=" + tp);
        }
        if (batch.hasProducerId() && batch.baseSequence() < 0) {
            throw new InvalidRecordException("Record batch of producerId=" + batch.producerId()
                    + " has invalid baseSequence=" + batch.baseSequence() + ": partition=" + tp);
        }
        if (batch.timestampType() == TimestampType.LOG_APPEND_TIME) {
            throw new InvalidTimestampException("Producers may not set the LogAppendTime timestamp type: partition=" + tp);
        }
    }

    /** Decompresses the batch's records; re-compresses them into {@code target} if not null. */
    private static MemoryRecords iterateRecords(TopicPartition tp, MutableRecordBatch batch, int count,
            CompressionType target, Stats stats) {
        MemoryRecordsBuilder builder = target == null ? null : MemoryRecords.builder(
                ByteBuffer.allocate(Math.max(batch.sizeInBytes(), 1024)), RecordBatch.CURRENT_MAGIC_VALUE,
                Compression.of(target).build(), TimestampType.CREATE_TIME, 0L, RecordBatch.NO_TIMESTAMP,
                batch.producerId(), batch.producerEpoch(), batch.baseSequence(), batch.isTransactional(),
                RecordBatch.NO_PARTITION_LEADER_EPOCH);
        int seen = 0;
        boolean offsetsInOrder = true;
        BufferSupplier buffers = BUFFERS.get();
        try (CloseableIterator<Record> it = builder == null
                ? batch.skipKeyValueIterator(buffers) : batch.streamingIterator(buffers)) {
            while (it.hasNext()) {
                Record r = it.next();
                offsetsInOrder &= r.offset() == batch.baseOffset() + seen;
                stats.onRecord(r.timestamp(), r.hasKey());
                if (builder != null) {
                    builder.appendWithOffset(seen, r);
                }
                seen++;
            }
        } catch (RuntimeException e) {
            throw new CorruptRecordException("Records of the batch cannot be read: partition=" + tp + " cause=" + e);
        }
        if (seen != count || !offsetsInOrder) {
            throw new CorruptRecordException("Record batch declares recordCount=" + count + " but holds records="
                    + seen + (offsetsInOrder ? "" : " with offset deltas out of order") + ": partition=" + tp);
        }
        return builder == null ? null : builder.build();
    }

    private static void checkTimestamps(TopicPartition tp, LogConfig config, Stats stats, long nowMs) {
        if (config.timestampType() != TimestampType.CREATE_TIME || stats.maxTimestampMs == RecordBatch.NO_TIMESTAMP) {
            return;
        }
        long earliest = nowMs - config.messageTimestampBeforeMaxMs();
        boolean afterUnlimited = config.messageTimestampAfterMaxMs() > Long.MAX_VALUE - nowMs;
        long latest = afterUnlimited ? Long.MAX_VALUE : nowMs + config.messageTimestampAfterMaxMs();
        if (stats.minTimestampMs < earliest || stats.maxTimestampMs > latest) {
            throw new InvalidTimestampException("Record timestamps [" + stats.minTimestampMs + ", "
                    + stats.maxTimestampMs + "] are out of range [" + earliest + ", " + latest + "]: partition=" + tp);
        }
    }

    private static RecordTooLargeException tooLarge(TopicPartition tp, long sizeInBytes, LogConfig config) {
        return new RecordTooLargeException("Record batch sizeInBytes=" + sizeInBytes
                + " is larger than max.message.bytes=" + config.maxMessageBytes() + ": partition=" + tp);
    }

    /** What the record-level pass found. */
    private static final class Stats {
        long minTimestampMs = Long.MAX_VALUE;
        long maxTimestampMs = RecordBatch.NO_TIMESTAMP;
        boolean everyRecordHasKey = true;

        void onRecord(long timestampMs, boolean hasKey) {
            if (timestampMs != RecordBatch.NO_TIMESTAMP) {
                minTimestampMs = Math.min(minTimestampMs, timestampMs);
                maxTimestampMs = Math.max(maxTimestampMs, timestampMs);
            }
            everyRecordHasKey &= hasKey;
        }
    }
}
