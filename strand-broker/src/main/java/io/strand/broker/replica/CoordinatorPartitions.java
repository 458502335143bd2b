package io.strand.broker.replica;

import io.strand.storage.log.LogAppendResult;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.Records;

/**
 * A coordinator's own topic ({@code __consumer_offsets}, {@code __transaction_state}) through this broker's
 * {@link ReplicaManager}, for the coordinators' log adapters: an append goes through the leader
 * {@link Partition} and its future completes with the batch's last offset only once the high watermark has
 * passed it (the {@link CommitWaiter}), or fails with NOT_LEADER_OR_FOLLOWER if this broker stops leading
 * the partition first; reads, for a shard's load, go to the log end (a new leader's high watermark may
 * trail records its predecessor committed, so the runtime waits with {@link #awaitCommitted} before the
 * shard serves).
 *
 * <p>Never blocks the calling shard thread on replication: the local append returns at once and the commit
 * arrives later on whichever thread advances the high watermark. Thread-safe as the replica manager is.
 */
public final class CoordinatorPartitions {

    private final ReplicaManager replicaManager;
    private final CommitWaiter commitWaiter;
    private final String topic;

    public CoordinatorPartitions(ReplicaManager replicaManager, CommitWaiter commitWaiter, String topic) {
        this.replicaManager = replicaManager;
        this.commitWaiter = commitWaiter;
        this.topic = topic;
    }

    private TopicPartition tp(int partition) {
        return new TopicPartition(topic, partition);
    }

    /**
     * Appends with {@code append} on the partition's leader, wakes what waits on the partition, and
     * completes once the batch is committed; any failure of the append fails the future.
     */
    public CompletableFuture<Long> appendAndAwait(int partition, Function<Partition, LogAppendResult> append) {
        TopicPartition tp = tp(partition);
        Partition leader;
        long lastOffset;
        try {
            leader = replicaManager.leaderPartition(tp);
            lastOffset = append.apply(leader).lastOffset();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        replicaManager.notifyAppended(tp);
        try {
            return commitWaiter.awaitHighWatermark(leader, lastOffset + 1).thenApply(committed -> lastOffset);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The log start offset of the partition this broker leads. */
    public long logStartOffset(int partition) {
        return replicaManager.leaderPartition(tp(partition)).log().logStartOffset();
    }

    /** Up to {@code maxBytes} from {@code fromOffset} to the log end, at least one whole batch. */
    public Records read(int partition, long fromOffset, int maxBytes) {
        Partition leader = replicaManager.leaderPartition(tp(partition));
        return leader.log().read(fromOffset, maxBytes, leader.log().logEndOffset(), true).records();
    }

    /** Completes once the partition's high watermark is at least {@code offset}. */
    public CompletableFuture<Void> awaitCommitted(int partition, long offset) {
        try {
            return commitWaiter.awaitHighWatermark(replicaManager.leaderPartition(tp(partition)), offset);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
