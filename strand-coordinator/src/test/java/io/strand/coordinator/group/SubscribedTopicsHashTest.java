package io.strand.coordinator.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

class SubscribedTopicsHashTest {

    final Map<String, Integer> cluster = Map.of("a", 3, "b", 1, "ab", 1);
    final MapTopicIds topicIds = new MapTopicIds();
    final Map<String, Uuid> ids = topicIds.ids;
    final Map<String, List<List<String>>> racks = topicIds.racks;

    SubscribedTopicsHashTest() {
        ids.putAll(Map.of("a", new Uuid(0, 1), "b", new Uuid(0, 2), "ab", new Uuid(0, 3)));
    }

    @Test
    void noTopicThatExistsHashesToNone() {
        assertThat(SubscribedTopicsHash.of(List.of(), cluster, topicIds)).isEqualTo(SubscribedTopicsHash.NONE);
        assertThat(SubscribedTopicsHash.of(List.of("missing"), cluster, topicIds)).isEqualTo(SubscribedTopicsHash.NONE);
        assertThat(SubscribedTopicsHash.of(List.of("a"), cluster, topicIds)).isNotEqualTo(SubscribedTopicsHash.NONE);
    }

    @Test
    void theHashDependsOnTheTopicsAndTheirPartitionCountsNotOnOrderOrRepeats() {
        long ab = SubscribedTopicsHash.of(List.of("a", "b"), cluster, topicIds);
        assertThat(SubscribedTopicsHash.of(List.of("b", "a", "a", "missing"), cluster, topicIds)).isEqualTo(ab);
        assertThat(SubscribedTopicsHash.of(List.of("a", "b"), Map.of("a", 4, "b", 1), topicIds)).isNotEqualTo(ab);
        assertThat(SubscribedTopicsHash.of(List.of("a"), cluster, topicIds)).isNotEqualTo(ab);
        assertThat(SubscribedTopicsHash.of(List.of("ab"), cluster, topicIds)).as("names are delimited")
                .isNotEqualTo(SubscribedTopicsHash.of(List.of("a", "b"), Map.of("a", 1, "b", 1), topicIds));
    }

    @Test
    void aTopicCreatedAgainUnderItsNameHashesAsAnotherTopic() {
        long before = SubscribedTopicsHash.of(List.of("a", "b"), cluster, topicIds);
        ids.put("a", new Uuid(0, 9));

        assertThat(SubscribedTopicsHash.of(List.of("a", "b"), cluster, topicIds)).isNotEqualTo(before);
    }

    @Test
    void theRacksOfTheReplicasCountPerPartitionInAnyOrder() {
        long without = SubscribedTopicsHash.of(List.of("a", "b"), cluster, topicIds);
        racks.put("a", List.of(List.of(), List.of(), List.of()));
        assertThat(SubscribedTopicsHash.of(List.of("a", "b"), cluster, topicIds)).as("no rack anywhere")
                .isEqualTo(without);
        assertThat(SubscribedTopicsHash.racksOf("a", topicIds)).isEqualTo(SubscribedTopicsHash.NONE);

        racks.put("a", List.of(List.of("r1", "r2"), List.of(), List.of("r2")));
        long racked = SubscribedTopicsHash.of(List.of("a", "b"), cluster, topicIds);
        assertThat(racked).isNotEqualTo(without);
        racks.put("a", List.of(List.of("r2", "r1"), List.of(), List.of("r2")));
        assertThat(SubscribedTopicsHash.of(List.of("a", "b"), cluster, topicIds)).as("replica order")
                .isEqualTo(racked);
        racks.put("a", List.of(List.of("r1", "r2"), List.of("r2"), List.of()));
        assertThat(SubscribedTopicsHash.of(List.of("a", "b"), cluster, topicIds)).as("another partition's")
                .isNotEqualTo(racked);
        racks.put("a", List.of(List.of("r1r2"), List.of(), List.of("r2")));
        assertThat(SubscribedTopicsHash.of(List.of("a", "b"), cluster, topicIds)).as("racks are delimited")
                .isNotEqualTo(racked);
    }
}
