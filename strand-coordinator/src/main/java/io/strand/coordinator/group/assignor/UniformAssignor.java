package io.strand.coordinator.group.assignor;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code uniform} assignor (the default): every partition of the subscribed topics goes to one
 * subscriber, as evenly as possible over the members, and sticky — a member keeps the partitions it
 * had as long as that keeps the balance. Each case is computed as Kafka's builder for it computes it:
 * members of the same subscriptions by {@link UniformHomogeneousAssignment} (balanced to within one
 * partition; members keep their previous partitions up to a quota), members of different subscriptions by
 * {@link UniformHeterogeneousAssignment} (each topic's partitions balanced over the members that may take
 * it, moving partitions where keeping them would leave the totals apart). Stateless.
 */
public final class UniformAssignor implements ConsumerAssignor {

    public static final String NAME = "uniform";

    @Override
    public String name() {
        return NAME;
    }

    /** Homogeneous when every member subscribes to the same topics. */
    @Override
    public Map<String, Map<String, Set<Integer>>> assign(Map<String, Set<String>> subscriptions,
                                                         Map<String, Integer> partitionCounts,
                                                         Map<String, Map<String, Set<Integer>>> previous) {
        return assign(subscriptions, partitionCounts, previous,
                subscriptions.values().stream().distinct().count() <= 1);
    }

    @Override
    public Map<String, Map<String, Set<Integer>>> assign(Map<String, Set<String>> subscriptions,
                                                         Map<String, Integer> partitionCounts,
                                                         Map<String, Map<String, Set<Integer>>> previous,
                                                         boolean homogeneous) {
        if (!homogeneous) {
            return new UniformHeterogeneousAssignment(subscriptions, partitionCounts).assign(previous);
        }
        return UniformHomogeneousAssignment.assign(subscriptions, partitionCounts, previous);
    }

    /**
     * Member ids in the order Kafka's assignors visit them: the iteration order of a default
     * {@link HashMap} filled one by one (its capacity, and so its order, follows the size), as Kafka's group
     * spec is such a map.
     */
    static List<String> kafkaMemberOrder(Collection<String> memberIds) {
        Map<String, Boolean> byHash = new HashMap<>();
        memberIds.forEach(m -> byHash.put(m, Boolean.TRUE));
        return new ArrayList<>(byHash.keySet());
    }
}
