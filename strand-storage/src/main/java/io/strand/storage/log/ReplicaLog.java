package io.strand.storage.log;

import io.strand.storage.checkpoint.EpochEndOffset;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * What the replication layer uses of one partition replica's log: the leader's appends and reads, the
 * follower's appends and truncations, leader epochs and the offsets that bound readers. A broker's
 * logs are {@link PartitionLog}s (their contract, threads and crash behaviour are documented there);
 * the interface exists so that a test of the replication protocol can run the same partition logic
 * over a log kept in memory.
 *
 * <p>Every implementation keeps {@code logStartOffset <= highWatermark <= logEndOffset}.
 */
public interface ReplicaLog {

    TopicPartition topicPartition();

    /** See {@link PartitionLog#appendAsLeader}. */
    LogAppendResult appendAsLeader(MemoryRecords records, int leaderEpoch);

    /** See {@link PartitionLog#appendAsFollower}. */
    LogAppendResult appendAsFollower(MemoryRecords records);

    /** See {@link PartitionLog#assignEpochStartOffset}. */
    void assignEpochStartOffset(int leaderEpoch, long startOffset);

    /** See {@link PartitionLog#read}. */
    LogReadResult read(long fetchOffset, int maxBytes, long maxOffsetExclusive, boolean minOneBatch);

    long logStartOffset();

    /** The offset the next record gets. */
    long logEndOffset();

    long highWatermark();

    /** Sets the high watermark, clamped to [log start, log end]. */
    void updateHighWatermark(long highWatermark);

    /** OffsetForLeaderEpoch: see {@link io.strand.storage.checkpoint.LeaderEpochCache#endOffsetFor}. */
    EpochEndOffset endOffsetForEpoch(int leaderEpoch);

    /** The latest leader epoch written to this log, or -1. */
    int latestEpoch();

    /** See {@link PartitionLog#truncateTo}. */
    void truncateTo(long offset);

    /** See {@link PartitionLog#truncateFullyAndStartAt}. */
    void truncateFullyAndStartAt(long offset);

    /** Takes effect for the next append. */
    void updateConfig(LogConfig config);
}
