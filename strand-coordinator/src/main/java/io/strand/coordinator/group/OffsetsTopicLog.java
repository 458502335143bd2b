package io.strand.coordinator.group;

import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Records;

/**
 * The partitions of {@code __consumer_offsets} as the coordinator sees them: appended to by the
 * shard that owns a partition, read back when a shard loads. The broker implements this over its
 * replica manager.
 *
 * <p>Implementations are called from shard threads, one thread per partition at a time.
 */
public interface OffsetsTopicLog {

    /**
     * Appends {@code records} as the partition's leader with acks=all semantics and returns once
     * they are committed (the high watermark has passed them).
     *
     * @throws org.apache.kafka.common.errors.ApiException when the append fails (this broker no longer
     *         leads the partition, not enough in-sync replicas, the batch is too large, …)
     */
    void append(int partition, MemoryRecords records);

    /** The first offset of the partition's log. */
    long logStartOffset(int partition);

    /**
     * Committed batches from {@code fromOffset} (whole batches, at least one if any is there), up to
     * about {@code maxBytes}; empty at the end of the committed log.
     */
    Records read(int partition, long fromOffset, int maxBytes);
}
