package io.strand.coordinator.txn;

import io.strand.coordinator.runtime.CoordinatorResult;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.TransactionResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The second phase of a transaction: for each transaction in PrepareCommit or PrepareAbort whose
 * record is committed, the markers handed to the {@link TransactionMarkerChannel}, the partitions
 * still waiting for theirs, and the CompleteCommit/CompleteAbort record once none is left.
 *
 * <p>What is tracked here is not durable and need not be: a shard loaded from the log finds the
 * transaction still in its Prepare state and sends the markers again ({@link #start} from
 * {@code onLoaded}); writing a marker twice is harmless.
 *
 * <p>A marker's outcome arrives on the channel's thread and is scheduled as an operation of the
 * partition's shard ({@link #onPartitionDone}); an outcome meant for a shard that has since been
 * unloaded, or for markers no longer waited for, finds no matching entry here and is dropped.
 *
 * <p>Not thread-safe: owned by the shard's thread.
 */
final class MarkerTracker {

    private static final Logger LOG = LoggerFactory.getLogger(MarkerTracker.class);

    /** One transaction's markers in flight; identity tells a completion for it from a stale one. */
    static final class Pending {
        final TransactionMetadata prepared;
        final TransactionMarkers markers;
        final Set<TopicPartition> remaining;
        /** Completed when this entry stops being tracked: the Complete record computed, or the markers given up. */
        final CompletableFuture<Void> settled = new CompletableFuture<>();

        private Pending(TransactionMetadata prepared, TransactionMarkers markers) {
            this.prepared = prepared;
            this.markers = markers;
            this.remaining = new HashSet<>(prepared.partitions());
        }
    }

    private final TxnShardContext context;
    private final TransactionStore store;
    private final Map<String, Pending> pending = new HashMap<>();

    MarkerTracker(TxnShardContext context, TransactionStore store) {
        this.context = context;
        this.store = store;
    }

    /**
     * Sends the markers of {@code transactionalId}, whose committed state is {@code prepared}
     * (PrepareCommit or PrepareAbort). A transaction without partitions (an abort with transactions
     * v2 when nothing was added) completes at once, through a scheduled operation.
     */
    void start(String transactionalId, TransactionMetadata prepared) {
        if (!prepared.state().isPrepare() || !prepared.equals(store.get(transactionalId))) {
            LOG.warn("Not sending markers for transactionalId {} of __transaction_state-{}: its state {} is not the "
                    + "prepared one {}", transactionalId, context.partition(), store.get(transactionalId), prepared);
            return;
        }
        TransactionResult result = prepared.state() == TransactionState.PREPARE_COMMIT ? TransactionResult.COMMIT
                : TransactionResult.ABORT;
        TransactionMarkers markers = new TransactionMarkers(transactionalId, context.partition(),
                prepared.producerId(), prepared.producerEpoch(), context.coordinatorEpoch(), result,
                prepared.clientTransactionVersion(), prepared.partitions());
        Pending entry = new Pending(prepared, markers);
        Pending replaced = pending.put(transactionalId, entry);
        if (replaced != null) {
            replaced.settled.complete(null);
            LOG.info("Replacing the markers in flight for transactionalId {}: {}", transactionalId, replaced.markers);
        }
        if (entry.remaining.isEmpty()) {
            context.scheduler().schedule(context.partition(), "txn-complete",
                    shard -> shard.markerTracker().maybeComplete(transactionalId, entry));
            return;
        }
        send(transactionalId, entry, markers);
    }

    private void send(String transactionalId, Pending entry, TransactionMarkers markers) {
        context.markerChannel().send(markers, (partition, error) -> context.scheduler().schedule(context.partition(),
                "txn-marker-done", shard -> shard.markerTracker().onPartitionDone(transactionalId, entry, partition,
                        error)));
    }

    /**
     * One partition's marker outcome (see {@link TransactionMarkerChannel} for what each error means):
     * the Complete record once the last partition is done, else nothing.
     */
    CoordinatorResult<Void, TransactionRecord> onPartitionDone(String transactionalId, Pending entry,
                                                               TopicPartition partition, Errors error) {
        if (pending.get(transactionalId) != entry) {
            return CoordinatorResult.empty();
        }
        switch (error) {
            case NONE -> entry.remaining.remove(partition);
            case UNKNOWN_TOPIC_OR_PARTITION, UNSUPPORTED_FOR_MESSAGE_FORMAT, UNSUPPORTED_VERSION -> {
                LOG.info("Transaction marker of transactionalId {} for {} not written ({}); the partition no longer "
                        + "waits for it", transactionalId, partition, error.name());
                entry.remaining.remove(partition);
            }
            case INVALID_PRODUCER_EPOCH, TRANSACTION_COORDINATOR_FENCED -> {
                LOG.info("Transaction marker of transactionalId {} for {} failed with {}; no more markers are sent for "
                        + "it with coordinator epoch {}", transactionalId, partition, error.name(),
                        context.coordinatorEpoch());
                stopTracking(transactionalId, entry);
                return CoordinatorResult.empty();
            }
            default -> {
                if (error.exception() instanceof org.apache.kafka.common.errors.RetriableException) {
                    LOG.warn("Transaction marker channel reported retriable {} for {} of transactionalId {}; sending "
                            + "again", error.name(), partition, transactionalId);
                    send(transactionalId, entry, withPartitions(entry.markers, Set.of(partition)));
                    return CoordinatorResult.empty();
                }
                LOG.error("Transaction marker of transactionalId {} for {} failed with unexpected {}; the transaction "
                        + "stays {} until __transaction_state-{} is loaded again", transactionalId, partition,
                        error.name(), entry.prepared.state().stateName(), context.partition());
                stopTracking(transactionalId, entry);
                return CoordinatorResult.empty();
            }
        }
        return maybeComplete(transactionalId, entry);
    }

    /** The Complete record of {@code entry}'s transaction if no partition waits for a marker any more. */
    CoordinatorResult<Void, TransactionRecord> maybeComplete(String transactionalId, Pending entry) {
        if (pending.get(transactionalId) != entry || !entry.remaining.isEmpty()) {
            return CoordinatorResult.empty();
        }
        stopTracking(transactionalId, entry);
        TransactionMetadata current = store.get(transactionalId);
        if (!entry.prepared.equals(current)) {
            LOG.warn("Not completing transactionalId {}: its state changed from {} to {} while markers were written",
                    transactionalId, entry.prepared, current);
            return CoordinatorResult.empty();
        }
        TransactionMetadata completed = current.complete(transactionalId, context.nowMs());
        return CoordinatorResult.of(List.of(new TransactionRecord(transactionalId, completed)), null);
    }

    /** True while markers of {@code transactionalId} are being written. */
    boolean isPending(String transactionalId) {
        return pending.containsKey(transactionalId);
    }

    /**
     * Completes once the markers of {@code transactionalId} now in flight stop being tracked (their
     * Complete record computed, or the markers given up); completed already if none are in flight. It
     * completes on the shard's thread, inside the operation that computes that record: a waiter must
     * only schedule work from there, and an operation it schedules on the shard runs after that one
     * and sees the state the record leaves.
     */
    CompletableFuture<Void> whenSettled(String transactionalId) {
        Pending entry = pending.get(transactionalId);
        return entry == null ? CompletableFuture.completedFuture(null) : entry.settled.copy();
    }

    private void stopTracking(String transactionalId, Pending entry) {
        pending.remove(transactionalId);
        entry.settled.complete(null);
    }

    /** Stops waiting for every marker and lets the channel drop what it has not sent. */
    void cancelAll() {
        pending.values().forEach(entry -> entry.settled.complete(null));
        pending.clear();
        context.markerChannel().cancel(context.partition());
    }

    private static TransactionMarkers withPartitions(TransactionMarkers markers, Set<TopicPartition> partitions) {
        return new TransactionMarkers(markers.transactionalId(), markers.transactionStatePartition(),
                markers.producerId(), markers.producerEpoch(), markers.coordinatorEpoch(), markers.result(),
                markers.transactionVersion(), partitions);
    }
}
