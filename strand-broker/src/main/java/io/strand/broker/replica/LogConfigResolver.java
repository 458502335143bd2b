package io.strand.broker.replica;

import io.strand.broker.config.BrokerConfigLayers;
import io.strand.common.config.BrokerConfig;
import io.strand.common.config.TopicConfigs;
import io.strand.metadata.image.MetadataImage;
import io.strand.storage.log.LogConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigResource;

/**
 * Computes a topic's effective log configuration: the topic's overrides, over the broker's value of
 * each config's synonyms (this broker's dynamic override, the cluster-wide dynamic default, the
 * static server properties — the same layers DescribeConfigs reports, from {@link BrokerConfigLayers}),
 * over Kafka's defaults. Stateless apart from the static config; thread-safe.
 */
public final class LogConfigResolver {

    private final BrokerConfig brokerConfig;

    public LogConfigResolver(BrokerConfig brokerConfig) {
        this.brokerConfig = brokerConfig;
    }

    /** Topic config name → default value for topics of this broker, as of {@code image}. */
    public Map<String, String> topicDefaults(MetadataImage image) {
        BrokerConfigLayers layers = BrokerConfigLayers.of(brokerConfig, image);
        Map<String, String> defaults = new HashMap<>();
        for (String topicConfig : TopicConfigs.names()) {
            List<String> synonyms = TopicConfigs.brokerSynonyms(topicConfig);
            if (synonyms.isEmpty()) {
                continue;
            }
            BrokerConfigLayers.Setting setting = layers.configuredByName(synonyms);
            if (setting != null) {
                defaults.put(topicConfig, BrokerConfig.toTopicUnit(setting.name(), setting.value()));
            }
        }
        return defaults;
    }

    /** The parsed effective topic configuration (topic config name → typed value). */
    public Map<String, Object> effectiveTopicConfig(MetadataImage image, String topic) {
        return effectiveTopicConfig(topicDefaults(image), image, topic);
    }

    /**
     * The same with the defaults of {@link #topicDefaults} computed once for {@code image}, for a
     * caller that resolves many topics of one image.
     */
    public Map<String, Object> effectiveTopicConfig(Map<String, String> topicDefaults, MetadataImage image,
                                                    String topic) {
        return TopicConfigs.effective(topicDefaults, image.configs(new ConfigResource(ConfigResource.Type.TOPIC, topic)));
    }

    public LogConfig logConfig(MetadataImage image, String topic) {
        return LogConfig.from(effectiveTopicConfig(image, topic));
    }
}
