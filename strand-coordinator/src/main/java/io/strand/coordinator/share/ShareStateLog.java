package io.strand.coordinator.share;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Records;

/**
 * {@code __share_group_state} as raw batches, for the share coordinator (the broker's implementation
 * goes through the partition leader's log). Called on shard threads; never blocks on replication.
 */
public interface ShareStateLog {

    /**
     * Appends {@code records} (one uncompressed batch) as the partition's leader with acks=all.
     *
     * @return completed with the offset of the batch's last record once it is committed, or exceptionally
     *         with the {@link org.apache.kafka.common.errors.ApiException} that failed the append
     */
    CompletableFuture<Long> append(int partition, MemoryRecords records);

    /** The first offset of the partition's log. */
    long logStartOffset(int partition);

    /**
     * Whole batches from {@code fromOffset} up to about {@code maxBytes} (at least one if any is there), as
     * far as the log end; empty at the log end.
     *
     * @throws org.apache.kafka.common.errors.ApiException if this broker does not lead the partition
     */
    Records read(int partition, long fromOffset, int maxBytes);

    /** Completed once the partition's high watermark has reached {@code offset}. */
    CompletableFuture<Void> awaitCommitted(int partition, long offset);
}
