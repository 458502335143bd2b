package io.strand.storage.index;

import io.strand.storage.file.CorruptFileException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A fixed-width-entry index file of one segment, memory-mapped. The common part of
 * {@link OffsetIndex} and {@link TimeIndex}.
 *
 * <p><b>Size.</b> A new index is pre-allocated to {@code maxEntries * entryBytes} (from
 * {@code segment.index.bytes}, at least two entries) so appends never grow the file; it is trimmed to
 * its entries when its segment rolls or closes, and grown back if the segment becomes active again.
 * An existing file is taken as {@code length / entryBytes} entries: after a crash the active segment's
 * index still has its zero-filled tail, which {@link #looksValid()} detects and recovery rebuilds.
 *
 * <p><b>Threads.</b> One writer (the partition's writer) appends and truncates; any number of readers
 * look up concurrently without locks. The writer fills an entry with absolute puts and then publishes
 * it by writing the volatile entry count; a reader reads the count first and only the slots below it.
 * A resize maps the file anew and swaps the volatile mapping; a reader still holding the old mapping
 * only touches slots below the count, which the file still holds. Mappings are never forcibly unmapped:
 * the garbage collector releases them once no reader holds one.
 *
 * <p><b>Full disk.</b> The pre-allocated file is sparse, and a mapped write into a page the filesystem
 * cannot back raises SIGBUS, which the JVM reports as an {@code InternalError} at some later point of
 * the writing thread (in compiled code, not necessarily inside any handler). So before an entry lands
 * in a page not yet written, {@link #ensureBacked} writes that stretch of the file with zeros through a
 * system call, which on a full disk fails at once with an {@code IOException} (ENOSPC); the mapped
 * write then only touches backed pages.
 *
 * <p><b>Crash.</b> The index is derived data. It is flushed with its segment; anything lost or torn is
 * rebuilt from the {@code .log} file by recovery.
 */
abstract class MappedIndex {

    /** Smallest number of slots an index has, whatever {@code segment.index.bytes} says. */
    static final int MIN_ENTRIES = 2;
    /** The block size assumed when deciding what a write already backed. */
    private static final int BLOCK_BYTES = 4096;
    /** How much of the file {@link #ensureBacked} writes at once: one write per this many bytes of entries. */
    private static final int BACKING_CHUNK_BYTES = 16 * BLOCK_BYTES;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(BACKING_CHUNK_BYTES).asReadOnlyBuffer();

    private final long baseOffset;
    private final int entryBytes;
    private final int maxEntries;
    private final RandomAccessFile file;
    private volatile Path path;
    private volatile MappedByteBuffer mmap;
    private volatile int entries;
    /**
     * Writer only: the file's bytes below this are backed by disk blocks; every entry written lies below
     * it, so zeros written from here on overwrite nothing. A multiple of {@link #BLOCK_BYTES}.
     */
    private long backedBytes;

    /**
     * Opens {@code path}, creating it pre-allocated if it does not exist.
     *
     * @throws CorruptFileException if an existing file's length is not a whole number of entries
     */
    MappedIndex(Path path, long baseOffset, int maxIndexBytes, int entryBytes) throws IOException {
        this.path = path;
        this.baseOffset = baseOffset;
        this.entryBytes = entryBytes;
        this.maxEntries = Math.max(MIN_ENTRIES, maxIndexBytes / entryBytes);
        boolean existed = Files.exists(path);
        this.file = new RandomAccessFile(path.toFile(), "rw");
        try {
            if (existed) {
                long length = file.length();
                if (length % entryBytes != 0 || length > (long) Integer.MAX_VALUE) {
                    throw new CorruptFileException(path, "length=" + length + " entryBytes=" + entryBytes);
                }
                entries = (int) (length / entryBytes);
            } else {
                file.setLength((long) maxEntries * entryBytes);
                entries = 0;
            }
            mmap = map(file.length());
            backedBytes = roundUpToBlock((long) entries * entryBytes);
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    final long baseOffset() {
        return baseOffset;
    }

    public final int entries() {
        return entries;
    }

    public final int maxEntries() {
        return maxEntries;
    }

    public final Path path() {
        return path;
    }

    /** Slots kept free for {@link #isFull()}: the time index keeps one for the entry written at roll. */
    int reservedSlots() {
        return 0;
    }

    public final boolean isFull() {
        return entries >= Math.min(capacity(), maxEntries) - reservedSlots();
    }

    /** Slots the current mapping holds. */
    final int capacity() {
        return mmap.capacity() / entryBytes;
    }

    /** The key (offset or timestamp) entries are ordered by. */
    abstract long keyAt(MappedByteBuffer buffer, int slot);

    /**
     * Cheap check of an index loaded from disk: keys strictly increase at the tail (a zero-filled tail
     * from a crash does not) and no entry lies before the base offset.
     */
    public boolean looksValid() {
        int n = entries;
        MappedByteBuffer b = mmap;
        return n < MIN_ENTRIES || keyAt(b, n - 1) > keyAt(b, n - 2);
    }

    /** The mapping for readers; read the entry count first, then only use slots below it. */
    final MappedByteBuffer buffer() {
        return mmap;
    }

    /** Writer only: publishes entries up to {@code count}. */
    final void setEntries(int count) {
        entries = count;
    }

    final int slotPosition(int slot) {
        return slot * entryBytes;
    }

    /** Writer only: drops every entry and makes the full pre-allocated size available again. */
    public final void reset() throws IOException {
        entries = 0;
        resize(maxEntries);
    }

    /** Writer only: makes room for {@code slots} entries (never fewer than the current ones). */
    public final void resize(int slots) throws IOException {
        long length = (long) Math.max(slots, entries) * entryBytes;
        if (length != file.length() || length != mmap.capacity()) {
            file.setLength(length);
            mmap = map(length);
            // a file grown back is sparse again past its old end's block
            backedBytes = Math.min(backedBytes, roundUpToBlock(length));
        }
    }

    /**
     * Writer only, before an entry is put at {@code [position, position + length)}: makes sure those
     * bytes are backed by disk blocks (see the class doc), writing zeros from {@link #backedBytes} up to
     * a chunk past them. Costs one comparison unless the entry crosses into a stretch not yet written.
     *
     * @throws IOException if the filesystem cannot back them (ENOSPC, EIO); nothing was put
     */
    final void ensureBacked(int position, int length) throws IOException {
        long end = (long) position + length;
        if (end <= backedBytes) {
            return;
        }
        long fileBytes = mmap.capacity();
        long to = Math.min(fileBytes, Math.max(roundUpToBlock(end), backedBytes + BACKING_CHUNK_BYTES));
        FileChannel channel = file.getChannel();
        long at = backedBytes;
        while (at < to) {
            ByteBuffer zeros = ZEROS.duplicate();
            zeros.limit((int) Math.min(zeros.capacity(), to - at));
            while (zeros.hasRemaining()) {
                at += channel.write(zeros, at);
            }
        }
        backedBytes = to;
    }

    private static long roundUpToBlock(long bytes) {
        return (bytes + BLOCK_BYTES - 1) / BLOCK_BYTES * BLOCK_BYTES;
    }

    /** Writer only: shrinks the file to its entries (when its segment stops being active). */
    public final void trimToValidSize() throws IOException {
        resize(entries);
    }

    public final void flush() {
        mmap.force();
    }

    public final void renameTo(Path target) throws IOException {
        Files.move(path, target, StandardCopyOption.REPLACE_EXISTING);
        path = target;
    }

    public final void close() throws IOException {
        file.close();
    }

    public final void closeAndDelete() throws IOException {
        close();
        Files.deleteIfExists(path);
    }

    private MappedByteBuffer map(long length) throws IOException {
        return file.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, length);
    }
}
