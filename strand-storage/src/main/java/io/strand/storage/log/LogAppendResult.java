package io.strand.storage.log;

/**
 * What one {@link PartitionLog#appendAsLeader} did: the offsets the batch received, the broker
 * timestamp it was stamped with ({@code -1} when the topic keeps the producer's CreateTime), the log
 * start offset after the append, and the number of records. For {@link PartitionLog#appendAsFollower}:
 * the first batch's base offset and the last batch's last offset (both {@code -1} and no records when
 * nothing was appended), {@code logAppendTimeMs} always {@code -1} (the leader's timestamps are kept).
 *
 * <p>{@code duplicate} is true when the batch was a producer retry of a batch already in the log: then
 * nothing was written, the offsets are those of the original append and {@code logAppendTimeMs} is the
 * original batch's max timestamp (as Kafka answers a retry, whatever the topic's timestamp type).
 */
public record LogAppendResult(long firstOffset, long lastOffset, long logAppendTimeMs, long logStartOffset,
        int recordCount, boolean duplicate) {
}
