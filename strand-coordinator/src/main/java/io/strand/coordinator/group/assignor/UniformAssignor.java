package io.strand.coordinator.group.assignor;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.TopicPartition;

/**
 * The {@code uniform} assignor (the default): every partition of the subscribed topics goes to one
 * subscriber, as evenly as possible over the members, and sticky — a member keeps the partitions it
 * had as long as that keeps the balance.
 *
 * <p>Two steps: (1) each member keeps its previous partitions that it still subscribes to, up to
 * its quota ({@code floor(total / members)}, one more for the first {@code total % members} members
 * in order of how many they had); (2) every partition left goes to the eligible subscriber holding
 * the fewest partitions (ties by member id). With equal subscriptions the result is balanced to
 * within one partition. Members of different subscriptions get the assignment of Kafka's general
 * builder ({@link UniformHeterogeneousAssignment}), which balances each topic's partitions over the
 * members that may take it, moving partitions where keeping them would leave the totals apart.
 * Stateless.
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
        return assignHomogeneous(subscriptions, partitionCounts, previous);
    }

    private static Map<String, Map<String, Set<Integer>>> assignHomogeneous(
            Map<String, Set<String>> subscriptions, Map<String, Integer> partitionCounts,
            Map<String, Map<String, Set<Integer>>> previous) {
        Map<String, Map<String, Set<Integer>>> result = new TreeMap<>();
        Map<String, Integer> counts = new TreeMap<>();
        subscriptions.keySet().forEach(m -> {
            result.put(m, new TreeMap<>());
            counts.put(m, 0);
        });
        if (subscriptions.isEmpty()) {
            return result;
        }
        List<TopicPartition> all = new ArrayList<>();
        new TreeMap<>(partitionCounts).forEach((topic, n) -> {
            if (subscriptions.values().stream().anyMatch(s -> s.contains(topic))) {
                for (int p = 0; p < n; p++) {
                    all.add(new TopicPartition(topic, p));
                }
            }
        });
        int members = subscriptions.size();
        int minQuota = all.size() / members;
        int withExtra = all.size() % members;
        List<String> byPreviousSize = new ArrayList<>(new TreeSet<>(subscriptions.keySet()));
        byPreviousSize.sort(Comparator.comparingInt((String m) ->
                -Assignments.size(previous.getOrDefault(m, Assignments.EMPTY))));
        Set<TopicPartition> taken = new java.util.HashSet<>();
        for (String member : byPreviousSize) {
            int quota = minQuota + (withExtra > 0 ? 1 : 0);
            int kept = 0;
            for (Map.Entry<String, Set<Integer>> e : previous.getOrDefault(member, Assignments.EMPTY).entrySet()) {
                String topic = e.getKey();
                if (!subscriptions.get(member).contains(topic) || !partitionCounts.containsKey(topic)) {
                    continue;
                }
                for (int p : e.getValue()) {
                    TopicPartition tp = new TopicPartition(topic, p);
                    if (kept < quota && p < partitionCounts.get(topic) && taken.add(tp)) {
                        result.get(member).computeIfAbsent(topic, t -> new TreeSet<>()).add(p);
                        kept++;
                    }
                }
            }
            counts.put(member, kept);
            if (kept > minQuota) {
                withExtra--;
            }
        }
        for (TopicPartition tp : all) {
            if (taken.contains(tp)) {
                continue;
            }
            String best = null;
            for (Map.Entry<String, Integer> c : counts.entrySet()) {
                if (subscriptions.get(c.getKey()).contains(tp.topic())
                        && (best == null || c.getValue() < counts.get(best))) {
                    best = c.getKey();
                }
            }
            if (best != null) {
                result.get(best).computeIfAbsent(tp.topic(), t -> new TreeSet<>()).add(tp.partition());
                counts.merge(best, 1, Integer::sum);
            }
        }
        result.replaceAll((member, assignment) -> Assignments.copyOf(assignment));
        return result;
    }
}
