package io.strand.storage.index;

import java.nio.ByteBuffer;

/**
 * One entry of a {@link TransactionIndex}: an aborted transaction of producer {@code producerId} whose
 * data starts at {@code firstOffset} and whose abort marker is at {@code lastOffset}, with the log's last
 * stable offset at the moment the marker was written (the first offset of the earliest transaction of
 * another producer still open then, or {@code lastOffset + 1}). A read_committed Fetch answers
 * {@code (producerId, firstOffset)} as an {@code aborted_transactions} entry.
 *
 * <p>Layout (big-endian, {@value #BYTES} bytes, Kafka's {@code AbortedTxn}):
 * <pre>
 * offset  size  field
 * 0       2     version            0
 * 2       8     producerId
 * 10      8     firstOffset
 * 18      8     lastOffset         the abort marker's offset
 * 26      8     lastStableOffset
 * </pre>
 * Public for the broker, which reads it from {@code PartitionLog.collectAbortedTransactions}.
 */
public record AbortedTxn(long producerId, long firstOffset, long lastOffset, long lastStableOffset) {

    public static final short VERSION = 0;
    public static final int BYTES = 34;
    static final int VERSION_OFFSET = 0;
    static final int PRODUCER_ID_OFFSET = 2;
    static final int FIRST_OFFSET_OFFSET = 10;
    static final int LAST_OFFSET_OFFSET = 18;
    static final int LAST_STABLE_OFFSET_OFFSET = 26;

    /** Writes the entry at {@code position} of {@code buf} (absolute puts). */
    void writeTo(ByteBuffer buf, int position) {
        buf.putShort(position + VERSION_OFFSET, VERSION);
        buf.putLong(position + PRODUCER_ID_OFFSET, producerId);
        buf.putLong(position + FIRST_OFFSET_OFFSET, firstOffset);
        buf.putLong(position + LAST_OFFSET_OFFSET, lastOffset);
        buf.putLong(position + LAST_STABLE_OFFSET_OFFSET, lastStableOffset);
    }

    /** The entry at {@code position} of {@code buf}; its version is checked by the caller. */
    static AbortedTxn readFrom(ByteBuffer buf, int position) {
        return new AbortedTxn(buf.getLong(position + PRODUCER_ID_OFFSET), buf.getLong(position + FIRST_OFFSET_OFFSET),
                buf.getLong(position + LAST_OFFSET_OFFSET), buf.getLong(position + LAST_STABLE_OFFSET_OFFSET));
    }
}
