package io.strand.coordinator.group.assignor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.coordinator.group.api.assignor.GroupAssignment;
import org.apache.kafka.coordinator.group.api.assignor.MemberAssignment;
import org.apache.kafka.coordinator.group.api.assignor.SubscribedTopicDescriber;
import org.apache.kafka.coordinator.group.api.assignor.SubscriptionType;
import org.apache.kafka.coordinator.group.modern.Assignment;
import org.apache.kafka.coordinator.group.modern.GroupSpecImpl;
import org.apache.kafka.coordinator.group.modern.MemberSubscriptionAndAssignmentImpl;
import org.junit.jupiter.api.Test;

/**
 * The uniform assignor gives, for random groups (members, subscriptions, partition counts and previous
 * targets), exactly Kafka 4.3.1's assignment: with members of different subscriptions (some partitions held
 * by members no longer subscribed to them), and with members of one subscription (previous targets random,
 * or Kafka's own for the group before members joined and left, and holding partitions of a topic the group
 * no longer subscribes to). Kafka's topic ids are chosen so that both their order and their hash order are
 * the order of the topics' names, and its members are put in its hash map in the order Strand's are, so
 * that neither tie depends on what a cluster draws at random. A member's previous partitions of a topic are
 * given to Kafka as it rebuilds them from its records, a {@code HashSet} filled in ascending order.
 */
class UniformAssignorMatchesKafkaTest {

    @Test
    void heterogeneousAssignmentsAreKafkasForRandomGroups() {
        for (long seed = 0; seed < 2_000; seed++) {
            Random random = new Random(seed);
            int topicCount = 1 + random.nextInt(4);
            int memberCount = 1 + random.nextInt(seed % 10 == 0 ? 20 : 6);
            Map<String, Integer> counts = new TreeMap<>();
            for (int t = 0; t < topicCount; t++) {
                counts.put("t" + t, 1 + random.nextInt(random.nextBoolean() ? 4 : 12));
            }
            List<String> members = new ArrayList<>();
            for (int m = 0; m < memberCount; m++) {
                members.add(Long.toString(random.nextLong() & 0xffffffL, 36) + "-" + m);
            }
            Map<String, Set<String>> subscriptions = new TreeMap<>();
            for (String member : members) {
                Set<String> topics = new TreeSet<>();
                counts.keySet().stream().filter(t -> random.nextInt(3) > 0).forEach(topics::add);
                subscriptions.put(member, topics);
            }
            Map<String, Map<String, Set<Integer>>> previous = new TreeMap<>();
            counts.forEach((topic, n) -> {
                for (int p = 0; p < n; p++) {
                    if (random.nextInt(3) > 0) {
                        previous.computeIfAbsent(members.get(random.nextInt(memberCount)), m -> new TreeMap<>())
                                .computeIfAbsent(topic, t -> new TreeSet<>()).add(p);
                    }
                }
            });

            Map<String, Map<String, Set<Integer>>> strand =
                    new UniformAssignor().assign(subscriptions, counts, previous, false);

            assertThat(strand).as("seed %d: %s %s %s", seed, subscriptions, counts, previous)
                    .isEqualTo(kafka(subscriptions, counts, previous, SubscriptionType.HETEROGENEOUS));
        }
    }

    @Test
    void homogeneousAssignmentsAreKafkasForRandomGroups() {
        for (long seed = 0; seed < 4_000; seed++) {
            Random random = new Random(seed);
            int topicCount = 1 + random.nextInt(4);
            Map<String, Integer> counts = new TreeMap<>();
            for (int t = 0; t < topicCount; t++) {
                counts.put("t" + t, 1 + random.nextInt(random.nextInt(4) == 0 ? 40 : 12));
            }
            int memberCount = 1 + random.nextInt(seed % 10 == 0 ? 30 : 8);
            List<String> members = new ArrayList<>();
            for (int m = 0; m < memberCount; m++) {
                members.add(Long.toString(random.nextLong() & 0xffffffL, 36) + "-" + m);
            }
            Set<String> topics = new TreeSet<>(counts.keySet());
            Map<String, Set<String>> subscriptions = new TreeMap<>();
            members.forEach(m -> subscriptions.put(m, topics));

            Map<String, Map<String, Set<Integer>>> previous = new TreeMap<>();
            if (random.nextBoolean()) {
                // Kafka's target for the group before: some members were there, and some who left since.
                Map<String, Set<String>> before = new TreeMap<>();
                members.stream().filter(m -> random.nextInt(4) > 0).forEach(m -> before.put(m, topics));
                for (int gone = random.nextInt(3); gone > 0; gone--) {
                    before.put("gone-" + gone, topics);
                }
                Map<String, Integer> countsBefore = new TreeMap<>();
                counts.forEach((t, n) -> countsBefore.put(t, random.nextInt(4) == 0 ? 1 + random.nextInt(n) : n));
                if (!before.isEmpty()) {
                    kafka(before, countsBefore, Map.of(), SubscriptionType.HOMOGENEOUS).forEach((m, a) -> {
                        if (subscriptions.containsKey(m)) {
                            previous.put(m, a);
                        }
                    });
                }
            } else {
                counts.forEach((topic, n) -> {
                    for (int p = 0; p < n; p++) {
                        if (random.nextInt(4) > 0) {
                            previous.computeIfAbsent(members.get(random.nextInt(memberCount)), m -> new TreeMap<>())
                                    .computeIfAbsent(topic, t -> new TreeSet<>()).add(p);
                        }
                    }
                });
            }
            if (random.nextInt(4) == 0) {
                // A topic the group subscribed to before.
                for (int p = 0; p < 3; p++) {
                    previous.computeIfAbsent(members.get(random.nextInt(memberCount)), m -> new TreeMap<>())
                            .computeIfAbsent("u", t -> new TreeSet<>()).add(p);
                }
            }

            Map<String, Map<String, Set<Integer>>> strand =
                    new UniformAssignor().assign(subscriptions, counts, previous, true);

            assertThat(strand).as("seed %d: %s %s %s", seed, subscriptions, counts, previous)
                    .isEqualTo(kafka(subscriptions, counts, previous, SubscriptionType.HOMOGENEOUS));
        }
    }

    @Test
    void aMemberJoiningFiveTakesTheExtraPartitionWhenTheOthersHeldOneEach() {
        // Kafka's example of the difference: five members, six partitions, four of them held one each.
        Map<String, Set<String>> subscriptions = new TreeMap<>();
        Map<String, Map<String, Set<Integer>>> previous = new TreeMap<>();
        for (String member : List.of("a", "b", "c", "d", "e")) {
            subscriptions.put(member, Set.of("t0"));
        }
        previous.put("a", Map.of("t0", Set.of(0)));
        previous.put("b", Map.of("t0", Set.of(1)));
        previous.put("c", Map.of("t0", Set.of(2)));
        previous.put("d", Map.of("t0", Set.of(3)));
        Map<String, Integer> counts = Map.of("t0", 6);

        Map<String, Map<String, Set<Integer>>> strand = new UniformAssignor().assign(subscriptions, counts, previous, true);

        assertThat(strand.get("e")).isEqualTo(Map.of("t0", Set.of(4, 5)));
        assertThat(strand).isEqualTo(kafka(subscriptions, counts, previous, SubscriptionType.HOMOGENEOUS));
    }

    @Test
    void aMemberOverItsQuotaKeepsItsPartitionsInHashSetOrder() {
        // Twenty members, twenty partitions: a quota of one. "a" held 5 and 18; in a HashSet of 16 buckets
        // 18 (bucket 2) comes before 5 (bucket 5), so "a" keeps 18 and 5 goes back to be handed out last.
        Map<String, Set<String>> subscriptions = new TreeMap<>();
        for (char c = 'a'; c < 'a' + 20; c++) {
            subscriptions.put(String.valueOf(c), Set.of("t0"));
        }
        Map<String, Map<String, Set<Integer>>> previous = Map.of("a", Map.of("t0", Set.of(5, 18)));
        Map<String, Integer> counts = Map.of("t0", 20);

        Map<String, Map<String, Set<Integer>>> strand = new UniformAssignor().assign(subscriptions, counts, previous, true);

        assertThat(strand.get("a")).isEqualTo(Map.of("t0", Set.of(18)));
        assertThat(strand.get("t")).isEqualTo(Map.of("t0", Set.of(5)));
        assertThat(strand).isEqualTo(kafka(subscriptions, counts, previous, SubscriptionType.HOMOGENEOUS));
    }

    @Test
    void partitionsNobodyHeldGoBeforeThoseGivenBack() {
        // A quota of two: "a" keeps t0-0 and t1-0 (topics by name), gives t1-1 back; "b" takes t0-1, which
        // nobody held, then t1-1.
        Map<String, Set<String>> subscriptions = new TreeMap<>(Map.of("a", Set.of("t0", "t1"), "b", Set.of("t0", "t1")));
        Map<String, Map<String, Set<Integer>>> previous =
                Map.of("a", Map.of("t0", Set.of(0), "t1", Set.of(0, 1)));
        Map<String, Integer> counts = Map.of("t0", 2, "t1", 2);

        Map<String, Map<String, Set<Integer>>> strand = new UniformAssignor().assign(subscriptions, counts, previous, true);

        assertThat(strand).isEqualTo(Map.of("a", Map.of("t0", Set.of(0), "t1", Set.of(0)),
                "b", Map.of("t0", Set.of(1), "t1", Set.of(1))));
        assertThat(strand).isEqualTo(kafka(subscriptions, counts, previous, SubscriptionType.HOMOGENEOUS));
    }

    private static Map<String, Map<String, Set<Integer>>> kafka(Map<String, Set<String>> subscriptions,
                                                                Map<String, Integer> counts,
                                                                Map<String, Map<String, Set<Integer>>> previous,
                                                                SubscriptionType type) {
        Map<String, Uuid> ids = new HashMap<>();
        Map<Uuid, String> names = new HashMap<>();
        Set<String> named = new TreeSet<>(counts.keySet());
        previous.values().forEach(a -> named.addAll(a.keySet()));
        int next = 0;
        for (String topic : named) {
            // Hash (most ^ least significant bits, folded) and order both follow the names.
            Uuid id = new Uuid(0x1_0000_0001L, ++next);
            ids.put(topic, id);
            names.put(id, topic);
        }
        Map<Uuid, Map<Integer, String>> owners = new HashMap<>();
        Map<String, MemberSubscriptionAndAssignmentImpl> specs = new HashMap<>();
        subscriptions.forEach((member, topics) -> {
            Set<Uuid> subscribed = new HashSet<>();
            topics.forEach(t -> subscribed.add(ids.get(t)));
            Map<Uuid, Set<Integer>> held = new HashMap<>();
            previous.getOrDefault(member, Map.of()).forEach((t, ps) -> {
                held.put(ids.get(t), new HashSet<>(new TreeSet<>(ps)));
                ps.forEach(p -> owners.computeIfAbsent(ids.get(t), id -> new HashMap<>()).put(p, member));
            });
            specs.put(member, new MemberSubscriptionAndAssignmentImpl(Optional.empty(), Optional.empty(), subscribed,
                    new Assignment(Collections.unmodifiableMap(held))));
        });
        SubscribedTopicDescriber topics = new SubscribedTopicDescriber() {
            @Override
            public int numPartitions(Uuid topicId) {
                String name = names.get(topicId);
                return name == null || !counts.containsKey(name) ? -1 : counts.get(name);
            }

            @Override
            public Set<String> racksForPartition(Uuid topicId, int partition) {
                return Set.of();
            }
        };
        GroupAssignment assignment = new org.apache.kafka.coordinator.group.assignor.UniformAssignor().assign(
                new GroupSpecImpl(Collections.unmodifiableMap(specs), type, owners),
                topics);
        Map<String, Map<String, Set<Integer>>> out = new TreeMap<>();
        for (String member : subscriptions.keySet()) {
            Map<String, Set<Integer>> partitions = new TreeMap<>();
            MemberAssignment given = assignment.members().get(member);
            if (given != null) {
                given.partitions().forEach((id, ps) -> {
                    if (!ps.isEmpty()) {
                        partitions.put(names.get(id), new TreeSet<>(ps));
                    }
                });
            }
            out.put(member, partitions);
        }
        return out;
    }
}
