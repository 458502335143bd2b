package io.strand.coordinator.group.assignor;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Set algebra on assignments: topic name to partition indexes. Every result is an unmodifiable,
 * sorted map of sorted sets without empty topics, so two equal assignments are {@code equals}.
 */
public final class Assignments {

    public static final Map<String, Set<Integer>> EMPTY = Map.of();

    private Assignments() {
    }

    public static Map<String, Set<Integer>> copyOf(Map<String, ? extends Collection<Integer>> source) {
        TreeMap<String, Set<Integer>> out = new TreeMap<>();
        source.forEach((topic, partitions) -> {
            if (!partitions.isEmpty()) {
                out.put(topic, Collections.unmodifiableSet(new TreeSet<>(partitions)));
            }
        });
        return Collections.unmodifiableMap(out);
    }

    public static Set<Integer> partitions(Map<String, Set<Integer>> assignment, String topic) {
        return assignment.getOrDefault(topic, Set.of());
    }

    public static boolean contains(Map<String, Set<Integer>> assignment, String topic, int partition) {
        return partitions(assignment, topic).contains(partition);
    }

    public static int size(Map<String, Set<Integer>> assignment) {
        return assignment.values().stream().mapToInt(Set::size).sum();
    }

    /** True if every partition of {@code subset} is in {@code superset}. */
    public static boolean isSubset(Map<String, Set<Integer>> subset, Map<String, Set<Integer>> superset) {
        return subset.entrySet().stream().allMatch(e -> partitions(superset, e.getKey()).containsAll(e.getValue()));
    }

    /** True if the two share a partition. */
    public static boolean intersects(Map<String, Set<Integer>> a, Map<String, Set<Integer>> b) {
        return a.entrySet().stream().anyMatch(e -> partitions(b, e.getKey()).stream().anyMatch(e.getValue()::contains));
    }
}
