package io.strand.coordinator.group.assignor;

import java.util.Map;
import java.util.Set;

/**
 * A server-side assignor of consumer-protocol groups: spreads the partitions of the subscribed
 * topics over the members. Implementations are pure and deterministic (members and partitions are
 * visited in a fixed order: sorted, or the hash order Kafka's assignor follows), so the same input always
 * gives the same target assignment.
 */
public interface ConsumerAssignor {

    /** The name members ask for in {@code serverAssignor} and {@code group.consumer.assignors} lists. */
    String name();

    /**
     * @param subscriptions   member id to the topics it subscribes to (existing topics only)
     * @param partitionCounts topic name to its number of partitions
     * @param previous        the current target assignment, for stickiness
     * @return member id to its partitions, with an entry for every member
     */
    Map<String, Map<String, Set<Integer>>> assign(Map<String, Set<String>> subscriptions,
                                                  Map<String, Integer> partitionCounts,
                                                  Map<String, Map<String, Set<Integer>>> previous);

    /**
     * As {@link #assign(Map, Map, Map)}, told whether the group's subscriptions are homogeneous as Kafka
     * counts them ({@code homogeneous}: every member subscribes by name to the same topics, existing or
     * not, or all by one same regular expression), which decides the algorithm of some assignors.
     */
    default Map<String, Map<String, Set<Integer>>> assign(Map<String, Set<String>> subscriptions,
                                                          Map<String, Integer> partitionCounts,
                                                          Map<String, Map<String, Set<Integer>>> previous,
                                                          boolean homogeneous) {
        return assign(subscriptions, partitionCounts, previous);
    }

    /** The assignor named {@code name}, or null if there is none. */
    static ConsumerAssignor named(String name) {
        return switch (name) {
            case UniformAssignor.NAME -> new UniformAssignor();
            case RangeAssignor.NAME -> new RangeAssignor();
            default -> null;
        };
    }
}
