package io.strand.metadata.controller;

import io.strand.common.config.BrokerConfig;
import io.strand.common.config.GroupConfigs;
import io.strand.common.config.TopicConfigs;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.record.MetadataRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.AlterConfigOp.OpType;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.Errors;

/**
 * Computes an IncrementalAlterConfigs request (SET, DELETE, APPEND, SUBTRACT) against an image.
 * Each resource succeeds or fails as a whole; the records of all successful resources form one
 * batch. APPEND/SUBTRACT work on list-typed properties only: topic properties of type LIST, and
 * broker properties {@code brokerListConfig} accepts (no group config is a list); an absent topic
 * override or broker property starts from the property's default ({@link BrokerConfig#defaultValue} for a
 * broker property: a cluster default {@code log.cleanup.policy} APPEND {@code compact} is
 * {@code delete,compact}). As in Kafka, a broker's id is checked before the operations, a topic's or
 * group's empty name after them (an APPEND to a non-list is INVALID_CONFIG even for {@code ""}). Group
 * configs are checked as a whole after the change, within the broker's bounds
 * ({@link GroupConfigs#validate}). Stateless.
 */
final class IncrementalAlterConfigs {

    private IncrementalAlterConfigs() {
    }

    static ControllerResult<IncrementalAlterConfigsResponseData> compute(
            MetadataImage image, IncrementalAlterConfigsRequestData request, Predicate<String> dynamicBrokerConfig,
            Predicate<String> brokerListConfig, GroupConfigs.Bounds groupBounds) {
        Set<List<Object>> seen = new HashSet<>();
        Set<List<Object>> duplicates = new HashSet<>();
        for (AlterConfigsResource r : request.resources()) {
            List<Object> key = Arrays.asList(r.resourceType(), r.resourceName());
            if (!seen.add(key)) {
                duplicates.add(key);
            }
        }
        IncrementalAlterConfigsResponseData response = new IncrementalAlterConfigsResponseData();
        List<MetadataRecord> records = new ArrayList<>();
        for (AlterConfigsResource r : request.resources()) {
            Errors error = Errors.NONE;
            String message = null;
            if (duplicates.contains(Arrays.asList(r.resourceType(), r.resourceName()))) {
                error = Errors.INVALID_REQUEST;
                message = "Each resource must appear at most once.";
            } else {
                try {
                    records.addAll(alter(image, r, dynamicBrokerConfig, brokerListConfig, groupBounds));
                } catch (ApiException e) {
                    error = Errors.forException(e);
                    message = e.getMessage();
                }
            }
            response.responses().add(new AlterConfigsResourceResponse()
                    .setResourceType(r.resourceType())
                    .setResourceName(r.resourceName())
                    .setErrorCode(error.code())
                    .setErrorMessage(message));
        }
        return new ControllerResult<>(request.validateOnly() ? List.of() : records, response);
    }

    private static List<MetadataRecord> alter(MetadataImage image, AlterConfigsResource request,
                                              Predicate<String> dynamicBrokerConfig,
                                              Predicate<String> brokerListConfig, GroupConfigs.Bounds groupBounds) {
        ConfigResource resource = ConfigResourceChecks.resource(request.resourceType(), request.resourceName());
        Set<String> keys = new LinkedHashSet<>();
        List<String> nullValues = new ArrayList<>();
        for (AlterableConfig config : request.configs()) {
            if (!keys.add(config.name())) {
                throw new InvalidRequestException("Error due to duplicate config keys");
            }
            if (config.configOperation() != OpType.DELETE.id() && config.value() == null) {
                nullValues.add(config.name());
            }
        }
        if (!nullValues.isEmpty()) {
            throw new InvalidRequestException("Null value not supported for : " + String.join(", ", nullValues));
        }
        if (resource.type() == ConfigResource.Type.BROKER) {
            // The broker's id is checked before the request reaches Kafka's controller; a topic's or a
            // group's name only once the controller has applied the operations (below).
            ConfigResourceChecks.checkName(resource);
        }
        // As Kafka, which checks the broker properties the change leaves set: deleting a property that
        // cannot be set (kafka-reassign-partitions clearing replication throttles) changes nothing.
        Set<String> setKeys = new LinkedHashSet<>();
        request.configs().stream().filter(c -> c.configOperation() != OpType.DELETE.id())
                .forEach(c -> setKeys.add(c.name()));
        ConfigResourceChecks.checkBrokerNames(resource, setKeys, dynamicBrokerConfig);

        Map<String, String> before = image.configs(resource);
        Map<String, String> after = new HashMap<>(before);
        for (AlterableConfig config : request.configs()) {
            OpType op = OpType.forId(config.configOperation());
            if (op == null) {
                throw new InvalidRequestException("Unknown operations type " + config.configOperation());
            }
            String key = config.name();
            switch (op) {
                case SET:
                    after.put(key, config.value());
                    break;
                case DELETE:
                    after.remove(key);
                    break;
                case APPEND:
                case SUBTRACT:
                    if (!isList(resource, key, brokerListConfig)) {
                        throw new InvalidConfigurationException("Can't " + op + " to key " + key
                                + " because its type is not LIST.");
                    }
                    List<String> values = parts(after.containsKey(key) ? after.get(key) : listDefault(resource, key));
                    for (String value : config.value().split(",")) {
                        if (op == OpType.APPEND) {
                            if (!values.contains(value)) {
                                values.add(value);
                            }
                        } else {
                            values.remove(value);
                        }
                    }
                    after.put(key, String.join(",", values));
                    break;
                default:
                    throw new InvalidRequestException("Unknown operations type " + config.configOperation());
            }
        }
        if (resource.type() != ConfigResource.Type.BROKER) {
            ConfigResourceChecks.checkName(resource);
        }
        ConfigResourceChecks.checkResult(image, resource, after, groupBounds);
        return ConfigResourceChecks.records(resource, before, after, keys);
    }

    private static boolean isList(ConfigResource resource, String key, Predicate<String> brokerListConfig) {
        if (resource.type() == ConfigResource.Type.BROKER) {
            return brokerListConfig.test(key);
        }
        ConfigDef.ConfigKey def = TopicConfigs.DEF.configKeys().get(key);
        return def != null && def.type == ConfigDef.Type.LIST;
    }

    private static String listDefault(ConfigResource resource, String key) {
        if (resource.type() == ConfigResource.Type.BROKER) {
            // As Kafka's controller: the property's default, not the broker's static value.
            return BrokerConfig.defaultValue(key);
        }
        if (resource.type() != ConfigResource.Type.TOPIC) {
            return null;
        }
        ConfigDef.ConfigKey def = TopicConfigs.DEF.configKeys().get(key);
        return def == null || def.defaultValue == null ? null : ConfigDef.convertToString(def.defaultValue, def.type);
    }

    private static List<String> parts(String value) {
        List<String> parts = new ArrayList<>();
        if (value != null) {
            for (String part : value.split(",")) {
                if (!part.isEmpty()) {
                    parts.add(part);
                }
            }
        }
        return parts;
    }
}
