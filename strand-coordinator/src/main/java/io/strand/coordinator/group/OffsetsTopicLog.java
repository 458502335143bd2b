package io.strand.coordinator.group;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Records;

/**
 * The partitions of {@code __consumer_offsets} as the coordinator sees them: appended to by the
 * shard that owns a partition, read back when a shard loads. The broker implements this over its
 * replica manager.
 *
 * <p>Implementations are called from shard threads, one thread per partition at a time, and must
 * not block them waiting for replication: {@link #append} returns a future completed later.
 */
public interface OffsetsTopicLog {

    /**
     * Appends {@code records} as the partition's leader with acks=all semantics. A transactional batch
     * (the group coordinator's transactional offset commits, at base sequence 0) is written as a
     * coordinator's on the producer's behalf: its producer epoch is checked (an older one fails with
     * INVALID_PRODUCER_EPOCH), its sequence is not and it is never taken for a retry.
     *
     * @return a future completed with the offset of the batch's last record once the batch is
     *         committed (the high watermark has passed it) — at once on a single replica, later when
     *         followers must catch up — or exceptionally with the
     *         {@link org.apache.kafka.common.errors.ApiException} that failed the append (this broker
     *         no longer leads the partition, not enough in-sync replicas, the batch is too large, …)
     */
    CompletableFuture<Long> append(int partition, MemoryRecords records);

    /**
     * Appends a commit or abort marker (a control batch) of the producer as the partition's leader with
     * acks=all semantics, with the leader's checks of a marker (an older producer epoch:
     * INVALID_PRODUCER_EPOCH; an older coordinator epoch: TRANSACTION_COORDINATOR_FENCED).
     *
     * @return as {@link #append}: the marker's offset once committed, or the error that failed it
     */
    CompletableFuture<Long> appendMarker(int partition, long producerId, short producerEpoch, int coordinatorEpoch,
                                         boolean commit);

    /** The first offset of the partition's log. */
    long logStartOffset(int partition);

    /**
     * Batches from {@code fromOffset} (whole batches, at least one if any is there), up to about
     * {@code maxBytes}, as far as the log end: a new leader reads what its predecessor wrote beyond this
     * node's high watermark, see {@link #awaitCommitted}. Empty at the log end.
     *
     * @throws org.apache.kafka.common.errors.ApiException if this broker does not lead the partition
     */
    Records read(int partition, long fromOffset, int maxBytes);

    /**
     * A future completed once the partition's high watermark has reached {@code offset}, or
     * exceptionally when this broker stops leading the partition first (NOT_LEADER_OR_FOLLOWER).
     */
    CompletableFuture<Void> awaitCommitted(int partition, long offset);
}
