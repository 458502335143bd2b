package io.strand.coordinator.group.assignor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The uniform assignor with members of different subscriptions. Each expected assignment is what Kafka
 * 4.3.1's uniform assignor answers for the same members, topics and previous target (members "a", "b",
 * "c" iterate in that order in a hash map, topics' ids in the order of their names).
 */
class UniformHeterogeneousAssignmentTest {

    private static Set<String> topics(String... names) {
        return new TreeSet<>(List.of(names));
    }

    private static Set<Integer> parts(Integer... partitions) {
        return new TreeSet<>(List.of(partitions));
    }

    private static Map<String, Map<String, Set<Integer>>> assign(Map<String, Set<String>> subscriptions,
                                                                 Map<String, Integer> counts,
                                                                 Map<String, Map<String, Set<Integer>>> previous) {
        return new UniformAssignor().assign(new TreeMap<>(subscriptions), new TreeMap<>(counts), previous, false);
    }

    @Test
    void aNewGroupGivesEachTopicToTheLeastLoadedOfItsSubscribers() {
        Map<String, Map<String, Set<Integer>>> out = assign(
                Map.of("a", topics("t1"), "b", topics("t1", "t2"), "c", topics("t2")),
                Map.of("t1", 3, "t2", 5), Map.of());

        // t2 first (2.5 partitions per subscriber), round robin over b and c; then t1 to a, the least loaded.
        assertThat(out).isEqualTo(Map.of("a", Map.of("t1", parts(0, 1, 2)), "b", Map.of("t2", parts(0, 2, 4)),
                "c", Map.of("t2", parts(1, 3))));
    }

    @Test
    void partitionsMoveFromAMemberHoldingTooManyToOneThatMayTakeThem() {
        Map<String, Map<String, Set<Integer>>> out = assign(
                Map.of("a", topics("t1"), "b", topics("t1", "t2"), "c", topics("t2")),
                Map.of("t1", 4, "t2", 2), Map.of("a", Map.of("t1", parts(0, 1, 2, 3))));

        // a keeps three of its four; its highest partition goes to b, which also shares t2 with c.
        assertThat(out).isEqualTo(Map.of("a", Map.of("t1", parts(0, 1, 2)),
                "b", Map.of("t1", parts(3), "t2", parts(0)), "c", Map.of("t2", parts(1))));
    }

    @Test
    void aMemberDroppingATopicTakesTheRestOfTheOtherOneOver() {
        Map<String, Map<String, Set<Integer>>> out = assign(
                Map.of("a", topics("t1"), "b", topics("t1", "t2")), Map.of("t1", 4, "t2", 4),
                Map.of("a", Map.of("t1", parts(0, 1), "t2", parts(0, 1)), "b", Map.of("t1", parts(2, 3), "t2", parts(2, 3))));

        // b gets all of t2 (6 partitions against a's 2), so t1 moves to a: balance before stickiness.
        assertThat(out).isEqualTo(Map.of("a", Map.of("t1", parts(0, 1, 2, 3)), "b", Map.of("t2", parts(0, 1, 2, 3))));
    }

    @Test
    void membersWithoutTopicsGetNothingAndEveryMemberIsAnswered() {
        Map<String, Map<String, Set<Integer>>> out = assign(Map.of("a", topics(), "b", topics("t1")),
                Map.of("t1", 2), Map.of("a", Map.of("t1", parts(0))));

        assertThat(out).isEqualTo(Map.of("a", Map.of(), "b", Map.of("t1", parts(0, 1))));
        assertThat(assign(Map.of("a", topics(), "b", topics()), Map.of("t1", 2), Map.of()))
                .isEqualTo(Map.of("a", Map.of(), "b", Map.of()));
    }

    @Test
    void equalSubscriptionsKeepTheHomogeneousAssignment() {
        Map<String, Set<String>> subscriptions = Map.of("a", topics("t1"), "b", topics("t1"));
        Map<String, Map<String, Set<Integer>>> previous = Map.of("a", Map.of("t1", parts(0, 1, 2, 3)));

        Map<String, Map<String, Set<Integer>>> out = new UniformAssignor().assign(new TreeMap<>(subscriptions),
                Map.of("t1", 4), previous);

        assertThat(out).isEqualTo(new UniformAssignor().assign(new TreeMap<>(subscriptions), Map.of("t1", 4), previous,
                true));
        assertThat(out.get("a").get("t1")).hasSize(2);
    }
}
