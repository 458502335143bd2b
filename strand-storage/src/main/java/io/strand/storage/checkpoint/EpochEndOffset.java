package io.strand.storage.checkpoint;

/**
 * The answer to OffsetForLeaderEpoch: a leader epoch and the offset at which it ended (the start offset
 * of the next epoch, or the log end offset for the latest epoch). Both are {@code -1} when unknown.
 */
public record EpochEndOffset(int leaderEpoch, long endOffset) {

    /** No epoch known. */
    public static final EpochEndOffset UNDEFINED = new EpochEndOffset(-1, -1L);
}
