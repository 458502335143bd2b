package io.strand.coordinator.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SubscribedTopicsHashTest {

    final Map<String, Integer> cluster = Map.of("a", 3, "b", 1, "ab", 1);

    @Test
    void noTopicThatExistsHashesToNone() {
        assertThat(SubscribedTopicsHash.of(List.of(), cluster)).isEqualTo(SubscribedTopicsHash.NONE);
        assertThat(SubscribedTopicsHash.of(List.of("missing"), cluster)).isEqualTo(SubscribedTopicsHash.NONE);
        assertThat(SubscribedTopicsHash.of(List.of("a"), cluster)).isNotEqualTo(SubscribedTopicsHash.NONE);
    }

    @Test
    void theHashDependsOnTheTopicsAndTheirPartitionCountsNotOnOrderOrRepeats() {
        long ab = SubscribedTopicsHash.of(List.of("a", "b"), cluster);
        assertThat(SubscribedTopicsHash.of(List.of("b", "a", "a", "missing"), cluster)).isEqualTo(ab);
        assertThat(SubscribedTopicsHash.of(List.of("a", "b"), Map.of("a", 4, "b", 1))).isNotEqualTo(ab);
        assertThat(SubscribedTopicsHash.of(List.of("a"), cluster)).isNotEqualTo(ab);
        assertThat(SubscribedTopicsHash.of(List.of("ab"), cluster)).as("names are delimited")
                .isNotEqualTo(SubscribedTopicsHash.of(List.of("a", "b"), Map.of("a", 1, "b", 1)));
    }
}
