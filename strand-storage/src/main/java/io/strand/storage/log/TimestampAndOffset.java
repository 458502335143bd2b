package io.strand.storage.log;

/**
 * A record found by timestamp (ListOffsets): its timestamp, its offset and the leader epoch of the
 * batch holding it ({@code -1} if the batch carries none).
 */
public record TimestampAndOffset(long timestampMs, long offset, int leaderEpoch) {
}
