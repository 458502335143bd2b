package io.strand.broker.group;

import io.strand.broker.txn.CoordinatorMarkerWriter;
import io.strand.coordinator.group.GroupCoordinator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.protocol.Errors;

/**
 * The markers of {@code __consumer_offsets} partitions, which the group coordinator writes itself: a
 * marker is an operation on the partition's shard ({@link GroupCoordinator#completeTransaction}), in
 * order with its other writes, appended as a control batch and applied to the producer's pending
 * offset commits (committed or dropped); the future completes once the marker is committed.
 *
 * <p>Errors as Kafka's broker answers WriteTxnMarkers for its group coordinator: a partition not
 * loaded here (NOT_COORDINATOR), still loading (COORDINATOR_LOAD_IN_PROGRESS) or whose coordinator is
 * unavailable becomes NOT_LEADER_OR_FOLLOWER, which the transaction coordinator retries after looking
 * the leader up again; the log's own errors (INVALID_PRODUCER_EPOCH, TRANSACTION_COORDINATOR_FENCED,
 * NOT_ENOUGH_REPLICAS, …) pass through.
 *
 * <p>Thread-safe: only enqueues work on the coordinator.
 */
public final class GroupMarkerWriter implements CoordinatorMarkerWriter {

    private final GroupCoordinator coordinator;

    public GroupMarkerWriter(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public boolean owns(TopicPartition partition) {
        return Topic.GROUP_METADATA_TOPIC_NAME.equals(partition.topic());
    }

    @Override
    public CompletableFuture<Errors> writeMarker(TopicPartition partition, long producerId, short producerEpoch,
                                                 int coordinatorEpoch, boolean commit) {
        if (!owns(partition)) {
            return CompletableFuture.completedFuture(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
        CompletableFuture<Void> written;
        try {
            written = coordinator.completeTransaction(partition.partition(), producerId, producerEpoch,
                    coordinatorEpoch, commit);
        } catch (RuntimeException e) {
            written = CompletableFuture.failedFuture(e);
        }
        return written.handle((ignored, failure) -> failure == null ? Errors.NONE : markerError(failure));
    }

    /** The error WriteTxnMarkers answers for a marker the coordinator failed to write. */
    static Errors markerError(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        Errors error = Errors.forException(cause);
        return switch (error) {
            case NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE ->
                    Errors.NOT_LEADER_OR_FOLLOWER;
            default -> error;
        };
    }
}
