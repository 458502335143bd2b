package io.strand.storage.index;

import io.strand.storage.file.CorruptFileException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A segment's aborted-transaction index, {@code <baseOffset>.txnindex}: one {@link AbortedTxn} per
 * transaction whose abort marker lies in the segment, in marker-offset order, Kafka's on-disk format
 * (entries of {@value AbortedTxn#BYTES} bytes, no header). A transaction's data may start in an earlier
 * segment; only its marker decides where the entry goes. A read_committed fetch collects the entries
 * overlapping its range from the segment holding the fetch offset on ({@link #collect}).
 *
 * <p><b>Size.</b> Not pre-allocated and created only by the first append: a segment without aborted
 * transactions has no file, and a missing file is an empty index. Entries are appended with positional
 * writes.
 *
 * <p><b>Threads.</b> One writer (the partition's writer, or the cleaner for a segment nobody else sees
 * yet) appends, truncates, renames and closes. Readers ({@link #collect}, {@link #entries()}) take no
 * lock: the writer writes an entry and then publishes it through the volatile entry count; a reader
 * reads the count first and only the entries below it. A truncation lowers the count after cutting the
 * file; a reader that read the old count meanwhile sees a short read and stops there.
 *
 * <p><b>Crash.</b> Derived data, fsynced with its segment ({@link #flush}). An entry appended after the
 * last fsync may be lost by a power loss; the log's recovery truncates the index of every segment it
 * re-reads and appends the entries again while replaying the producer state. A file whose length is not
 * a whole number of entries, or whose entries are not a valid index for the segment, is reported with
 * {@link CorruptFileException} when opened (the segment is then recovered).
 */
public final class TransactionIndex {

    private final long baseOffset;
    private volatile Path path;
    private volatile FileChannel channel;
    private volatile int entries;
    /** Writer only: the last entry's marker offset, or -1. */
    private long lastOffset = -1L;

    /**
     * Opens the index at {@code path} (no file yet is an empty index).
     *
     * @throws CorruptFileException if the file is not a whole number of valid entries, in increasing
     *     marker order, all at or above {@code baseOffset}
     */
    public TransactionIndex(Path path, long baseOffset) throws IOException {
        this.path = path;
        this.baseOffset = baseOffset;
        if (Files.exists(path)) {
            FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            try {
                long size = ch.size();
                if (size % AbortedTxn.BYTES != 0 || size > Integer.MAX_VALUE) {
                    throw new CorruptFileException(path, "sizeInBytes=" + size + " not a multiple of "
                            + AbortedTxn.BYTES);
                }
                channel = ch;
                entries = (int) (size / AbortedTxn.BYTES);
                for (AbortedTxn txn : allEntries()) {
                    if (txn.lastOffset() < baseOffset || txn.lastOffset() <= lastOffset
                            || txn.firstOffset() > txn.lastOffset()) {
                        throw new CorruptFileException(path, "entry=" + txn + " after lastOffset=" + lastOffset
                                + " baseOffset=" + baseOffset);
                    }
                    lastOffset = txn.lastOffset();
                }
            } catch (IOException | RuntimeException e) {
                channel = null;
                entries = 0;
                ch.close();
                throw e;
            }
        }
    }

    public Path path() {
        return path;
    }

    public long baseOffset() {
        return baseOffset;
    }

    /** The number of entries published to readers. */
    public int entries() {
        return entries;
    }

    /** Writer only: appends an entry; its marker offset must be above the last entry's. */
    public void append(AbortedTxn txn) throws IOException {
        if (txn.lastOffset() <= lastOffset || txn.lastOffset() < baseOffset) {
            throw new IllegalArgumentException("Aborted transactions must be appended in marker order: file=" + path
                    + " lastOffset=" + txn.lastOffset() + " previousLastOffset=" + lastOffset
                    + " baseOffset=" + baseOffset);
        }
        FileChannel ch = channel;
        if (ch == null) {
            ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            channel = ch;
        }
        ByteBuffer buf = ByteBuffer.allocate(AbortedTxn.BYTES);
        txn.writeTo(buf, 0);
        long position = (long) entries * AbortedTxn.BYTES;
        while (buf.hasRemaining()) {
            position += ch.write(buf, position);
        }
        lastOffset = txn.lastOffset();
        entries = entries + 1;
    }

    /** Writer only: removes the entries whose marker offset is at or above {@code offset}. */
    public void truncateTo(long offset) throws IOException {
        if (entries == 0) {
            return;
        }
        List<AbortedTxn> all = allEntries();
        int keep = 0;
        while (keep < all.size() && all.get(keep).lastOffset() < offset) {
            keep++;
        }
        if (keep < all.size()) {
            channel.truncate((long) keep * AbortedTxn.BYTES);
            entries = keep;
            lastOffset = keep == 0 ? -1L : all.get(keep - 1).lastOffset();
        }
    }

    /** Writer only: removes every entry. */
    public void reset() throws IOException {
        truncateTo(Long.MIN_VALUE);
    }

    /** Every published entry, in order. */
    public List<AbortedTxn> allEntries() throws IOException {
        List<AbortedTxn> out = new ArrayList<>();
        readEntries(Long.MIN_VALUE, Long.MAX_VALUE, out, false);
        return out;
    }

    /**
     * Adds to {@code out} the aborted transactions overlapping [{@code fetchOffset}, {@code upperBoundOffset}):
     * marker at or above the fetch offset and first offset below the bound.
     *
     * @return true if the search is complete: an entry's last stable offset reached the bound, so no
     *     later segment holds a transaction that began below it
     */
    public boolean collect(long fetchOffset, long upperBoundOffset, List<AbortedTxn> out) throws IOException {
        return readEntries(fetchOffset, upperBoundOffset, out, true);
    }

    private boolean readEntries(long fetchOffset, long upperBoundOffset, List<AbortedTxn> out, boolean stopAtBound)
            throws IOException {
        int count = entries;
        if (count == 0) {
            return false;
        }
        FileChannel ch = channel;
        ByteBuffer buf = ByteBuffer.allocate(count * AbortedTxn.BYTES);
        while (buf.hasRemaining()) {
            if (ch.read(buf, buf.position()) < 0) {
                break;
            }
        }
        int complete = buf.position() / AbortedTxn.BYTES;
        for (int i = 0; i < complete; i++) {
            int position = i * AbortedTxn.BYTES;
            short version = buf.getShort(position + AbortedTxn.VERSION_OFFSET);
            if (version != AbortedTxn.VERSION) {
                throw new CorruptFileException(path, "entry=" + i + " version=" + version);
            }
            AbortedTxn txn = AbortedTxn.readFrom(buf, position);
            if (txn.lastOffset() >= fetchOffset && txn.firstOffset() < upperBoundOffset) {
                out.add(txn);
            }
            if (stopAtBound && txn.lastStableOffset() >= upperBoundOffset) {
                return true;
            }
        }
        return false;
    }

    /** Fsyncs the file, if there is one. */
    public void flush() throws IOException {
        FileChannel ch = channel;
        if (ch != null) {
            ch.force(true);
        }
    }

    /** Writer only: renames the file (if there is one) to {@code target}; later appends go there. */
    public void renameTo(Path target) throws IOException {
        if (Files.exists(path)) {
            try {
                Files.move(path, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(path, target, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        path = target;
    }

    public void close() throws IOException {
        FileChannel ch = channel;
        if (ch != null) {
            ch.close();
        }
    }

    public void closeAndDelete() throws IOException {
        close();
        Files.deleteIfExists(path);
    }

    @Override
    public String toString() {
        return "TransactionIndex(file=" + path + ", entries=" + entries + ")";
    }
}
