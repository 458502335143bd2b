package io.strand.broker.txn;

import io.strand.broker.replica.CommitWaiter;
import io.strand.broker.replica.Partition;
import io.strand.broker.replica.ReplicaManager;
import io.strand.coordinator.txn.TransactionStateLog;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Records;

/**
 * {@code __transaction_state} through this broker's {@link ReplicaManager}, as
 * {@code ReplicaOffsetsTopicLog} is for {@code __consumer_offsets}: appends go through the leader
 * {@link Partition} with acks=all and complete once the high watermark has passed the batch (the
 * {@link CommitWaiter}), or fail with NOT_LEADER_OR_FOLLOWER (the coordinator answers NOT_COORDINATOR)
 * when this broker stops leading first. Reads for a shard's load go to the log end.
 *
 * <p>Never blocks the calling shard thread on replication. Thread-safe as the replica manager is; each
 * partition is written by its one coordinator shard.
 */
final class ReplicaTransactionStateLog implements TransactionStateLog {

    private static final short ACKS_ALL = -1;

    private final ReplicaManager replicaManager;
    private final CommitWaiter commitWaiter;

    ReplicaTransactionStateLog(ReplicaManager replicaManager, CommitWaiter commitWaiter) {
        this.replicaManager = replicaManager;
        this.commitWaiter = commitWaiter;
    }

    private static TopicPartition tp(int partition) {
        return new TopicPartition(Topic.TRANSACTION_STATE_TOPIC_NAME, partition);
    }

    @Override
    public CompletableFuture<Long> append(int partition, MemoryRecords records) {
        TopicPartition tp = tp(partition);
        Partition leader;
        long lastOffset;
        try {
            leader = replicaManager.leaderPartition(tp);
            lastOffset = leader.appendAsLeader(records, ACKS_ALL, leader.minInsyncReplicas()).lastOffset();
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

    @Override
    public long logStartOffset(int partition) {
        return replicaManager.leaderPartition(tp(partition)).log().logStartOffset();
    }

    @Override
    public Records read(int partition, long fromOffset, int maxBytes) {
        Partition leader = replicaManager.leaderPartition(tp(partition));
        return leader.log().read(fromOffset, maxBytes, leader.log().logEndOffset(), true).records();
    }

    @Override
    public CompletableFuture<Void> awaitCommitted(int partition, long offset) {
        try {
            return commitWaiter.awaitHighWatermark(replicaManager.leaderPartition(tp(partition)), offset);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
