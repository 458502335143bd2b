package io.strand.coordinator.runtime;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The log a coordinator's partitions live in (for the group coordinator, {@code __consumer_offsets}),
 * in the coordinator's own record type: the runtime appends to it and loads shards from it.
 *
 * <p>Each partition is appended to by its one shard, in order: a later append never commits before
 * an earlier one. Called on the shard's thread; an implementation must not block it waiting for
 * replication — it returns a future and completes it later, from any thread.
 *
 * @param <R> the record type
 */
public interface CoordinatorLog<R> {

    /**
     * Appends {@code records} as the partition's leader, in one batch, with acks=all semantics.
     *
     * @return a future completed with the offset of the last record once the batch is committed (the
     *         high watermark has passed it), or exceptionally with the
     *         {@link org.apache.kafka.common.errors.ApiException} that failed the append (this broker
     *         no longer leads the partition, not enough in-sync replicas, the batch is too large, …)
     */
    CompletableFuture<Long> append(int partition, List<R> records);

    /**
     * Hands every record of the partition, from its log start to its log end, to {@code visitor} in
     * offset order, and returns the log end offset it read to. Not only the committed records: a new
     * leader's high watermark may trail records its predecessor committed; {@link #awaitCommitted}
     * tells when all of them are. Records that cannot be read are skipped (with a warning).
     *
     * @throws org.apache.kafka.common.errors.ApiException if this node does not lead the partition
     */
    long load(int partition, RecordVisitor<R> visitor);

    /**
     * A future completed once the partition's high watermark has reached {@code offset} (every record
     * before it is committed), or exceptionally with the {@link org.apache.kafka.common.errors.ApiException}
     * that ended the wait (this node no longer leads the partition, …). Never blocks the caller.
     */
    CompletableFuture<Void> awaitCommitted(int partition, long offset);

    /** Receives the records of {@link #load}. */
    @FunctionalInterface
    interface RecordVisitor<R> {
        void visit(long offset, R record);
    }
}
