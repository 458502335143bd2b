package io.strand.broker.fetcher;

import io.strand.storage.checkpoint.EpochEndOffset;
import java.util.OptionalInt;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * What the fetcher needs of a partition this broker follows: its log's offsets and epochs and the
 * follower's writes. The broker adapts its partition (and the partition's log) to it.
 *
 * <p>Threads: a {@link ReplicaFetcher} calls these methods only from its own thread and only while the
 * partition is assigned to it, so calls for one partition never overlap; once
 * {@link ReplicaFetcherManager#unfollow} (or a {@code follow} from another leader) has returned, the old
 * fetcher calls nothing more. Readers on other threads may see the log change at any time.
 */
public interface FollowerReplica {

    TopicPartition topicPartition();

    Uuid topicId();

    long logStartOffset();

    /** The offset the next appended record gets. */
    long logEndOffset();

    /** The latest leader epoch of a batch in the log; empty for a log with no epochs. */
    OptionalInt latestEpoch();

    /**
     * The largest epoch of this log that is ≤ {@code leaderEpoch} and the offset at which it ends (the
     * start of the next epoch, or the log end for the latest one), as OffsetForLeaderEpoch answers;
     * {@link EpochEndOffset#UNDEFINED} when the log has no epoch ≤ {@code leaderEpoch}.
     */
    EpochEndOffset endOffsetForEpoch(int leaderEpoch);

    /**
     * Appends whole batches at the offsets and epochs the leader gave them; the first batch starts at
     * {@link #logEndOffset()}.
     *
     * @throws org.apache.kafka.common.errors.ApiException e.g. {@code CorruptRecordException},
     *     {@code KafkaStorageException}
     */
    void appendAsFollower(MemoryRecords records);

    /** Removes every record at or above {@code offset}; nothing if the log ends at or below it. */
    void truncateTo(long offset);

    /** Empties the log and starts it at {@code offset} (the leader's log start is beyond this log's end). */
    void truncateFullyAndStartAt(long offset);

    /** Sets the high watermark; the fetcher never passes more than {@link #logEndOffset()}. */
    void updateHighWatermark(long highWatermark);

    /**
     * Moves the log start up to the leader's (records below it were deleted there, by retention or
     * DeleteRecords): never down, never above the high watermark. Called after
     * {@link #updateHighWatermark} with every answer whose log start is above this log's.
     */
    void maybeIncrementLogStartOffset(long leaderLogStartOffset);
}
