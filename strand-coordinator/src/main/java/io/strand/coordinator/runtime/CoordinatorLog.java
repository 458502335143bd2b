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
     * Appends {@code records} as {@link #append} does, in one transactional batch of the producer
     * {@code producerId} at {@code producerEpoch}: they take effect when the producer's commit marker
     * follows. Written as a coordinator writes on a producer's behalf: the epoch is checked against the
     * partition's producer state (an older one fails the append with INVALID_PRODUCER_EPOCH), sequence
     * numbers are not. A log of a coordinator without transactional writes fails the append.
     */
    default CompletableFuture<Long> appendTransactional(int partition, long producerId, short producerEpoch,
                                                        List<R> records) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException(
                "This coordinator log takes no transactional writes: partition=" + partition));
    }

    /**
     * Appends a commit or abort marker (a control batch) of the producer, as the partition's leader with
     * acks=all semantics, completing with its offset once committed, or exceptionally with the
     * {@link org.apache.kafka.common.errors.ApiException} that failed it (not the leader, an older
     * producer epoch, an older coordinator epoch: TRANSACTION_COORDINATOR_FENCED, …). A log of a
     * coordinator without transactional writes fails the append.
     */
    default CompletableFuture<Long> appendMarker(int partition, long producerId, short producerEpoch,
                                                 int coordinatorEpoch, boolean commit) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException(
                "This coordinator log takes no transaction markers: partition=" + partition));
    }

    /**
     * Hands every record of the partition, from its log start to its log end, to {@code visitor} in
     * offset order, and returns the log end offset it read to. Not only the committed records: a new
     * leader's high watermark may trail records its predecessor committed; {@link #awaitCommitted}
     * tells when all of them are. Records that cannot be read are skipped (with a warning). Records of a
     * transactional batch go to {@link RecordVisitor#visitTransactional}, markers to
     * {@link RecordVisitor#visitMarker}.
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

        /** A record written outside any transaction. */
        void visit(long offset, R record);

        /** A record of a transactional batch of {@code producerId}; by default a visitor cannot take one. */
        default void visitTransactional(long offset, long producerId, short producerEpoch, R record) {
            throw new IllegalStateException("No transactional records expected: offset=" + offset
                    + " producerId=" + producerId);
        }

        /** A commit or abort marker of {@code producerId}; by default ignored. */
        default void visitMarker(long offset, long producerId, short producerEpoch, boolean commit) {
        }

        /** Replays every record and marker into {@code shard}. */
        static <R> RecordVisitor<R> replayingInto(CoordinatorShard<R> shard) {
            return new RecordVisitor<>() {
                @Override
                public void visit(long offset, R record) {
                    shard.replay(offset, record);
                }

                @Override
                public void visitTransactional(long offset, long producerId, short producerEpoch, R record) {
                    shard.replay(offset, producerId, producerEpoch, record);
                }

                @Override
                public void visitMarker(long offset, long producerId, short producerEpoch, boolean commit) {
                    shard.replayEndTransactionMarker(offset, producerId, producerEpoch, commit);
                }
            };
        }
    }
}
