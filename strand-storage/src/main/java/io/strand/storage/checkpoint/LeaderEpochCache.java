package io.strand.storage.checkpoint;

import io.strand.storage.file.CorruptFileException;
import io.strand.storage.file.LogFileNames;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader epochs of a partition and the offset at which each began, kept in memory and in the
 * partition's {@code leader-epoch-checkpoint} file. It answers OffsetForLeaderEpoch, which followers
 * and consumers use to find where their copy of the log diverged.
 *
 * <p>File layout ({@link CheckpointFile}), one entry per epoch in increasing order:
 * <pre>
 * 0            version
 * 2            number of entries
 * 3 0          epoch 3 began at offset 0
 * 5 1200       epoch 5 began at offset 1200
 * </pre>
 *
 * <p><b>Threads.</b> Changed only by the partition's writer; read by any thread without locks (the entry
 * list is an immutable snapshot replaced on each change). <b>Crash.</b> The file is rewritten
 * atomically and fsynced at each change, which is rare (a new leader epoch, a truncation).
 */
public final class LeaderEpochCache {

    private static final Logger LOG = LoggerFactory.getLogger(LeaderEpochCache.class);
    private static final int UNDEFINED_EPOCH = -1;

    public record Entry(int epoch, long startOffset) {
    }

    private final Path file;
    private volatile List<Entry> entries;

    private LeaderEpochCache(Path file, List<Entry> entries) {
        this.file = file;
        this.entries = List.copyOf(entries);
    }

    /** Loads the partition's checkpoint; a missing or unreadable file gives an empty cache. */
    public static LeaderEpochCache load(Path partitionDir) throws IOException {
        Path file = partitionDir.resolve(LogFileNames.LEADER_EPOCH_CHECKPOINT);
        List<Entry> entries = new ArrayList<>();
        try {
            Optional<List<String[]>> lines = CheckpointFile.read(file, 2);
            for (String[] f : lines.orElse(List.of())) {
                Entry e = new Entry(Integer.parseInt(f[0]), Long.parseLong(f[1]));
                if (!entries.isEmpty() && (e.epoch() <= last(entries).epoch()
                        || e.startOffset() < last(entries).startOffset())) {
                    throw new CorruptFileException(file, "entry=" + e + " after=" + last(entries));
                }
                entries.add(e);
            }
        } catch (CorruptFileException | NumberFormatException e) {
            LOG.warn("Ignoring leader epoch checkpoint file={}: {}", file, e.getMessage());
            entries.clear();
        }
        return new LeaderEpochCache(file, entries);
    }

    /** The entries, oldest first: an immutable snapshot. */
    public List<Entry> entries() {
        return entries;
    }

    /** The latest epoch, or -1 if none. */
    public int latestEpoch() {
        List<Entry> e = entries;
        return e.isEmpty() ? UNDEFINED_EPOCH : last(e).epoch();
    }

    /** Writer only: records that {@code epoch} began at {@code startOffset}, if it is newer than the latest. */
    public void assign(int epoch, long startOffset) throws IOException {
        List<Entry> current = entries;
        if (epoch < 0 || (!current.isEmpty() && epoch <= last(current).epoch())) {
            return;
        }
        List<Entry> next = new ArrayList<>(current.size() + 1);
        for (Entry e : current) {
            if (e.startOffset() < startOffset) {
                next.add(e);
            }
        }
        next.add(new Entry(epoch, startOffset));
        replace(next);
    }

    /**
     * OffsetForLeaderEpoch, as Kafka answers it: for the latest epoch, that epoch and the log end
     * offset; otherwise the largest known epoch at or below the requested one and the start offset of
     * the epoch after it (the requested epoch itself if it is older than every known epoch);
     * {@link EpochEndOffset#UNDEFINED} for an unknown or newer epoch.
     */
    public EpochEndOffset endOffsetFor(int requestedEpoch, long logEndOffset) {
        return endOffsetFor(entries, requestedEpoch, logEndOffset);
    }

    /**
     * {@link #endOffsetFor(int, long)} over {@code entries} (epochs in increasing order with their
     * start offsets) of a log ending at {@code logEndOffset}: the one rule, for any log that keeps
     * its epochs as this cache does.
     */
    public static EpochEndOffset endOffsetFor(List<Entry> entries, int requestedEpoch, long logEndOffset) {
        List<Entry> e = entries;
        if (requestedEpoch < 0 || e.isEmpty()) {
            return EpochEndOffset.UNDEFINED;
        }
        if (requestedEpoch == last(e).epoch()) {
            return new EpochEndOffset(requestedEpoch, logEndOffset);
        }
        int floor = -1;
        for (int i = 0; i < e.size(); i++) {
            if (e.get(i).epoch() <= requestedEpoch) {
                floor = i;
            }
        }
        if (floor == e.size() - 1) {
            return EpochEndOffset.UNDEFINED;
        }
        long endOffset = e.get(floor + 1).startOffset();
        return new EpochEndOffset(floor < 0 ? requestedEpoch : e.get(floor).epoch(), endOffset);
    }

    /** Writer only: forgets epochs that began at or after {@code endOffset} (the log was cut there). */
    public void truncateFromEnd(long endOffset) throws IOException {
        List<Entry> current = entries;
        if (!current.isEmpty() && last(current).startOffset() >= endOffset) {
            replace(current.stream().filter(x -> x.startOffset() < endOffset).toList());
        }
    }

    /** Writer only: forgets every epoch (the log was emptied and restarted elsewhere). */
    public void clear() throws IOException {
        if (!entries.isEmpty()) {
            replace(List.of());
        }
    }

    /** Writer only: the log now starts at {@code startOffset}; the epoch in force there starts there. */
    public void truncateFromStart(long startOffset) throws IOException {
        List<Entry> current = entries;
        if (current.isEmpty() || current.get(0).startOffset() >= startOffset) {
            return;
        }
        List<Entry> next = new ArrayList<>();
        Entry inForce = null;
        for (Entry e : current) {
            if (e.startOffset() <= startOffset) {
                inForce = e;
            } else {
                next.add(e);
            }
        }
        next.add(0, new Entry(inForce.epoch(), startOffset));
        replace(next);
    }

    private void replace(List<Entry> next) throws IOException {
        List<String> lines = new ArrayList<>(next.size());
        for (Entry e : next) {
            lines.add(e.epoch() + " " + e.startOffset());
        }
        CheckpointFile.write(file, lines);
        entries = List.copyOf(next);
    }

    private static Entry last(List<Entry> entries) {
        return entries.get(entries.size() - 1);
    }
}
