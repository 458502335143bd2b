package io.strand.storage.log;

import java.io.IOException;

/**
 * Told by {@link PartitionLog#replaceSegments} after each step of a segment replacement, on the
 * cleaner thread under the log's writer lock. Production uses {@link #NONE}; tests throw from a step
 * to leave the files exactly as a crash at that point would.
 */
@FunctionalInterface
public interface SwapObserver {

    /** The steps, in order; see {@link SwapRecovery} for what a crash after each leaves. */
    enum Step {
        /** The {@code .cleaned} files are written and fsynced; nothing renamed yet. */
        CLEANED_WRITTEN,
        /** The {@code .cleaned} files are renamed to {@code .swap} (commit point). */
        SWAP_COMMITTED,
        /** One replaced segment's files were renamed to {@code .deleted} (once per replaced segment). */
        REPLACED_SEGMENT_DELETED,
        /** The {@code .swap} files have their final names; the segment map is updated next. */
        SWAPPED_IN
    }

    SwapObserver NONE = step -> { };

    void onStep(Step step) throws IOException;
}
