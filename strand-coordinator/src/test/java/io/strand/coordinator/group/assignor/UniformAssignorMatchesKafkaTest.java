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
 * The uniform assignor with members of different subscriptions gives, for random groups (members,
 * subscriptions, partition counts and previous targets, some partitions held by members no longer
 * subscribed to them), exactly Kafka 4.3.1's assignment. Kafka's topic ids are chosen in the order of the
 * topics' names, and its members are put in its hash map in the order Strand's are, so that neither tie
 * depends on what a cluster draws at random.
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
                    .isEqualTo(kafka(subscriptions, counts, previous));
        }
    }

    private static Map<String, Map<String, Set<Integer>>> kafka(Map<String, Set<String>> subscriptions,
                                                                Map<String, Integer> counts,
                                                                Map<String, Map<String, Set<Integer>>> previous) {
        Map<String, Uuid> ids = new HashMap<>();
        Map<Uuid, String> names = new HashMap<>();
        int next = 0;
        for (String topic : counts.keySet()) {
            Uuid id = new Uuid(1, ++next);
            ids.put(topic, id);
            names.put(id, topic);
        }
        Map<String, MemberSubscriptionAndAssignmentImpl> specs = new HashMap<>();
        subscriptions.forEach((member, topics) -> {
            Set<Uuid> subscribed = new HashSet<>();
            topics.forEach(t -> subscribed.add(ids.get(t)));
            Map<Uuid, Set<Integer>> held = new HashMap<>();
            previous.getOrDefault(member, Map.of()).forEach((t, ps) -> held.put(ids.get(t), new HashSet<>(ps)));
            specs.put(member, new MemberSubscriptionAndAssignmentImpl(Optional.empty(), Optional.empty(), subscribed,
                    new Assignment(Collections.unmodifiableMap(held))));
        });
        SubscribedTopicDescriber topics = new SubscribedTopicDescriber() {
            @Override
            public int numPartitions(Uuid topicId) {
                String name = names.get(topicId);
                return name == null ? -1 : counts.get(name);
            }

            @Override
            public Set<String> racksForPartition(Uuid topicId, int partition) {
                return Set.of();
            }
        };
        GroupAssignment assignment = new org.apache.kafka.coordinator.group.assignor.UniformAssignor().assign(
                new GroupSpecImpl(Collections.unmodifiableMap(specs), SubscriptionType.HETEROGENEOUS, new HashMap<>()),
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
