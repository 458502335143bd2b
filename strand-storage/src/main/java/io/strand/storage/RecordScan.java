package io.strand.storage;

import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Walks the records of an uncompressed v2 batch in place, without creating a record object: checks
 * their framing (the declared count of records exactly fills the batch, offset deltas run 0, 1, 2 …)
 * and collects what validation needs (smallest and largest timestamp, whether every record has a key).
 * Not thread-safe; one instance per batch.
 *
 * <p>Record layout (v2; varints are zig-zag encoded as in protobuf):
 * <pre>
 * length          varint   bytes after this field
 * attributes      int8     unused
 * timestampDelta  varlong  added to the batch's base timestamp
 * offsetDelta     varint   added to the batch's base offset
 * keyLength       varint   -1 for a null key
 * key, valueLength, value, headers …  (skipped by length)
 * </pre>
 */
final class RecordScan {

    long minTimestampMs = Long.MAX_VALUE;
    long maxTimestampMs = RecordBatch.NO_TIMESTAMP;
    boolean everyRecordHasKey = true;
    private int position;

    /**
     * @param buffer       the buffer holding the batch
     * @param recordsStart absolute position of the first record
     * @param recordsEnd   absolute position just after the batch
     */
    static RecordScan scan(ByteBuffer buffer, int recordsStart, int recordsEnd, long baseTimestampMs, int count) {
        RecordScan s = new RecordScan();
        s.position = recordsStart;
        for (int i = 0; i < count; i++) {
            if (s.position >= recordsEnd) {
                throw new CorruptRecordException("Batch declares records=" + count + " but holds only " + i);
            }
            int length = s.readVarint(buffer, recordsEnd);
            int bodyStart = s.position;
            int bodyEnd = bodyStart + length;
            if (length <= 0 || bodyEnd > recordsEnd || bodyEnd < bodyStart) {
                throw new CorruptRecordException("Record index=" + i + " has invalid length=" + length);
            }
            s.position++; // attributes
            long timestampMs = baseTimestampMs + s.readVarlong(buffer, bodyEnd);
            int offsetDelta = s.readVarint(buffer, bodyEnd);
            if (offsetDelta != i) {
                throw new CorruptRecordException("Record index=" + i + " has offsetDelta=" + offsetDelta);
            }
            int keyLength = s.readVarint(buffer, bodyEnd);
            if (keyLength < 0) {
                s.everyRecordHasKey = false;
            }
            if (timestampMs != RecordBatch.NO_TIMESTAMP) {
                s.minTimestampMs = Math.min(s.minTimestampMs, timestampMs);
                s.maxTimestampMs = Math.max(s.maxTimestampMs, timestampMs);
            }
            s.position = bodyEnd;
        }
        if (s.position != recordsEnd) {
            throw new CorruptRecordException("Batch has bytes=" + (recordsEnd - s.position)
                    + " after its declared records=" + count);
        }
        return s;
    }

    private int readVarint(ByteBuffer buffer, int limit) {
        long raw = readUnsigned(buffer, limit, 5);
        int v = (int) raw;
        return (v >>> 1) ^ -(v & 1);
    }

    private long readVarlong(ByteBuffer buffer, int limit) {
        long raw = readUnsigned(buffer, limit, 10);
        return (raw >>> 1) ^ -(raw & 1);
    }

    private long readUnsigned(ByteBuffer buffer, int limit, int maxBytes) {
        long value = 0;
        for (int i = 0; i < maxBytes; i++) {
            if (position >= limit) {
                throw new CorruptRecordException("Record field runs past its record at position=" + position);
            }
            byte b = buffer.get(position++);
            value |= (long) (b & 0x7f) << (7 * i);
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new CorruptRecordException("Varint longer than bytes=" + maxBytes + " at position=" + position);
    }
}
