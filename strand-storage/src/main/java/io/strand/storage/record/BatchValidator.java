package io.strand.storage.record;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.ApiException;
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
 * 21      2     attributes             a known codec (0-4, else InvalidRecord); not a control batch (markers are
 *                                      the log's to write); not LogAppendTime; transactional only with a producer id
 * 23      4     lastOffsetDelta        count - 1, else CorruptRecord
 * 27      8     baseTimestamp
 * 35      8     maxTimestamp           rewritten to the true maximum if the producer got it wrong
 * 43      8     producerId
 * 51      2     producerEpoch
 * 53      4     baseSequence           &gt;= 0 when there is a producer id
 * 57      4     recordCount            &gt; 0, and exactly that many records (else InvalidRecord)
 * 61            records
 * </pre>
 *
 * Then every record is read field by field ({@link RecordScan}, which draws the record layout): an
 * uncompressed batch in place, without objects; a compressed one through its codec's stream, with the
 * same checks. A lying length, header count or varint, a record that does not end where its length
 * says, offset deltas other than 0, 1, 2 …, or bytes after the last record fail the batch with
 * {@code InvalidRecordException} ({@code INVALID_RECORD}), as Kafka's record reader does; only a broken
 * batch header (sizes, magic, CRC, lastOffsetDelta) is {@code CorruptRecordException}
 * ({@code CORRUPT_MESSAGE}). Well-formed records are checked against the topic: a CreateTime
 * timestamp inside {@code message.timestamp.before/after.max.ms}, and a key in a compacted topic; those
 * failures are collected for the whole batch as per-record errors ({@link RecordErrors}). Nothing of a
 * refused batch is written.
 *
 * <p>Kafka's own record reader (kafka-clients {@code DefaultRecord}, behind the batch iterators) checks
 * the header count (&ge; 0, &le; bytes left), a negative header key length, that a record's fields end
 * at its length, that no bytes follow the last record, and varints of at most 5/10 bytes. It takes a
 * key or value length below -1 for null, does not check offset deltas, and, decompressing, allocates
 * each record's declared length before reading it: a 20-byte compressed batch declaring a 2 GiB record
 * would have the broker allocate 2 GiB. So the compressed path here does not use it to validate; it
 * runs only to re-compress, after the scan accepted every record.
 *
 * <p><b>Decompressed bound.</b> A compressed batch may decompress to at most
 * {@link #maxDecompressedBytes} bytes of records: {@value #DECOMPRESSION_RATIO} times
 * {@code max.message.bytes}, at least {@value #MIN_DECOMPRESSED_BYTES} bytes (64 MiB for the default
 * 1 MiB). The scan streams with a fixed 16 KiB window, so the heap is not what is at stake; the bound
 * caps the CPU one request may cost: a decompression bomb (zeros compress more than 1000:1 with gzip and
 * far more with zstd) is refused with {@code INVALID_RECORD} after at most that many bytes. Real payloads
 * (JSON, logs, text) compress 3–20:1, well inside 64:1; a topic that needs more raises
 * {@code max.message.bytes}. When the topic stores records uncompressed, the decompressed batch must also
 * fit {@code max.message.bytes}, which is checked before it is built.
 */
public final class BatchValidator {

    static final int ATTRIBUTES_OFFSET = 21;
    static final int BASE_TIMESTAMP_OFFSET = 27;
    /** The attribute bits that name the batch's codec (0 none … 4 zstd; 5–7 name no codec). */
    static final int COMPRESSION_CODEC_MASK = 0x07;
    static final int RECORDS_OFFSET = 61;
    /** Decompressed record bytes a compressed batch may hold per byte of {@code max.message.bytes}. */
    static final long DECOMPRESSION_RATIO = 64;
    /** Floor of {@link #maxDecompressedBytes}, for topics with a small {@code max.message.bytes}. */
    static final long MIN_DECOMPRESSED_BYTES = 64L * 1024 * 1024;

    private static final ThreadLocal<BufferSupplier> BUFFERS = ThreadLocal.withInitial(BufferSupplier::create);

    private BatchValidator() {
    }

    public static ValidatedBatch validate(TopicPartition tp, MemoryRecords records, BatchRules config, long nowMs) {
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
        int codecId = buf.getShort(start + ATTRIBUTES_OFFSET) & COMPRESSION_CODEC_MASK;
        if (codecId > CompressionType.ZSTD.id) {
            // kafka-clients' batch would throw IllegalArgumentException at the first look at its codec
            throw new InvalidRecordException("Record batch names unknown compression codec id=" + codecId
                    + ": partition=" + tp);
        }
        checkHeader(tp, batch);
        int count = batch.countOrNull();
        RecordScan scan = scanRecords(tp, batch, buf, start, (int) batchSize, count, config, nowMs);
        if (scan.recordErrors != null) {
            throw RecordErrors.of(scan.recordErrors, scan.anyTimestampError, tp.toString());
        }
        CompressionType target = config.targetCompressionOrNull();
        MemoryRecords out = records;
        MutableRecordBatch outBatch = batch;
        if (target != null && target != batch.compressionType()) {
            if (target == CompressionType.NONE && RECORDS_OFFSET + scan.recordBytes() > config.maxMessageBytes()) {
                throw tooLarge(tp, RECORDS_OFFSET + scan.recordBytes(), config);
            }
            out = recompress(tp, batch, target);
            if (out.sizeInBytes() > config.maxMessageBytes()) {
                throw tooLarge(tp, out.sizeInBytes(), config);
            }
            outBatch = out.batches().iterator().next();
        }
        if (config.timestampType() == TimestampType.CREATE_TIME && outBatch.maxTimestamp() != scan.maxTimestampMs) {
            outBatch.setMaxTimestamp(TimestampType.CREATE_TIME, scan.maxTimestampMs);
        }
        return new ValidatedBatch(out, outBatch, count, scan.maxTimestampMs);
    }

    /**
     * Upper bound on the decompressed bytes of one compressed batch's records: {@value #DECOMPRESSION_RATIO}
     * times {@code max.message.bytes}, and never less than {@value #MIN_DECOMPRESSED_BYTES} bytes.
     */
    static long maxDecompressedBytes(BatchRules config) {
        return Math.max(MIN_DECOMPRESSED_BYTES, DECOMPRESSION_RATIO * (long) config.maxMessageBytes());
    }

    /** Walks every record: in place if uncompressed, else as it decompresses, within the bound. */
    private static RecordScan scanRecords(TopicPartition tp, MutableRecordBatch batch, ByteBuffer buf, int start,
            int batchSize, int count, BatchRules config, long nowMs) {
        RecordScan.Rules rules = rules(tp, buf.getLong(start + BASE_TIMESTAMP_OFFSET), config, nowMs);
        if (!batch.isCompressed()) {
            return RecordScan.scanInPlace(buf, start + RECORDS_OFFSET, start + batchSize, count, rules);
        }
        ByteBuffer compressed = buf.duplicate().limit(start + batchSize).position(start + RECORDS_OFFSET);
        InputStream in;
        try {
            in = Compression.of(batch.compressionType()).build()
                    .wrapForInput(compressed, RecordBatch.MAGIC_VALUE_V2, BUFFERS.get());
        } catch (RuntimeException e) {
            throw new InvalidRecordException("Records of the batch cannot be decompressed: partition=" + tp
                    + " compression=" + batch.compressionType() + " cause=" + e);
        }
        try {
            return RecordScan.scanDecompressing(in, maxDecompressedBytes(config), count, rules);
        } finally {
            closeQuietly(in);
        }
    }

    private static RecordScan.Rules rules(TopicPartition tp, long baseTimestampMs, BatchRules config, long nowMs) {
        long earliest = Long.MIN_VALUE;
        long latest = Long.MAX_VALUE;
        if (config.timestampType() == TimestampType.CREATE_TIME) {
            earliest = nowMs - config.messageTimestampBeforeMaxMs();
            boolean afterUnlimited = config.messageTimestampAfterMaxMs() > Long.MAX_VALUE - nowMs;
            latest = afterUnlimited ? Long.MAX_VALUE : nowMs + config.messageTimestampAfterMaxMs();
        }
        return new RecordScan.Rules(tp, baseTimestampMs, earliest, latest, config.compactPolicy());
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException | RuntimeException e) {
            // the records were read (or refused) already; a codec failing to release its buffers changes neither
        }
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
        if (batch.isTransactional() && !batch.hasProducerId()) {
            throw new InvalidRecordException("Transactional record batch has no producer id: partition=" + tp);
        }
        if (batch.hasProducerId() && batch.baseSequence() < 0) {
            throw new InvalidRecordException("Record batch of producerId=" + batch.producerId()
                    + " has invalid baseSequence=" + batch.baseSequence() + ": partition=" + tp);
        }
        if (batch.timestampType() == TimestampType.LOG_APPEND_TIME) {
            throw new InvalidTimestampException("Producers may not set the LogAppendTime timestamp type: partition=" + tp);
        }
    }

    /** Re-compresses the (already validated) records of {@code batch} into {@code target}. */
    private static MemoryRecords recompress(TopicPartition tp, MutableRecordBatch batch, CompressionType target) {
        MemoryRecordsBuilder builder = MemoryRecords.builder(
                ByteBuffer.allocate(Math.max(batch.sizeInBytes(), 1024)), RecordBatch.CURRENT_MAGIC_VALUE,
                Compression.of(target).build(), TimestampType.CREATE_TIME, 0L, RecordBatch.NO_TIMESTAMP,
                batch.producerId(), batch.producerEpoch(), batch.baseSequence(), batch.isTransactional(),
                RecordBatch.NO_PARTITION_LEADER_EPOCH);
        int offsetDelta = 0;
        try (CloseableIterator<Record> it = batch.streamingIterator(BUFFERS.get())) {
            while (it.hasNext()) {
                builder.appendWithOffset(offsetDelta++, it.next());
            }
        } catch (ApiException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new InvalidRecordException("Records of the batch cannot be re-compressed: partition=" + tp
                    + " target=" + target + " cause=" + e);
        }
        return builder.build();
    }

    private static RecordTooLargeException tooLarge(TopicPartition tp, long sizeInBytes, BatchRules config) {
        return new RecordTooLargeException("Record batch sizeInBytes=" + sizeInBytes
                + " is larger than max.message.bytes=" + config.maxMessageBytes() + ": partition=" + tp);
    }
}
