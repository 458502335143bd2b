package io.strand.storage.index;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;

/**
 * The sparse time index of a segment ({@code <baseOffset>.timeindex}). Each entry says: the largest
 * timestamp in the segment up to this point is {@code timestampMs}, first reached by the batch whose
 * base offset is {@code baseOffset + relativeOffset}. Timestamps strictly increase from entry to
 * entry; an entry is written together with an offset-index entry, and once more when the segment rolls
 * or closes so the last entry always holds the segment's largest timestamp.
 *
 * <p>Entry layout (12 bytes, big-endian):
 * <pre>
 * offset  size  field
 * 0       8     timestampMs      largest timestamp so far
 * 8       4     relativeOffset   base offset of the batch that reached it - segment base offset
 * </pre>
 * Every batch before the one an entry names has only smaller timestamps, so the first record with
 * timestamp {@code >= t} lies at or after the batch of the last entry with {@code timestampMs <= t}.
 *
 * <p>Threads, sizing and crash behaviour: see {@link MappedIndex}. One slot is kept free for the entry
 * written when the segment rolls.
 */
public final class TimeIndex extends MappedIndex {

    static final int TIMESTAMP_OFFSET = 0;
    static final int RELATIVE_OFFSET_OFFSET = 8;
    public static final int ENTRY_BYTES = 12;

    public TimeIndex(Path path, long baseOffset, int maxIndexBytes) throws IOException {
        super(path, baseOffset, maxIndexBytes, ENTRY_BYTES);
    }

    @Override
    int reservedSlots() {
        return 1;
    }

    @Override
    long keyAt(MappedByteBuffer buffer, int slot) {
        return buffer.getLong(slotPosition(slot) + TIMESTAMP_OFFSET);
    }

    /** Writer only: adds an entry if {@code timestampMs} is larger than the last one and a regular slot is free. */
    public void maybeAppend(long timestampMs, long offset) throws IOException {
        if (!isFull()) {
            put(timestampMs, offset);
        }
    }

    /** Writer only: adds the segment's final entry at roll or close, using the reserved slot if needed. */
    public void appendFinal(long timestampMs, long offset) throws IOException {
        if (entries() < capacity()) {
            put(timestampMs, offset);
        }
    }

    private void put(long timestampMs, long offset) throws IOException {
        int n = entries();
        MappedByteBuffer b = buffer();
        if (timestampMs < 0 || (n > 0 && timestampMs <= keyAt(b, n - 1))) {
            return;
        }
        int at = slotPosition(n);
        ensureBacked(at, ENTRY_BYTES);
        b.putLong(at + TIMESTAMP_OFFSET, timestampMs);
        b.putInt(at + RELATIVE_OFFSET_OFFSET, Math.toIntExact(offset - baseOffset()));
        setEntries(n + 1);
    }

    /** The batch offset to start a search for the first record with timestamp {@code >= targetMs}. */
    public long lookupOffset(long targetMs) {
        int n = entries();
        MappedByteBuffer b = buffer();
        int lo = 0;
        int hi = n - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (keyAt(b, mid) <= targetMs) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found < 0 ? baseOffset() : offsetAt(b, found);
    }

    /** The last entry's timestamp, or -1. */
    public long lastTimestamp() {
        int n = entries();
        return n == 0 ? -1L : keyAt(buffer(), n - 1);
    }

    /** The last entry's offset, or the base offset. */
    public long lastOffset() {
        int n = entries();
        return n == 0 ? baseOffset() : offsetAt(buffer(), n - 1);
    }

    /** Writer only: removes the entries whose batch lies at or above {@code offset}. */
    public void truncateTo(long offset) {
        int n = entries();
        MappedByteBuffer b = buffer();
        int keep = n;
        while (keep > 0 && offsetAt(b, keep - 1) >= offset) {
            keep--;
        }
        setEntries(keep);
    }

    @Override
    public boolean looksValid() {
        int n = entries();
        return super.looksValid() && (n == 0 || offsetAt(buffer(), n - 1) >= baseOffset());
    }

    private long offsetAt(MappedByteBuffer b, int slot) {
        return baseOffset() + b.getInt(slotPosition(slot) + RELATIVE_OFFSET_OFFSET);
    }
}
