package io.strand.coordinator.group.assignor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The {@code uniform} assignor's target for members of different subscriptions, computed as Kafka 4.3's
 * general (heterogeneous) builder computes it, so that the same group gets the same assignment from
 * either broker. Balance comes before stickiness:
 *
 * <ol>
 *   <li>every member keeps all of its previous partitions of the topics it still subscribes to (no
 *       quota at this step);</li>
 *   <li>the partitions nobody kept go, topic by topic, to the topic's least loaded subscribers, round
 *       robin over those with the fewest partitions in total, then over the next level, and so on;</li>
 *   <li>each topic with two subscribers or more is then balanced: partitions move, the highest numbered
 *       first, from its most loaded subscribers (counting every topic) to its least loaded ones, until
 *       their totals differ by at most one. Topics are visited again until a whole round moves nothing,
 *       at most 16 rounds; with overlapping subscriptions the totals may stay a little apart.</li>
 * </ol>
 *
 * <p>Order matters, as the assignments are compared exactly: topics are visited by partitions per
 * subscriber (descending), then subscriber count (ascending), then name (Kafka breaks that last tie by
 * topic id, which each cluster draws at random); members are numbered in the iteration order of a
 * {@link HashMap} of their ids (Kafka's group spec is such a map), and every tie between members goes to
 * the lower number. Kafka adds the group's members to that map before the member a heartbeat changed;
 * ids that share a hash bucket may iterate in another order here.
 *
 * <p>Not thread-safe; one instance computes one assignment.
 */
final class UniformHeterogeneousAssignment {

    private static final int MAX_ROUNDS = 16;

    private final Map<String, Integer> partitionCounts;
    /** Member ids by number. */
    private final List<String> members;
    /** Topic → its subscribers' numbers, ascending. */
    private final Map<String, List<Integer>> subscribers = new TreeMap<>();
    /** Topic → partition → owner's number, -1 while unassigned. */
    private final Map<String, int[]> owners = new HashMap<>();
    /** Member number → its number of partitions in the target. */
    private final int[] loads;
    private final Comparator<String> topicOrder;
    private final Comparator<Integer> memberOrder;

    UniformHeterogeneousAssignment(Map<String, Set<String>> subscriptions, Map<String, Integer> partitionCounts) {
        this.partitionCounts = partitionCounts;
        this.members = UniformAssignor.kafkaMemberOrder(subscriptions.keySet());
        this.loads = new int[members.size()];
        for (int m = 0; m < members.size(); m++) {
            for (String topic : subscriptions.get(members.get(m))) {
                Integer count = partitionCounts.get(topic);
                if (count != null) {
                    subscribers.computeIfAbsent(topic, t -> new ArrayList<>()).add(m);
                }
            }
        }
        subscribers.forEach((topic, list) -> {
            int[] byPartition = new int[partitionCounts.get(topic)];
            Arrays.fill(byPartition, -1);
            owners.put(topic, byPartition);
        });
        this.topicOrder = Comparator
                .comparingDouble((String t) -> -(double) partitionCounts.get(t) / subscribers.get(t).size())
                .thenComparingInt(t -> subscribers.get(t).size())
                .thenComparing(Comparator.naturalOrder());
        this.memberOrder = Comparator.comparingInt((Integer m) -> loads[m]).thenComparingInt(m -> m);
    }

    /** Member id → its partitions, an entry for every member. */
    Map<String, Map<String, Set<Integer>>> assign(Map<String, Map<String, Set<Integer>>> previous) {
        if (!subscribers.isEmpty()) {
            keepPrevious(previous);
            assignUnowned();
            balance();
        }
        Map<String, Map<String, Set<Integer>>> out = new TreeMap<>();
        members.forEach(m -> out.put(m, new TreeMap<>()));
        owners.forEach((topic, byPartition) -> {
            for (int p = 0; p < byPartition.length; p++) {
                if (byPartition[p] >= 0) {
                    out.get(members.get(byPartition[p])).computeIfAbsent(topic, t -> new TreeSet<>()).add(p);
                }
            }
        });
        out.replaceAll((member, assignment) -> Assignments.copyOf(assignment));
        return out;
    }

    private void keepPrevious(Map<String, Map<String, Set<Integer>>> previous) {
        for (int m = 0; m < members.size(); m++) {
            for (Map.Entry<String, Set<Integer>> e : previous.getOrDefault(members.get(m), Assignments.EMPTY)
                    .entrySet()) {
                List<Integer> topicSubscribers = subscribers.get(e.getKey());
                if (topicSubscribers == null || !topicSubscribers.contains(m)) {
                    continue;
                }
                int[] byPartition = owners.get(e.getKey());
                for (int p : e.getValue()) {
                    if (p >= 0 && p < byPartition.length && byPartition[p] < 0) {
                        byPartition[p] = m;
                        loads[m]++;
                    }
                }
            }
        }
    }

    private void assignUnowned() {
        List<String> topics = new ArrayList<>();
        owners.forEach((topic, byPartition) -> {
            if (Arrays.stream(byPartition).anyMatch(o -> o < 0)) {
                topics.add(topic);
            }
        });
        topics.sort(topicOrder);
        Levels levels = new Levels();
        for (String topic : topics) {
            levels.reset(subscribers.get(topic));
            int[] byPartition = owners.get(topic);
            for (int p = 0; p < byPartition.length; p++) {
                if (byPartition[p] < 0) {
                    move(topic, p, levels.nextLeastLoaded());
                }
            }
        }
    }

    private void balance() {
        List<String> topics = new ArrayList<>();
        subscribers.forEach((topic, list) -> {
            if (list.size() >= 2) {
                topics.add(topic);
            }
        });
        if (topics.isEmpty()) {
            return;
        }
        topics.sort(topicOrder);
        Levels levels = new Levels();
        int lastMoved = -1;
        for (int round = 0; round < MAX_ROUNDS; round++) {
            for (int t = 0; t < topics.size(); t++) {
                if (t == lastMoved) {
                    return; // a whole round since this topic moved anything
                }
                if (balanceTopic(topics.get(t), levels) > 0 || lastMoved == -1) {
                    lastMoved = t;
                }
            }
        }
    }

    /** Moves partitions of one topic from its most loaded subscribers to its least loaded; how many moved. */
    private int balanceTopic(String topic, Levels levels) {
        if (levels.reset(subscribers.get(topic)) <= 1) {
            return 0;
        }
        int[] byPartition = owners.get(topic);
        // The topic's partitions grouped by owner (by number), each owner's in ascending order; an owner
        // gives up the last of its range first.
        List<Integer> partitions = new ArrayList<>();
        for (int p = 0; p < byPartition.length; p++) {
            partitions.add(p);
        }
        partitions.sort(Comparator.comparingInt((Integer p) -> byPartition[p]).thenComparingInt(p -> p));
        Map<Integer, Integer> rangeStart = new HashMap<>();
        Map<Integer, Integer> rangeEnd = new HashMap<>();
        for (int i = 0; i < partitions.size(); i++) {
            int owner = byPartition[partitions.get(i)];
            rangeStart.putIfAbsent(owner, i);
            rangeEnd.put(owner, i + 1);
        }
        int moved = 0;
        while (!levels.balanced()) {
            int giver;
            while (true) {
                giver = levels.nextMostLoaded();
                if (giver < 0) {
                    break;
                }
                if (rangeEnd.containsKey(giver) && rangeEnd.get(giver) - rangeStart.get(giver) > 0) {
                    break;
                }
                levels.excludeLastMostLoaded(); // nothing of this topic to give
            }
            if (giver < 0) {
                break;
            }
            int end = rangeEnd.get(giver) - 1;
            int partition = partitions.get(end);
            rangeEnd.put(giver, end);
            int taker = levels.nextLeastLoaded();
            if (levels.balanced()) {
                break;
            }
            move(topic, partition, taker);
            moved++;
        }
        return moved;
    }

    private void move(String topic, int partition, int member) {
        int[] byPartition = owners.get(topic);
        if (byPartition[partition] >= 0) {
            loads[byPartition[partition]]--;
        }
        byPartition[partition] = member;
        loads[member]++;
    }

    /**
     * One topic's subscribers sorted by load, with two cursors: the least loaded level, handed out round
     * robin and rising a level once each of its members has had one more; and the most loaded level,
     * taken from round robin from the top and falling a level likewise. Loads are read live, so a
     * member's place reflects what was moved since {@link #reset}.
     */
    private final class Levels {
        private final List<Integer> sorted = new ArrayList<>();
        /** [0, leastEnd): the least loaded members; leastLevel their load before this round. */
        private int leastEnd;
        private int leastLevel;
        private int nextLeast;
        /** [mostStart, mostEnd): the most loaded members; mostLevel their load before this round. */
        private int mostStart;
        private int mostEnd;
        private int mostLevel;
        private int nextMost;

        /** Starts over with these members; the spread of their loads. */
        int reset(List<Integer> topicSubscribers) {
            sorted.clear();
            sorted.addAll(topicSubscribers);
            sorted.sort(memberOrder);
            int n = sorted.size();
            leastEnd = 0;
            leastLevel = loads[sorted.get(0)] - 1;
            nextLeast = 0;
            mostStart = n;
            mostEnd = n;
            mostLevel = loads[sorted.get(n - 1)] + 1;
            nextMost = n - 1;
            return loads[sorted.get(n - 1)] - loads[sorted.get(0)];
        }

        int nextLeastLoaded() {
            if (nextLeast >= leastEnd) {
                leastLevel++;
                while (leastEnd < sorted.size() && loads[sorted.get(leastEnd)] == leastLevel) {
                    leastEnd++;
                }
                nextLeast = 0;
            }
            return sorted.get(nextLeast++);
        }

        /** The next member to take a partition from, or -1 if none is left. */
        int nextMostLoaded() {
            if (nextMost < mostStart) {
                if (mostEnd <= mostStart && mostStart > 0) {
                    // every member of the level was excluded: start from the load just below it
                    mostLevel = loads[sorted.get(mostStart - 1)];
                } else {
                    mostLevel--;
                }
                while (mostStart > 0 && loads[sorted.get(mostStart - 1)] == mostLevel) {
                    mostStart--;
                }
                nextMost = mostEnd - 1;
            }
            if (nextMost < 0) {
                return -1;
            }
            return sorted.get(nextMost--);
        }

        /** Takes the member {@link #nextMostLoaded} returned last out of the most loaded level. */
        void excludeLastMostLoaded() {
            int member = sorted.get(nextMost + 1);
            sorted.set(nextMost + 1, sorted.get(mostEnd - 1));
            sorted.set(mostEnd - 1, member);
            mostEnd--;
        }

        boolean balanced() {
            return mostLevel - leastLevel <= 1;
        }
    }
}
