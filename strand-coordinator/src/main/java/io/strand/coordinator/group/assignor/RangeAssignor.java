package io.strand.coordinator.group.assignor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The {@code range} assignor: for each topic, its subscribers sorted by member id get contiguous
 * ranges of partitions, the first {@code partitions % subscribers} one more than the others — so
 * members subscribed to co-partitioned topics get the same partition numbers of each.
 * Stateless.
 */
public final class RangeAssignor implements ConsumerAssignor {

    public static final String NAME = "range";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Map<String, Map<String, Set<Integer>>> assign(Map<String, Set<String>> subscriptions,
                                                         Map<String, Integer> partitionCounts,
                                                         Map<String, Map<String, Set<Integer>>> previous) {
        Map<String, Map<String, Set<Integer>>> result = new TreeMap<>();
        subscriptions.keySet().forEach(m -> result.put(m, new TreeMap<>()));
        for (Map.Entry<String, Integer> topic : new TreeMap<>(partitionCounts).entrySet()) {
            List<String> subscribers = new ArrayList<>();
            new TreeMap<>(subscriptions).forEach((member, topics) -> {
                if (topics.contains(topic.getKey())) {
                    subscribers.add(member);
                }
            });
            if (subscribers.isEmpty()) {
                continue;
            }
            int partitions = topic.getValue();
            int base = partitions / subscribers.size();
            int extra = partitions % subscribers.size();
            int next = 0;
            for (int i = 0; i < subscribers.size(); i++) {
                int count = base + (i < extra ? 1 : 0);
                Set<Integer> range = new TreeSet<>();
                for (int p = next; p < next + count; p++) {
                    range.add(p);
                }
                next += count;
                if (!range.isEmpty()) {
                    result.get(subscribers.get(i)).put(topic.getKey(), range);
                }
            }
        }
        result.replaceAll((member, assignment) -> Assignments.copyOf(assignment));
        return result;
    }
}
