package io.strand.broker.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.common.config.BrokerConfig;
import io.strand.metadata.image.MetadataDelta;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.record.ConfigRecord;
import io.strand.storage.log.LogConfig;
import java.util.Map;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

class LogConfigResolverTest {

    private static MetadataImage withConfigs(ConfigRecord... records) {
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        for (ConfigRecord record : records) {
            delta.replay(record);
        }
        return delta.apply();
    }

    @Test
    void staticPropertiesFollowKafkasUnitFallbacks() {
        assertThat(new LogConfigResolver(BrokerConfig.defaults()).topicDefaults(MetadataImage.EMPTY)).isEmpty();
        assertThat(new LogConfigResolver(BrokerConfig.of(Map.of("log.retention.hours", "1")))
                .topicDefaults(MetadataImage.EMPTY)).containsEntry("retention.ms", "3600000");
        assertThat(new LogConfigResolver(BrokerConfig.of(Map.of("log.retention.minutes", "2", "log.retention.hours", "1")))
                .topicDefaults(MetadataImage.EMPTY)).containsEntry("retention.ms", "120000");
        assertThat(new LogConfigResolver(BrokerConfig.of(Map.of("message.max.bytes", "2000")))
                .topicDefaults(MetadataImage.EMPTY)).containsEntry("max.message.bytes", "2000");
    }

    @Test
    void topicOverridesBeatDynamicBrokerDefaultsWhichBeatStaticOnes() {
        LogConfigResolver resolver = new LogConfigResolver(BrokerConfig.of(Map.of("log.segment.bytes", "2097152",
                "log.retention.ms", "1000")));
        MetadataImage image = withConfigs(
                new ConfigRecord(ConfigResource.Type.BROKER, "", "log.segment.bytes", "4194304"),
                new ConfigRecord(ConfigResource.Type.BROKER, "1", "log.segment.bytes", "8388608"),
                new ConfigRecord(ConfigResource.Type.TOPIC, "t", "retention.ms", "5000"));
        LogConfig config = resolver.logConfig(image, "t");
        assertThat(config.segmentBytes()).isEqualTo(8388608);
        assertThat(config.retentionMs()).isEqualTo(5000);
        assertThat(resolver.logConfig(image, "other").retentionMs()).isEqualTo(1000);
    }
}
