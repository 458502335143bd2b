package io.strand.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class TopicConfigsTest {

    @Test
    void validOverridesPassAndUnknownOrBadOnesNameTheProperty() {
        TopicConfigs.validate(Map.of("cleanup.policy", "compact,delete", "retention.ms", "-1"));
        assertThatThrownBy(() -> TopicConfigs.validate(Map.of("retention.mss", "1")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("retention.mss");
        assertThatThrownBy(() -> TopicConfigs.validate(Map.of("segment.bytes", "10")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("segment.bytes");
        assertThatThrownBy(() -> TopicConfigs.validate(Map.of("remote.storage.enable", "true")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("remote.storage.enable");
    }

    @Test
    void effectiveConfigLayersOverridesOverBrokerDefaultsOverKafkaDefaults() {
        Map<String, Object> effective = TopicConfigs.effective(Map.of("retention.ms", "1000", "segment.bytes", "2097152"),
                Map.of("retention.ms", "5000"));
        assertThat(effective).containsEntry("retention.ms", 5000L).containsEntry("segment.bytes", 2097152)
                .containsEntry("max.message.bytes", 1_048_588).containsEntry("cleanup.policy", List.of("delete"));
    }

    @Test
    void everyTopicConfigNamesItsBrokerSynonymsMostSpecificFirst() {
        assertThat(TopicConfigs.brokerSynonyms("retention.ms"))
                .containsExactly("log.retention.ms", "log.retention.minutes", "log.retention.hours");
        assertThat(TopicConfigs.brokerSynonyms("max.message.bytes")).containsExactly("message.max.bytes");
        assertThat(TopicConfigs.brokerSynonyms("no.such")).isEmpty();
    }

    @Test
    void throttledReplicaListsAndRemoteLogSwitchesAreKnownAsInKafka() {
        TopicConfigs.validate(Map.of("leader.replication.throttled.replicas", "0:1,1:2",
                "follower.replication.throttled.replicas", "*", "remote.log.copy.disable", "true",
                "remote.log.delete.on.disable", "false"));
        TopicConfigs.validate(Map.of("leader.replication.throttled.replicas", ""));
        assertThatThrownBy(() -> TopicConfigs.validate(Map.of("leader.replication.throttled.replicas", "0:1,*")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("leader.replication.throttled.replicas");
        assertThatThrownBy(() -> TopicConfigs.validate(Map.of("follower.replication.throttled.replicas", "a:1")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("follower.replication.throttled.replicas");
        assertThat(TopicConfigs.effective(Map.of(), Map.of())).containsEntry("leader.replication.throttled.replicas",
                List.of()).containsEntry("remote.log.copy.disable", false);
        assertThat(TopicConfigs.brokerSynonyms("follower.replication.throttled.replicas")).isEmpty();
    }
}
