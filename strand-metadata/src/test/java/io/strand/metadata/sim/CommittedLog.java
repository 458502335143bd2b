package io.strand.metadata.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * What the consensus layer (Ratis in production) guarantees: one history of committed entries,
 * offsets 1, 2, 3 ..., never lost or changed once committed. The simulation trusts this layer and
 * tests what is built above it; the nodes hold copies of prefixes of it, which the invariants
 * compare against it. Not thread-safe: owned by the simulation's event loop.
 */
final class CommittedLog {

    private final List<LogEntry> entries = new ArrayList<>();

    long lastOffset() {
        return entries.size();
    }

    /** The entry at {@code offset}, 1 to {@link #lastOffset()}. */
    LogEntry get(long offset) {
        if (offset < 1 || offset > entries.size()) {
            throw new IllegalArgumentException("No committed entry: offset=" + offset + " lastOffset=" + lastOffset());
        }
        return entries.get((int) (offset - 1));
    }

    LogEntry append(int epoch, byte[] batch) {
        LogEntry entry = new LogEntry(entries.size() + 1L, epoch, batch);
        entries.add(entry);
        return entry;
    }
}
