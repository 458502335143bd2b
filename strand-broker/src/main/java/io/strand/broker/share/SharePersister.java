package io.strand.broker.share;

import io.strand.coordinator.share.StateBatch;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * Where a partition leader keeps its share-partitions' state durable (Kafka's {@code Persister}): the
 * share coordinator, through the share-state APIs. Implementations never block the caller; calls for one
 * share-partition are carried out in the order they are made.
 */
public interface SharePersister {

    /** A share-partition's state as read back: its state epoch, start offset and in-flight batches. */
    record PersistedState(int stateEpoch, long startOffset, List<StateBatch> batches) {

        /** A share-partition never initialized. */
        public static final PersistedState UNINITIALIZED = new PersistedState(0, -1, List.of());

        public PersistedState {
            batches = List.copyOf(batches);
        }

        public boolean initialized() {
            return startOffset >= 0;
        }
    }

    /**
     * A share-partition's state in short (ReadShareGroupStateSummary): its epochs, start offset (-1 if never
     * initialized) and the number of records delivered or archived past it (-1 if not known).
     */
    record StateSummary(int stateEpoch, int leaderEpoch, long startOffset, int deliveryCompleteCount) {

        public boolean initialized() {
            return startOffset >= 0;
        }
    }

    /** Keeps nothing: every share-partition reads as never initialized and every write succeeds. */
    SharePersister NONE = new SharePersister() {
        @Override
        public CompletableFuture<PersistedState> read(String groupId, TopicIdPartition tip, int leaderEpoch) {
            return CompletableFuture.completedFuture(PersistedState.UNINITIALIZED);
        }

        @Override
        public CompletableFuture<Void> initialize(String groupId, TopicIdPartition tip, int stateEpoch,
                                                  long startOffset) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Errors> write(String groupId, TopicIdPartition tip, int stateEpoch, int leaderEpoch,
                                               long startOffset, int deliveryCompleteCount, List<StateBatch> batches) {
            return CompletableFuture.completedFuture(Errors.NONE);
        }

        @Override
        public CompletableFuture<StateSummary> readSummary(String groupId, TopicIdPartition tip) {
            return CompletableFuture.completedFuture(new StateSummary(0, 0, -1, -1));
        }

        @Override
        public CompletableFuture<Errors> delete(String groupId, TopicIdPartition tip) {
            return CompletableFuture.completedFuture(Errors.NONE);
        }
    };

    /**
     * The state of the group's share-partition as a leader of {@code leaderEpoch} reads it (the coordinator
     * then fences older leaders); {@link PersistedState#UNINITIALIZED} if it was never initialized. Fails
     * with the {@link org.apache.kafka.common.errors.ApiException} of the error that ended it.
     */
    CompletableFuture<PersistedState> read(String groupId, TopicIdPartition tip, int leaderEpoch);

    /** Initializes the share-partition's state at {@code startOffset} with no in-flight records. */
    CompletableFuture<Void> initialize(String groupId, TopicIdPartition tip, int stateEpoch, long startOffset);

    /**
     * Writes the start offset and the changed in-flight batches; completes with the error the coordinator
     * answered (NONE once the state is committed), never exceptionally.
     */
    CompletableFuture<Errors> write(String groupId, TopicIdPartition tip, int stateEpoch, int leaderEpoch,
                                    long startOffset, int deliveryCompleteCount, List<StateBatch> batches);

    /**
     * The share-partition's state in short, without fencing anyone (start offset -1 if it was never
     * initialized). Fails with the {@link org.apache.kafka.common.errors.ApiException} of the error that ended it.
     */
    CompletableFuture<StateSummary> readSummary(String groupId, TopicIdPartition tip);

    /** Deletes the share-partition's state; completes with the error the coordinator answered, never exceptionally. */
    CompletableFuture<Errors> delete(String groupId, TopicIdPartition tip);
}
