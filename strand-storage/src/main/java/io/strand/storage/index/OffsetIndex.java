package io.strand.storage.index;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;

/**
 * The sparse offset index of a segment ({@code <baseOffset>.index}): for some batches, the batch's
 * base offset and where the batch starts in the {@code .log} file. An entry is added when more than
 * {@code index.interval.bytes} were appended since the previous one, so a lookup costs one binary
 * search plus a forward scan of at most that many bytes.
 *
 * <p>Entry layout (8 bytes, big-endian), offsets relative to the segment's base offset:
 * <pre>
 * offset  size  field
 * 0       4     relativeOffset   batch base offset - segment base offset
 * 4       4     filePosition     byte position of the batch in the .log file
 * </pre>
 * Example: segment 1000, entries (0, 0), (52, 4120), (97, 8250). Looking up offset 1060 finds
 * (52, 4120): the scan for 1060 starts at byte 4120.
 *
 * <p>Threads, sizing and crash behaviour: see {@link MappedIndex}.
 */
public final class OffsetIndex extends MappedIndex {

    static final int RELATIVE_OFFSET_OFFSET = 0;
    static final int FILE_POSITION_OFFSET = 4;
    public static final int ENTRY_BYTES = 8;

    public OffsetIndex(Path path, long baseOffset, int maxIndexBytes) throws IOException {
        super(path, baseOffset, maxIndexBytes, ENTRY_BYTES);
    }

    @Override
    long keyAt(MappedByteBuffer buffer, int slot) {
        return buffer.getInt(slotPosition(slot) + RELATIVE_OFFSET_OFFSET);
    }

    /**
     * Writer only. Entries must come in increasing offset order; others are ignored.
     *
     * @throws IOException if the entry's page cannot be backed on disk (see {@link MappedIndex}); nothing is written
     */
    public void append(long offset, int filePosition) throws IOException {
        int n = entries();
        MappedByteBuffer b = buffer();
        if (isFull() || (n > 0 && offset <= baseOffset() + keyAt(b, n - 1))) {
            return;
        }
        int at = slotPosition(n);
        ensureBacked(at, ENTRY_BYTES);
        b.putInt(at + RELATIVE_OFFSET_OFFSET, Math.toIntExact(offset - baseOffset()));
        b.putInt(at + FILE_POSITION_OFFSET, filePosition);
        setEntries(n + 1);
    }

    /** Where to start scanning for {@code targetOffset}: the position of the last entry at or below it, else 0. */
    public int lookupPosition(long targetOffset) {
        int n = entries();
        MappedByteBuffer b = buffer();
        int slot = lastSlotAtOrBelow(b, n, targetOffset - baseOffset());
        return slot < 0 ? 0 : b.getInt(slotPosition(slot) + FILE_POSITION_OFFSET);
    }

    /** The offset of the last entry, or the base offset if there is none. */
    public long lastOffset() {
        int n = entries();
        return n == 0 ? baseOffset() : baseOffset() + keyAt(buffer(), n - 1);
    }

    /** The file position of the last entry, or 0. */
    public int lastPosition() {
        int n = entries();
        return n == 0 ? 0 : buffer().getInt(slotPosition(n - 1) + FILE_POSITION_OFFSET);
    }

    /** Writer only: removes the entries for offsets at or above {@code offset}. */
    public void truncateTo(long offset) {
        int n = entries();
        int slot = lastSlotAtOrBelow(buffer(), n, offset - baseOffset() - 1);
        setEntries(slot + 1);
    }

    private int lastSlotAtOrBelow(MappedByteBuffer b, int n, long relativeTarget) {
        int lo = 0;
        int hi = n - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (keyAt(b, mid) <= relativeTarget) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }
}
