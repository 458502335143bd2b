package io.strand.broker.config;

import io.strand.common.config.BrokerConfig;
import io.strand.common.config.TopicConfigs;
import io.strand.metadata.image.MetadataImage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsSynonym;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;

/**
 * Where the value of a broker property comes from on one node, as of one metadata image. Four
 * layers, most specific first, each a map of broker property name → value as stored:
 *
 * <table>
 *   <caption>Layers</caption>
 *   <tr><th>layer</th><th>held in</th><th>reported source</th></tr>
 *   <tr><td>this broker's dynamic overrides</td><td>image, resource BROKER "&lt;id&gt;"</td>
 *       <td>DYNAMIC_BROKER_CONFIG</td></tr>
 *   <tr><td>cluster-wide dynamic defaults</td><td>image, resource BROKER ""</td>
 *       <td>DYNAMIC_DEFAULT_BROKER_CONFIG</td></tr>
 *   <tr><td>static server properties</td><td>{@link BrokerConfig#originals()}</td>
 *       <td>STATIC_BROKER_CONFIG</td></tr>
 *   <tr><td>defaults</td><td>the property's default, else that of the topic config it alone
 *       supplies</td><td>DEFAULT_CONFIG</td></tr>
 * </table>
 *
 * <p>A broker property's "synonyms" are the properties that set the same thing in other units
 * ({@code log.retention.ms}, {@code .minutes}, {@code .hours}); they come from the synonym lists of
 * {@link TopicConfigs}, and any other property is its own only synonym. Immutable; a new instance
 * per request, used on the calling thread.
 */
public final class BrokerConfigLayers {

    /** Broker property → its synonyms, most specific first (only properties that supply a topic default). */
    private static final Map<String, List<String>> SYNONYMS;
    /**
     * Broker property → default value as a string: its own default, else (for a property that alone
     * supplies a topic config's default) that topic config's default. Properties without one are absent.
     */
    private static final Map<String, String> DEFAULTS;

    static {
        Map<String, List<String>> synonyms = new HashMap<>();
        for (String topicConfig : TopicConfigs.names()) {
            for (String property : TopicConfigs.brokerSynonyms(topicConfig)) {
                synonyms.put(property, TopicConfigs.brokerSynonyms(topicConfig));
            }
        }
        SYNONYMS = Collections.unmodifiableMap(synonyms);
        Map<String, String> defaults = new HashMap<>();
        for (ConfigDef.ConfigKey key : BrokerConfig.DEF.configKeys().values()) {
            String value = BrokerConfig.defaultValue(key.name);
            if (value != null) {
                defaults.put(key.name, value);
            }
        }
        DEFAULTS = Collections.unmodifiableMap(defaults);
    }

    private record Layer(ConfigSource source, Map<String, String> values) {
    }

    /** A broker property as set in one layer. */
    public record Setting(ConfigSource source, String name, String value) {
    }

    private final List<Layer> layers;
    private final Map<String, String> clusterDefaults;

    private BrokerConfigLayers(Map<String, String> perBroker, Map<String, String> clusterDefaults,
                               Map<String, String> staticProperties) {
        this.clusterDefaults = clusterDefaults;
        this.layers = List.of(new Layer(ConfigSource.DYNAMIC_BROKER_CONFIG, perBroker),
                new Layer(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, clusterDefaults),
                new Layer(ConfigSource.STATIC_BROKER_CONFIG, staticProperties),
                new Layer(ConfigSource.DEFAULT_CONFIG, DEFAULTS));
    }

    public static BrokerConfigLayers of(BrokerConfig config, MetadataImage image) {
        String nodeId = Integer.toString(config.nodeId());
        Map<String, String> staticProperties = config.originals();
        if (!staticProperties.containsKey(BrokerConfig.BROKER_ID)) {
            // As Kafka's brokers, which take broker.id from node.id and report it as set statically.
            staticProperties = new HashMap<>(staticProperties);
            staticProperties.put(BrokerConfig.BROKER_ID, nodeId);
        }
        return new BrokerConfigLayers(image.configs(new ConfigResource(ConfigResource.Type.BROKER, nodeId)),
                image.configs(new ConfigResource(ConfigResource.Type.BROKER, "")), staticProperties);
    }

    /** The cluster-wide dynamic defaults stored in the image, in name order. */
    public Map<String, String> clusterDefaults() {
        return new TreeMap<>(clusterDefaults);
    }

    /** The names this broker's dynamic overrides and the cluster-wide dynamic defaults set, in name order. */
    public Set<String> dynamicNames() {
        Set<String> names = new TreeSet<>(layers.get(0).values().keySet());
        names.addAll(clusterDefaults.keySet());
        return names;
    }

    /** The value of {@code property} from the most specific layer that has one, or null. */
    public String value(String property) {
        for (Layer layer : layers) {
            String value = layer.values().get(property);
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    /**
     * The first of {@code names} (most specific unit first) that a non-default layer sets, with the
     * value of its most specific such layer; null if none is set. This is the value a broker applies.
     */
    public Setting configuredByName(List<String> names) {
        for (String name : names) {
            for (Layer layer : layers) {
                Setting setting = configured(layer, name);
                if (setting != null) {
                    return setting;
                }
            }
        }
        return null;
    }

    /**
     * The most specific non-default layer that sets any of {@code names}, with the first of them it
     * sets; null if none is set. This is how Kafka's controller reports a new topic's config source.
     */
    public Setting configuredByLayer(List<String> names) {
        for (Layer layer : layers) {
            for (String name : names) {
                Setting setting = configured(layer, name);
                if (setting != null) {
                    return setting;
                }
            }
        }
        return null;
    }

    private static Setting configured(Layer layer, String name) {
        String value = layer.values().get(name);
        return layer.source() == ConfigSource.DEFAULT_CONFIG || value == null
                ? null : new Setting(layer.source(), name, value);
    }

    /**
     * Kafka's synonym list for {@code property}: layer by layer (most specific first), every synonym
     * of the property that the layer sets; then the leading entries not named {@code property} are
     * dropped (as Kafka does, so {@code log.retention.ms} does not report an hours setting).
     *
     * @param sensitive report the values as null
     */
    public List<DescribeConfigsSynonym> synonyms(String property, boolean sensitive) {
        List<String> names = synonymsOf(property);
        List<DescribeConfigsSynonym> result = new ArrayList<>();
        for (Layer layer : layers) {
            for (String name : names) {
                String value = layer.values().get(name);
                if (value != null && (!result.isEmpty() || name.equals(property))) {
                    result.add(new DescribeConfigsSynonym().setName(name).setValue(sensitive ? null : value)
                            .setSource(layer.source().id()));
                }
            }
        }
        return result;
    }

    /** The properties that set what {@code property} sets, most specific first; itself if none other. */
    public static List<String> synonymsOf(String property) {
        return SYNONYMS.getOrDefault(property, List.of(property));
    }


}
