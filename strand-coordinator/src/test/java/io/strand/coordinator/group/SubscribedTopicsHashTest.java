package io.strand.coordinator.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.coordinator.group.record.TopicIds;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

class SubscribedTopicsHashTest {

    final Map<String, Integer> cluster = Map.of("a", 3, "b", 1, "ab", 1);
    final Map<String, Uuid> ids = new HashMap<>(Map.of("a", new Uuid(0, 1), "b", new Uuid(0, 2),
            "ab", new Uuid(0, 3)));
    final TopicIds topicIds = new TopicIds() {
        @Override
        public String nameOf(Uuid topicId) {
            return null;
        }

        @Override
        public Uuid idOf(String topicName) {
            return ids.getOrDefault(topicName, Uuid.ZERO_UUID);
        }
    };

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
}
