package io.strand.broker.api.configs;

import io.strand.broker.config.BrokerConfigLayers;
import io.strand.common.config.BrokerConfig;
import io.strand.common.config.GroupConfigs;
import io.strand.common.config.TopicConfigs;
import io.strand.metadata.image.MetadataImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicConfigs;
import org.apache.kafka.common.message.DescribeConfigsRequestData.DescribeConfigsResource;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsSynonym;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Describes the configuration of topics, groups and of this broker the way Kafka's brokers do, for
 * DescribeConfigs and for the config list of CreateTopics v5+.
 *
 * <p>A topic's value is its override if it has one, else the broker default (this broker's dynamic
 * override, the cluster-wide dynamic default, the static property; the first unit that is set,
 * converted to the topic's unit), else the topic default — normalized as Kafka prints parsed values
 * ({@code cleanup.policy=compact}, lists joined by commas). Its DescribeConfigs source and synonyms
 * follow Kafka's broker exactly, including its quirk that a default set only through a coarser unit
 * ({@code log.retention.hours}) reports DEFAULT_CONFIG with no synonyms. The CreateTopics list follows
 * Kafka's controller instead: values as given, the source of the most specific layer that sets any
 * unit. See {@link BrokerConfigLayers} for the layers.
 *
 * <p>Stateless apart from the static config; thread-safe.
 */
public final class ConfigDescriber {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigDescriber.class);

    private final BrokerConfig config;
    private final int nodeId;

    public ConfigDescriber(BrokerConfig config) {
        this.config = config;
        this.nodeId = config.nodeId();
    }

    /**
     * One resource of a DescribeConfigs request. Per-resource failures (unknown topic, another
     * broker's id, an unsupported type) are returned as the result's error, not thrown.
     */
    DescribeConfigsResult describe(MetadataImage image, DescribeConfigsResource resource, boolean includeSynonyms,
                                   boolean includeDocumentation) {
        DescribeConfigsResult result;
        try {
            ConfigResource.Type type = ConfigResource.Type.forId(resource.resourceType());
            String name = resource.resourceName();
            DescribedEntries entries = new DescribedEntries(resource.configurationKeys(), includeSynonyms,
                    includeDocumentation);
            result = switch (type) {
                case TOPIC -> describeTopic(image, name, entries);
                case BROKER -> describeBroker(image, name, entries);
                case BROKER_LOGGER -> describeBrokerLogger(name);
                case GROUP -> describeGroup(image, name, entries);
                case CLIENT_METRICS -> unsupported(name, type, "Client metrics subscription name must not be empty");
                default -> throw new InvalidRequestException("Unsupported resource type: " + type);
            };
        } catch (RuntimeException e) {
            if (!(e instanceof ApiException)) {
                LOG.error("Unexpected error describing the configs of {}", resource, e);
            }
            ApiError error = ApiError.fromThrowable(e);
            result = new DescribeConfigsResult().setErrorCode(error.error().code()).setErrorMessage(error.message());
        }
        return result.setResourceType(resource.resourceType()).setResourceName(resource.resourceName());
    }

    /** Every config of a topic about to be created with {@code overrides}, in name order (CreateTopics v5+). */
    public List<CreatableTopicConfigs> createdTopicConfigs(MetadataImage image, Map<String, String> overrides) {
        BrokerConfigLayers layers = BrokerConfigLayers.of(config, image);
        List<CreatableTopicConfigs> result = new ArrayList<>();
        for (String name : new TreeSet<>(TopicConfigs.names())) {
            ConfigDef.ConfigKey key = TopicConfigs.DEF.configKeys().get(name);
            String value = overrides.get(name);
            ConfigSource source = ConfigSource.TOPIC_CONFIG;
            if (value == null) {
                BrokerConfigLayers.Setting setting = layers.configuredByLayer(TopicConfigs.brokerSynonyms(name));
                value = setting != null ? toTopicUnit(setting) : topicDefault(key);
                source = setting != null ? setting.source() : ConfigSource.DEFAULT_CONFIG;
            }
            boolean sensitive = key.type.isSensitive();
            result.add(new CreatableTopicConfigs().setName(name).setValue(sensitive ? null : value)
                    .setReadOnly(false).setConfigSource(source.id()).setIsSensitive(sensitive));
        }
        return result;
    }

    private DescribeConfigsResult describeTopic(MetadataImage image, String topic, DescribedEntries entries) {
        Topic.validate(topic);
        if (image.topics().byName(topic).isEmpty()) {
            return new DescribeConfigsResult().setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        Map<String, String> overrides = image.configs(new ConfigResource(ConfigResource.Type.TOPIC, topic));
        BrokerConfigLayers layers = BrokerConfigLayers.of(config, image);
        DescribeConfigsResult result = new DescribeConfigsResult();
        for (String name : new TreeSet<>(TopicConfigs.names())) {
            if (entries.wanted(name)) {
                result.configs().add(topicEntry(name, overrides.get(name), layers, entries));
            }
        }
        return result;
    }

    private static DescribeConfigsResourceResult topicEntry(String name, String override, BrokerConfigLayers layers,
                                                            DescribedEntries entries) {
        ConfigDef.ConfigKey key = TopicConfigs.DEF.configKeys().get(name);
        List<String> brokerSynonyms = TopicConfigs.brokerSynonyms(name);
        BrokerConfigLayers.Setting brokerDefault = layers.configuredByName(brokerSynonyms);
        String value;
        if (override != null) {
            value = DescribedEntries.normalize(key, override);
        } else if (brokerDefault != null) {
            value = DescribedEntries.normalize(key, toTopicUnit(brokerDefault));
        } else {
            value = topicDefault(key);
        }
        boolean sensitive = key.type.isSensitive();
        List<DescribeConfigsSynonym> synonyms = new ArrayList<>();
        if (override != null) {
            synonyms.add(new DescribeConfigsSynonym().setName(name).setValue(sensitive ? null : value)
                    .setSource(ConfigSource.TOPIC_CONFIG.id()));
        }
        if (!brokerSynonyms.isEmpty()) {
            synonyms.addAll(layers.synonyms(brokerSynonyms.get(0), sensitive));
        }
        return entries.entry(key, sensitive ? null : value, false, synonyms);
    }

    /**
     * Every group config Kafka defines, in name order: the group's override (source GROUP_CONFIG), else
     * this broker's value of its synonym, else Kafka's default (DEFAULT_CONFIG); the synonyms as Kafka's
     * broker lists them: the group's value, the broker property's layers and its default, or for a config
     * without a broker property its own default. A group needs not exist: its configs may be set before
     * it forms.
     */
    private DescribeConfigsResult describeGroup(MetadataImage image, String group, DescribedEntries entries) {
        if (group == null || group.isEmpty()) {
            throw new InvalidRequestException("Group name must not be empty");
        }
        Map<String, String> overrides = image.configs(new ConfigResource(ConfigResource.Type.GROUP, group));
        BrokerConfigLayers layers = BrokerConfigLayers.of(config, image);
        DescribeConfigsResult result = new DescribeConfigsResult();
        for (String name : new TreeSet<>(GroupConfigs.names())) {
            if (entries.wanted(name)) {
                result.configs().add(groupEntry(name, overrides.get(name), layers, entries));
            }
        }
        return result;
    }

    private static DescribeConfigsResourceResult groupEntry(String name, String override, BrokerConfigLayers layers,
                                                            DescribedEntries entries) {
        ConfigDef.ConfigKey key = GroupConfigs.DEF.configKeys().get(name);
        String brokerSynonym = GroupConfigs.brokerSynonym(name);
        List<DescribeConfigsSynonym> synonyms = new ArrayList<>();
        if (override != null) {
            synonyms.add(new DescribeConfigsSynonym().setName(name).setValue(DescribedEntries.normalize(key, override))
                    .setSource(ConfigSource.GROUP_CONFIG.id()));
        }
        String brokerValue = null;
        String kafkaDefault = topicDefault(key);
        if (brokerSynonym != null) {
            // The broker property layer by layer, ending with its default (the group config's default, as
            // group.* defaults equal their group configs').
            List<DescribeConfigsSynonym> fromBroker = new ArrayList<>(layers.synonyms(brokerSynonym, false));
            fromBroker.removeIf(synonym -> synonym.source() == ConfigSource.DEFAULT_CONFIG.id());
            brokerValue = fromBroker.isEmpty() ? null : fromBroker.get(0).value();
            synonyms.addAll(fromBroker);
            synonyms.add(new DescribeConfigsSynonym().setName(brokerSynonym).setValue(kafkaDefault)
                    .setSource(ConfigSource.DEFAULT_CONFIG.id()));
        } else {
            synonyms.add(new DescribeConfigsSynonym().setName(name).setValue(kafkaDefault)
                    .setSource(ConfigSource.DEFAULT_CONFIG.id()));
        }
        String value = override != null ? DescribedEntries.normalize(key, override)
                : brokerValue != null ? DescribedEntries.normalize(key, brokerValue) : kafkaDefault;
        return entries.entry(key, value, false, synonyms);
    }

    private DescribeConfigsResult describeBroker(MetadataImage image, String name, DescribedEntries entries) {
        BrokerConfigLayers layers = BrokerConfigLayers.of(config, image);
        DescribeConfigsResult result = new DescribeConfigsResult();
        if (name == null || name.isEmpty()) {
            for (Map.Entry<String, String> e : layers.clusterDefaults().entrySet()) {
                if (entries.wanted(e.getKey())) {
                    result.configs().add(brokerEntry(e.getKey(), e.getValue(), layers, entries, true));
                }
            }
            return result;
        }
        if (brokerId(name) != nodeId) {
            throw new InvalidRequestException("Unexpected broker id, expected " + nodeId
                    + " or empty string, but received " + name);
        }
        // As Kafka's: every property it defines and, stored dynamically, those it does not (as sensitive).
        TreeSet<String> properties = new TreeSet<>(BrokerConfig.DEF.names());
        properties.addAll(layers.dynamicNames());
        for (String property : properties) {
            if (entries.wanted(property)) {
                result.configs().add(brokerEntry(property, layers.value(property), layers, entries, false));
            }
        }
        return result;
    }

    private static DescribeConfigsResourceResult brokerEntry(String property, String rawValue, BrokerConfigLayers layers,
                                                             DescribedEntries entries, boolean clusterDefaultOnly) {
        ConfigDef.ConfigKey key = BrokerConfig.DEF.configKeys().get(property);
        // Kafka treats a property of unknown type as sensitive.
        boolean sensitive = key == null || key.type.isSensitive();
        String value;
        if (sensitive || rawValue == null) {
            value = null;
        } else {
            value = clusterDefaultOnly ? rawValue : DescribedEntries.normalize(key, rawValue);
        }
        List<DescribeConfigsSynonym> synonyms = new ArrayList<>(layers.synonyms(property, sensitive));
        if (clusterDefaultOnly) {
            synonyms.removeIf(s -> s.source() != ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG.id());
        }
        return key == null
                ? entries.unknownEntry(property, synonyms)
                : entries.entry(key, value, !BrokerConfig.isDynamic(property), synonyms);
    }

    private DescribeConfigsResult describeBrokerLogger(String name) {
        if (name == null || name.isEmpty()) {
            throw new InvalidRequestException("Broker id must not be empty");
        }
        if (brokerId(name) != nodeId) {
            throw new InvalidRequestException("Unexpected broker id, expected " + nodeId + " but received " + name);
        }
        // Log levels are not adjustable at run time, so no logger is listed.
        return new DescribeConfigsResult();
    }

    private static DescribeConfigsResult unsupported(String name, ConfigResource.Type type, String emptyNameMessage) {
        if (name == null || name.isEmpty()) {
            throw new InvalidRequestException(emptyNameMessage);
        }
        throw new InvalidRequestException("Unsupported resource type: " + type);
    }

    private static int brokerId(String resourceName) {
        try {
            return Integer.parseInt(resourceName);
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("Broker id must be an integer, but it is: " + resourceName);
        }
    }

    private static String toTopicUnit(BrokerConfigLayers.Setting setting) {
        try {
            return BrokerConfig.toTopicUnit(setting.name(), setting.value());
        } catch (NumberFormatException e) {
            return setting.value();
        }
    }

    private static String topicDefault(ConfigDef.ConfigKey key) {
        return key.hasDefault() ? ConfigDef.convertToString(key.defaultValue, key.type) : null;
    }
}
