package io.strand.broker.replica;

import io.strand.common.config.BrokerConfig;
import io.strand.common.config.TopicConfigs;
import io.strand.metadata.MetadataImage;
import io.strand.storage.LogConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigResource;

/**
 * Computes a topic's effective log configuration: the topic's overrides, over the broker's dynamic
 * overrides (this broker's, then the cluster-wide default), over the static server properties, over
 * Kafka's defaults. Stateless apart from the static config; thread-safe.
 */
public final class LogConfigResolver {

    private final BrokerConfig brokerConfig;
    private final Map<String, String> staticTopicDefaults;

    public LogConfigResolver(BrokerConfig brokerConfig) {
        this.brokerConfig = brokerConfig;
        this.staticTopicDefaults = brokerConfig.topicDefaults();
    }

    /** Topic config name → default value for topics of this broker, as of {@code image}. */
    public Map<String, String> topicDefaults(MetadataImage image) {
        Map<String, String> defaults = new HashMap<>(staticTopicDefaults);
        overlayDynamic(defaults, image.configs(new ConfigResource(ConfigResource.Type.BROKER, "")));
        overlayDynamic(defaults, image.configs(new ConfigResource(ConfigResource.Type.BROKER,
                Integer.toString(brokerConfig.nodeId()))));
        return defaults;
    }

    private static void overlayDynamic(Map<String, String> defaults, Map<String, String> brokerOverrides) {
        if (brokerOverrides.isEmpty()) {
            return;
        }
        for (String topicConfig : TopicConfigs.names()) {
            List<String> synonyms = TopicConfigs.brokerSynonyms(topicConfig);
            for (String synonym : synonyms) {
                String value = brokerOverrides.get(synonym);
                if (value != null) {
                    defaults.put(topicConfig, BrokerConfig.toTopicUnit(synonym, value));
                    break;
                }
            }
        }
    }

    /** The parsed effective topic configuration (topic config name → typed value). */
    public Map<String, Object> effectiveTopicConfig(MetadataImage image, String topic) {
        return TopicConfigs.effective(topicDefaults(image),
                image.configs(new ConfigResource(ConfigResource.Type.TOPIC, topic)));
    }

    public LogConfig logConfig(MetadataImage image, String topic) {
        return LogConfig.from(effectiveTopicConfig(image, topic));
    }
}
