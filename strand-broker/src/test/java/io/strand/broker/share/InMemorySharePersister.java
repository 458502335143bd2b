package io.strand.broker.share;

import io.strand.coordinator.share.StateBatch;
import io.strand.coordinator.share.StateBatches;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.protocol.Errors;

/** A {@link SharePersister} keeping states in a map, combining writes as the share coordinator does. */
final class InMemorySharePersister implements SharePersister {

    private final Map<String, PersistedState> states = new ConcurrentHashMap<>();

    private static String key(String groupId, TopicIdPartition tip) {
        return groupId + ":" + tip.topicId() + ":" + tip.partition();
    }

    PersistedState state(String groupId, TopicIdPartition tip) {
        return states.get(key(groupId, tip));
    }

    @Override
    public CompletableFuture<PersistedState> read(String groupId, TopicIdPartition tip, int leaderEpoch) {
        return CompletableFuture.completedFuture(states.getOrDefault(key(groupId, tip), PersistedState.UNINITIALIZED));
    }

    @Override
    public CompletableFuture<Void> initialize(String groupId, TopicIdPartition tip, int stateEpoch, long startOffset) {
        states.put(key(groupId, tip), new PersistedState(stateEpoch, startOffset, List.of()));
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Errors> write(String groupId, TopicIdPartition tip, int stateEpoch, int leaderEpoch,
                                           long startOffset, int deliveryCompleteCount, List<StateBatch> batches) {
        states.computeIfPresent(key(groupId, tip), (k, current) -> new PersistedState(current.stateEpoch(),
                startOffset, StateBatches.combine(current.batches(), batches, startOffset)));
        return CompletableFuture.completedFuture(Errors.NONE);
    }

    @Override
    public CompletableFuture<StateSummary> readSummary(String groupId, TopicIdPartition tip) {
        PersistedState state = states.get(key(groupId, tip));
        return CompletableFuture.completedFuture(state == null ? new StateSummary(0, 0, -1, -1)
                : new StateSummary(state.stateEpoch(), 0, state.startOffset(), 0));
    }

    @Override
    public CompletableFuture<Errors> delete(String groupId, TopicIdPartition tip) {
        states.remove(key(groupId, tip));
        return CompletableFuture.completedFuture(Errors.NONE);
    }
}
