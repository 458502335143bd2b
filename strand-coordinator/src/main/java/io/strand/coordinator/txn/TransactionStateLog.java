package io.strand.coordinator.txn;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Records;

/**
 * The partitions of {@code __transaction_state} as the transaction coordinator sees them: appended
 * to by the shard that owns a partition, read back when a shard loads. The broker implements it
 * over its replica manager (the same shape as the group coordinator's {@code OffsetsTopicLog}).
 *
 * <p>Called from shard threads, one thread per partition at a time; must not block them waiting for
 * replication: {@link #append} returns a future completed later.
 */
public interface TransactionStateLog {

    /**
     * Appends {@code records} (one uncompressed batch) as the partition's leader with acks=all.
     *
     * @return a future completed with the offset of the batch's last record once it is committed (the
     *         high watermark has passed it), or exceptionally with the
     *         {@link org.apache.kafka.common.errors.ApiException} that failed the append
     */
    CompletableFuture<Long> append(int partition, MemoryRecords records);

    /** The first offset of the partition's log. */
    long logStartOffset(int partition);

    /**
     * Whole batches from {@code fromOffset} up to about {@code maxBytes} (at least one if any is
     * there), as far as the log end; empty at the log end.
     *
     * @throws org.apache.kafka.common.errors.ApiException if this broker does not lead the partition
     */
    Records read(int partition, long fromOffset, int maxBytes);

    /**
     * A future completed once the partition's high watermark has reached {@code offset}, or
     * exceptionally when this broker stops leading the partition first.
     */
    CompletableFuture<Void> awaitCommitted(int partition, long offset);
}
