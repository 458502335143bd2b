package io.strand.broker.group;

import io.strand.broker.replica.Partition;
import io.strand.broker.replica.ReplicaManager;
import io.strand.coordinator.group.OffsetsTopicLog;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Records;

/**
 * {@code __consumer_offsets} through this broker's {@link ReplicaManager}: appends go through the
 * leader {@link Partition} with acks=all; reads stop at the high watermark.
 *
 * <p>An append's future is meant to complete when the high watermark has passed the batch. With
 * this broker the only in-sync replica that is at once, after the local append, so the future is
 * completed before {@link #append} returns; a failed local append (not the leader, too few in-sync
 * replicas, a batch too large) fails it at once. Stopgap until followers replicate
 * {@code __consumer_offsets}: then the future must wait (in a purgatory the high watermark's advance
 * completes) instead of completing right after the local append.
 *
 * <p>Thread-safe as the replica manager is; each partition is written by its one coordinator shard.
 */
final class ReplicaOffsetsTopicLog implements OffsetsTopicLog {

    private static final short ACKS_ALL = -1;

    private final ReplicaManager replicaManager;

    ReplicaOffsetsTopicLog(ReplicaManager replicaManager) {
        this.replicaManager = replicaManager;
    }

    private static TopicPartition tp(int partition) {
        return new TopicPartition(Topic.GROUP_METADATA_TOPIC_NAME, partition);
    }

    @Override
    public CompletableFuture<Long> append(int partition, MemoryRecords records) {
        TopicPartition tp = tp(partition);
        long lastOffset;
        try {
            Partition leader = replicaManager.leaderPartition(tp);
            lastOffset = leader.appendAsLeader(records, ACKS_ALL,
                    leader.minInsyncReplicas()).lastOffset();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        replicaManager.notifyAppended(tp);
        return CompletableFuture.completedFuture(lastOffset);
    }

    @Override
    public long logStartOffset(int partition) {
        return replicaManager.leaderPartition(tp(partition)).log().logStartOffset();
    }

    @Override
    public Records read(int partition, long fromOffset, int maxBytes) {
        Partition leader = replicaManager.leaderPartition(tp(partition));
        return leader.log().read(fromOffset, maxBytes, leader.log().highWatermark(), true).records();
    }
}
