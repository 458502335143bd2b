package io.strand.storage.record;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.ProduceResponse.RecordError;

/**
 * Walks every field of every record of a v2 batch without creating a record object: either in place in
 * the request's buffer (an uncompressed batch), or through a small window over the decompressing stream
 * of a compressed one, so both get exactly the same checks. Not thread-safe; one instance per batch.
 *
 * <p>Record layout (v2; varints are zig-zag encoded as in protobuf, at most 5 bytes, varlongs at most
 * 10; bits beyond 32 or 64 bits are refused):
 * <pre>
 * field           type      checked
 * length          varint    &gt; 0; the record's fields below end exactly after this many bytes
 * attributes      int8      (unused in v2)
 * timestampDelta  varlong   base timestamp + delta: inside the topic's window (per-record error)
 * offsetDelta     varint    the record's index in the batch: 0, 1, 2 …
 * keyLength       varint    &gt;= -1 (-1: null key; a compacted topic requires a key: per-record error)
 * key             bytes     keyLength of them, inside the record
 * valueLength     varint    &gt;= -1 (-1: null value, a tombstone)
 * value           bytes     valueLength of them, inside the record
 * headerCount     varint    &gt;= 0 and at most the record's bytes left (each header takes &gt;= 2)
 * headers         headerCount times:
 *   keyLength     varint    &gt;= 0 (a header has a key, possibly empty)
 *   key           bytes
 *   valueLength   varint    &gt;= -1
 *   value         bytes
 * </pre>
 * After the declared count of records, the batch (or the decompressed stream) must end. A record that
 * breaks the layout fails the batch at once with {@code InvalidRecordException} ({@code INVALID_RECORD},
 * as Kafka's record reader answers; not {@code CORRUPT_MESSAGE}, which producers retry: the batch's CRC
 * was valid, so the bytes are what the producer meant to send). The two rules on well-formed records
 * (timestamp window, key in a compacted topic) are collected as per-record errors over the whole batch.
 *
 * <p>A decompressing scan reads at most {@code maxRecordBytes} decompressed bytes: a record whose
 * length reaches past that bound, or a stream that goes on past it, is refused before it is read.
 * Memory stays one {@value #WINDOW_BYTES}-byte window per thread whatever the records' sizes (keys and
 * values are skipped, never copied), so the bound limits the CPU a batch may cost, not the heap.
 */
final class RecordScan {

    static final int WINDOW_BYTES = 16 * 1024;
    private static final ThreadLocal<byte[]> WINDOWS = ThreadLocal.withInitial(() -> new byte[WINDOW_BYTES]);

    /**
     * What applies to each well-formed record.
     *
     * @param earliestTimestampMs smallest timestamp allowed ({@code Long.MIN_VALUE}: not checked)
     * @param latestTimestampMs   largest timestamp allowed ({@code Long.MAX_VALUE}: not checked)
     * @param keyRequired         a compacted topic: every record needs a key
     */
    record Rules(TopicPartition partition, long baseTimestampMs, long earliestTimestampMs, long latestTimestampMs,
                 boolean keyRequired) {
    }

    long minTimestampMs = Long.MAX_VALUE;
    long maxTimestampMs = RecordBatch.NO_TIMESTAMP;
    /** Per-record errors, in batch order; null while there are none. */
    List<RecordError> recordErrors;
    boolean anyTimestampError;

    private final Rules rules;
    private final ByteBuffer buffer;
    /** The decompressing stream, or null when every record byte is in {@link #buffer} already. */
    private final InputStream source;
    /** End of the records, as an offset: the batch's end in place; the decompressed bound otherwise. */
    private final long recordsEnd;
    private final long recordsStart;
    /** Offset of {@code buffer} index 0: 0 in place; the bytes already consumed from the stream otherwise. */
    private long windowStart;
    private int position;
    private int limit;

    private RecordScan(Rules rules, ByteBuffer buffer, InputStream source, long recordsStart, long recordsEnd,
                       int position, int limit) {
        this.rules = rules;
        this.buffer = buffer;
        this.source = source;
        this.recordsStart = recordsStart;
        this.recordsEnd = recordsEnd;
        this.position = position;
        this.limit = limit;
    }

    /**
     * Scans the records of an uncompressed batch in place.
     *
     * @param recordsStart absolute position of the first record in {@code buffer}
     * @param recordsEnd   absolute position just after the batch
     */
    static RecordScan scanInPlace(ByteBuffer buffer, int recordsStart, int recordsEnd, int count, Rules rules) {
        RecordScan s = new RecordScan(rules, buffer, null, recordsStart, recordsEnd, recordsStart, recordsEnd);
        s.scan(count);
        return s;
    }

    /**
     * Scans the records of a compressed batch as {@code records} decompresses them, reading at most
     * {@code maxRecordBytes} bytes of it. Does not close the stream.
     */
    static RecordScan scanDecompressing(InputStream records, long maxRecordBytes, int count, Rules rules) {
        RecordScan s = new RecordScan(rules, ByteBuffer.wrap(WINDOWS.get()), records, 0, maxRecordBytes, 0, 0);
        s.scan(count);
        return s;
    }

    /** Bytes of the records: in place, the batch's; decompressing, the decompressed stream's. */
    long recordBytes() {
        return offset() - recordsStart;
    }

    private void scan(int count) {
        for (int i = 0; i < count; i++) {
            if (!hasMore()) {
                throw invalid("Record batch declares recordCount=" + count + " but holds records=" + i);
            }
            int length = readVarint(recordsEnd, i);
            long bodyStart = offset();
            if (length <= 0 || length > recordsEnd - bodyStart) {
                throw invalid("Record index=" + i + " has length=" + length + (source == null
                        ? " past the end of its batch" : " past the decompressed limit of " + recordsEnd + " bytes"));
            }
            long bodyEnd = bodyStart + length;
            readByte(bodyEnd, i); // attributes
            long timestampMs = rules.baseTimestampMs + readVarlong(bodyEnd, i);
            int offsetDelta = readVarint(bodyEnd, i);
            if (offsetDelta != i) {
                throw invalid("Record index=" + i + " has offsetDelta=" + offsetDelta);
            }
            boolean hasKey = skipBytes(bodyEnd, i, "key", -1) >= 0;
            skipBytes(bodyEnd, i, "value", -1);
            int headerCount = readVarint(bodyEnd, i);
            if (headerCount < 0 || headerCount > bodyEnd - offset()) {
                throw invalid("Record index=" + i + " has headerCount=" + headerCount + " with "
                        + (bodyEnd - offset()) + " bytes left in the record");
            }
            for (int h = 0; h < headerCount; h++) {
                skipBytes(bodyEnd, i, "header key", 0);
                skipBytes(bodyEnd, i, "header value", -1);
            }
            if (offset() != bodyEnd) {
                throw invalid("Record index=" + i + " has length=" + length + " but its fields end after "
                        + (offset() - bodyStart) + " bytes");
            }
            checkRules(i, timestampMs, hasKey);
        }
        if (hasMore()) {
            throw invalid("Record batch has bytes after its declared recordCount=" + count);
        }
    }

    private void checkRules(int index, long timestampMs, boolean hasKey) {
        if (timestampMs != RecordBatch.NO_TIMESTAMP) {
            minTimestampMs = Math.min(minTimestampMs, timestampMs);
            maxTimestampMs = Math.max(maxTimestampMs, timestampMs);
        }
        if (rules.keyRequired && !hasKey) {
            addError(index, "Compacted topic cannot accept a record without key: partition=" + rules.partition);
        } else if (timestampMs != RecordBatch.NO_TIMESTAMP
                && (timestampMs < rules.earliestTimestampMs || timestampMs > rules.latestTimestampMs)) {
            anyTimestampError = true;
            addError(index, "Record timestamp=" + timestampMs + " is out of range [" + rules.earliestTimestampMs
                    + ", " + rules.latestTimestampMs + "]: partition=" + rules.partition);
        }
    }

    private void addError(int index, String message) {
        if (recordErrors == null) {
            recordErrors = new ArrayList<>();
        }
        recordErrors.add(new RecordError(index, message));
    }

    /**
     * Reads a length varint ({@code >= minLength}, or -1 for null when {@code minLength} is -1) and skips
     * that many bytes, all inside the record. Returns the length.
     */
    private int skipBytes(long bodyEnd, int index, String field, int minLength) {
        int length = readVarint(bodyEnd, index);
        if (length < minLength) {
            throw invalid("Record index=" + index + " has " + field + " length=" + length);
        }
        if (length > 0) {
            if (length > bodyEnd - offset()) {
                throw invalid("Record index=" + index + " has " + field + " length=" + length + " with "
                        + (bodyEnd - offset()) + " bytes left in the record");
            }
            skip(length, index);
        }
        return length;
    }

    private long offset() {
        return windowStart + position;
    }

    private boolean hasMore() {
        return position < limit || fill();
    }

    private byte readByte(long end, int index) {
        if (offset() >= end) {
            throw invalid("Record index=" + index + " has a field past its end at offset=" + offset());
        }
        if (position == limit && !fill()) {
            throw truncated(index);
        }
        return buffer.get(position++);
    }

    private void skip(int n, int index) {
        int left = n;
        while (left > limit - position) {
            left -= limit - position;
            position = limit;
            if (!fill()) {
                throw truncated(index);
            }
        }
        position += left;
    }

    private int readVarint(long end, int index) {
        int raw = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            byte b = readByte(end, index);
            if (shift == 28 && (b & 0xf0) != 0) {
                break;
            }
            raw |= (b & 0x7f) << shift;
            if (b >= 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        throw invalid("Record index=" + index + " has a malformed varint at offset=" + offset());
    }

    private long readVarlong(long end, int index) {
        long raw = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            byte b = readByte(end, index);
            if (shift == 63 && (b & 0xfe) != 0) {
                break;
            }
            raw |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        throw invalid("Record index=" + index + " has a malformed varlong at offset=" + offset());
    }

    /**
     * Replaces the consumed window by the stream's next bytes. False at the end of the stream (or, in
     * place, of the batch); throws once the stream yields more than {@link #recordsEnd} bytes.
     */
    private boolean fill() {
        if (source == null) {
            return false;
        }
        windowStart += limit;
        position = 0;
        limit = 0;
        int want = (int) Math.min(buffer.capacity(), recordsEnd + 1 - windowStart);
        int n;
        try {
            do {
                n = source.read(buffer.array(), 0, want);
            } while (n == 0);
        } catch (ApiException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new InvalidRecordException("Records of the batch cannot be decompressed: partition="
                    + rules.partition + " cause=" + e);
        }
        if (n < 0) {
            return false;
        }
        limit = n;
        if (windowStart + limit > recordsEnd) {
            throw invalid("Records decompress to more than the limit of " + recordsEnd + " bytes");
        }
        return true;
    }

    private InvalidRecordException truncated(int index) {
        return invalid("Record index=" + index + " is cut short: the " + (source == null ? "batch" : "decompressed records")
                + " end at offset=" + offset());
    }

    private InvalidRecordException invalid(String message) {
        return new InvalidRecordException(message + ": partition=" + rules.partition);
    }
}
