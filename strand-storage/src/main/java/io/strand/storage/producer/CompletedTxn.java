package io.strand.storage.producer;

/**
 * A transaction a commit or abort marker ended: producer {@code producerId}'s data from
 * {@code firstOffset}, its marker at {@code lastOffset}, whether it was aborted, and the log's last
 * stable offset right after the marker (the first offset of the earliest transaction of another
 * producer still open, or {@code lastOffset + 1}): what an aborted one's transaction-index entry holds.
 */
public record CompletedTxn(long producerId, long firstOffset, long lastOffset, boolean aborted,
        long lastStableOffset) {
}
