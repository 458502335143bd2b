package io.strand.broker.replica;

import java.util.concurrent.CompletableFuture;

/**
 * Waits for a partition's high watermark: how {@code __consumer_offsets} appends and shard loads learn
 * that their records are committed. Must never block the caller: the future completes later, on
 * whichever thread advances the high watermark or ends the leadership.
 *
 * <p>{@link #HIGH_WATERMARK} is the broker's; tests hand in their own to decide when records commit.
 */
@FunctionalInterface
public interface CommitWaiter {

    /**
     * A future completed once {@code partition}'s high watermark is at least {@code offset} (every record
     * before {@code offset} is committed), or exceptionally with NOT_LEADER_OR_FOLLOWER if this broker
     * stops leading the partition first.
     */
    CompletableFuture<Void> awaitHighWatermark(Partition partition, long offset);

    /** The partition's own high-watermark wait ({@link Partition#awaitHighWatermark}). */
    CommitWaiter HIGH_WATERMARK = Partition::awaitHighWatermark;
}
