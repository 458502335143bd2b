package io.strand.storage.log;

/**
 * What one {@link PartitionLog#appendAsLeader} did: the offsets the batch received, the broker
 * timestamp it was stamped with ({@code -1} when the topic keeps the producer's CreateTime), the log
 * start offset after the append, and the number of records.
 *
 * <p>{@code duplicate} is true when the batch was a producer retry of a batch already in the log: then
 * nothing was written and the offsets are those of the original append.
 */
public record LogAppendResult(long firstOffset, long lastOffset, long logAppendTimeMs, long logStartOffset,
        int recordCount, boolean duplicate) {
}
