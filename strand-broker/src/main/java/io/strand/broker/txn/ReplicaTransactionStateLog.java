package io.strand.broker.txn;

import io.strand.broker.replica.CommitWaiter;
import io.strand.broker.replica.CoordinatorPartitions;
import io.strand.broker.replica.ReplicaManager;
import io.strand.coordinator.txn.TransactionStateLog;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Records;

/**
 * {@code __transaction_state} through this broker's {@link ReplicaManager}, as
 * {@code ReplicaOffsetsTopicLog} is for {@code __consumer_offsets}: appends go through the leader
 * {@code Partition} with acks=all and complete once the high watermark has passed the batch (the
 * {@link CommitWaiter}), or fail with NOT_LEADER_OR_FOLLOWER (the coordinator answers NOT_COORDINATOR)
 * when this broker stops leading first. Reads for a shard's load go to the log end.
 *
 * <p>Never blocks the calling shard thread on replication. Thread-safe as the replica manager is; each
 * partition is written by its one coordinator shard.
 */
final class ReplicaTransactionStateLog implements TransactionStateLog {

    private static final short ACKS_ALL = -1;

    private final CoordinatorPartitions partitions;

    ReplicaTransactionStateLog(ReplicaManager replicaManager, CommitWaiter commitWaiter) {
        this.partitions = new CoordinatorPartitions(replicaManager, commitWaiter, Topic.TRANSACTION_STATE_TOPIC_NAME);
    }

    @Override
    public CompletableFuture<Long> append(int partition, MemoryRecords records) {
        return partitions.appendAndAwait(partition,
                leader -> leader.appendAsLeader(records, ACKS_ALL, leader.minInsyncReplicas()));
    }

    @Override
    public long logStartOffset(int partition) {
        return partitions.logStartOffset(partition);
    }

    @Override
    public Records read(int partition, long fromOffset, int maxBytes) {
        return partitions.read(partition, fromOffset, maxBytes);
    }

    @Override
    public CompletableFuture<Void> awaitCommitted(int partition, long offset) {
        return partitions.awaitCommitted(partition, offset);
    }
}
