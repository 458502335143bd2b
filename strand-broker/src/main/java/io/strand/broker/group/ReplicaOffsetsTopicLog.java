package io.strand.broker.group;

import io.strand.broker.replica.CommitWaiter;
import io.strand.broker.replica.CoordinatorPartitions;
import io.strand.broker.replica.ReplicaManager;
import io.strand.coordinator.group.OffsetsTopicLog;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Records;

/**
 * {@code __consumer_offsets} through this broker's {@link ReplicaManager}: appends (the coordinator's
 * batches, transactional ones written on their producer's behalf, and transaction markers) go through the
 * leader {@code Partition} with acks=all (the ISR must hold {@code min.insync.replicas}); an append's
 * future completes with the batch's last offset only once the partition's high watermark has passed
 * the batch (the {@link CommitWaiter}), and fails with NOT_LEADER_OR_FOLLOWER (the coordinator answers
 * NOT_COORDINATOR) if this broker stops leading the partition first. Reads, for a shard's load, go to
 * the log end: a new leader's high watermark may trail records its predecessor committed, and the
 * runtime waits with {@link #awaitCommitted} before the shard serves.
 *
 * <p>Never blocks the calling shard thread on replication: the local append returns at once (as a
 * produce's does) and the commit arrives later on whichever thread advances the high watermark, so
 * one partition waiting for followers holds up no other group.
 *
 * <p>Thread-safe as the replica manager is; each partition is written by its one coordinator shard.
 */
final class ReplicaOffsetsTopicLog implements OffsetsTopicLog {

    private final CoordinatorPartitions partitions;

    ReplicaOffsetsTopicLog(ReplicaManager replicaManager, CommitWaiter commitWaiter) {
        this.partitions = new CoordinatorPartitions(replicaManager, commitWaiter, Topic.GROUP_METADATA_TOPIC_NAME);
    }

    @Override
    public CompletableFuture<Long> append(int partition, MemoryRecords records) {
        return partitions.appendAndAwait(partition,
                leader -> leader.appendAsCoordinator(records, leader.minInsyncReplicas()));
    }

    @Override
    public CompletableFuture<Long> appendMarker(int partition, long producerId, short producerEpoch,
                                                int coordinatorEpoch, boolean commit) {
        return partitions.appendAndAwait(partition, leader -> leader.appendCoordinatorMarker(producerId,
                producerEpoch, coordinatorEpoch, commit, leader.minInsyncReplicas()));
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
