package io.strand.metadata.controller;

import io.strand.common.config.GroupConfigs;
import io.strand.common.config.TopicConfigs;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.record.ConfigRecord;
import io.strand.metadata.record.MetadataRecord;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.BrokerIdNotRegisteredException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.internals.Topic;

/**
 * The checks both AlterConfigs flavours make on a resource, with Kafka's errors: resource type and
 * name, dynamic broker config names, the resulting topic or group overrides, and that the resource
 * exists (a group's configs need no group: they may be set before it first forms, and outlive it, as
 * in Kafka).
 * Also turns a resource's old and new override maps into ConfigRecords. Stateless.
 */
final class ConfigResourceChecks {

    private ConfigResourceChecks() {
    }

    /** The resource of a request entry; only TOPIC, BROKER and GROUP are stored in metadata. */
    static ConfigResource resource(byte resourceType, String resourceName) {
        ConfigResource.Type type = ConfigResource.Type.forId(resourceType);
        if (type != ConfigResource.Type.TOPIC && type != ConfigResource.Type.BROKER
                && type != ConfigResource.Type.GROUP) {
            throw new InvalidRequestException("Unknown resource type " + resourceType + ".");
        }
        return new ConfigResource(type, resourceName == null ? "" : resourceName);
    }

    /** Before looking at values: a broker name is "" or a node id; a topic or group name is not "". */
    static void checkName(ConfigResource resource) {
        if (resource.type() == ConfigResource.Type.BROKER) {
            if (!resource.name().isEmpty()) {
                try {
                    Integer.parseInt(resource.name());
                } catch (NumberFormatException e) {
                    throw new InvalidRequestException("Node id must be an integer, but it is: " + resource.name());
                }
            }
        } else if (resource.name().isEmpty()) {
            throw new InvalidRequestException(resource.type() == ConfigResource.Type.GROUP
                    ? "Default group resources are not allowed." : "Default topic resources are not allowed.");
        }
    }

    /** Broker properties must be dynamically updatable. */
    static void checkBrokerNames(ConfigResource resource, Collection<String> names, Predicate<String> dynamic) {
        if (resource.type() != ConfigResource.Type.BROKER) {
            return;
        }
        List<String> notDynamic = new ArrayList<>();
        for (String name : names) {
            if (!dynamic.test(name)) {
                notDynamic.add(name);
            }
        }
        if (!notDynamic.isEmpty()) {
            throw new InvalidRequestException("Cannot update these configs dynamically: Set("
                    + String.join(", ", notDynamic) + ")");
        }
    }

    /**
     * The overrides a resource would have after the change: valid, and the resource exists.
     *
     * @param groupBounds the broker's bounds of group configs ({@code group.consumer.*}, {@code group.share.*})
     */
    static void checkResult(MetadataImage image, ConfigResource resource, Map<String, String> newOverrides,
                            GroupConfigs.Bounds groupBounds) {
        if (resource.type() == ConfigResource.Type.GROUP) {
            GroupConfigs.validate(newOverrides, groupBounds);
        } else if (resource.type() == ConfigResource.Type.TOPIC) {
            Topic.validate(resource.name());
            try {
                TopicConfigs.validate(newOverrides);
            } catch (ConfigException e) {
                throw new InvalidConfigurationException(e.getMessage());
            }
            if (image.topics().byName(resource.name()).isEmpty()) {
                throw new UnknownTopicOrPartitionException("The topic '" + resource.name() + "' does not exist.");
            }
        } else if (!resource.name().isEmpty()) {
            int brokerId = Integer.parseInt(resource.name());
            if (!image.brokers().containsKey(brokerId)) {
                throw new BrokerIdNotRegisteredException("No node with id " + brokerId + " found.");
            }
        }
    }

    /**
     * One record per key whose value changes between {@code before} and {@code after} (a removed
     * key gets a null value). Broker keys that are set get a record even when unchanged, so that
     * brokers reload them, as Kafka does.
     */
    static List<MetadataRecord> records(ConfigResource resource, Map<String, String> before,
                                        Map<String, String> after, Collection<String> touched) {
        List<MetadataRecord> records = new ArrayList<>();
        boolean broker = resource.type() == ConfigResource.Type.BROKER;
        for (String key : touched) {
            String oldValue = before.get(key);
            String newValue = after.get(key);
            if (!Objects.equals(oldValue, newValue) || (broker && newValue != null)) {
                records.add(new ConfigRecord(resource.type(), resource.name(), key, newValue));
            }
        }
        return records;
    }
}
