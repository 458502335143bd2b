package io.strand.broker.share;

import io.strand.broker.replica.CommitWaiter;
import io.strand.broker.replica.CoordinatorPartitions;
import io.strand.broker.replica.ReplicaManager;
import io.strand.coordinator.share.ShareStateLog;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Records;

/**
 * {@code __share_group_state} through this broker's {@link ReplicaManager}, as the transaction state log
 * is for {@code __transaction_state}: appends go through the leader partition with acks=all and complete
 * once the high watermark has passed the batch, or fail with NOT_LEADER_OR_FOLLOWER when this broker
 * stops leading first. Never blocks a shard thread on replication. Thread-safe.
 */
final class ReplicaShareStateLog implements ShareStateLog {

    private static final short ACKS_ALL = -1;

    private final CoordinatorPartitions partitions;

    ReplicaShareStateLog(ReplicaManager replicaManager, CommitWaiter commitWaiter) {
        this.partitions = new CoordinatorPartitions(replicaManager, commitWaiter, ShareCoordinatorService.STATE_TOPIC);
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
