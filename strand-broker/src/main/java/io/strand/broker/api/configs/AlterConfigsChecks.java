package io.strand.broker.api.configs;

import io.strand.common.config.BrokerConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;

/**
 * The checks Kafka's brokers make on (Incremental)AlterConfigs before forwarding to the controller,
 * with Kafka's error codes and messages: a resource named twice, a config named twice in one
 * resource, a missing value, a broker resource naming another broker, a broker property value that
 * does not parse. Whether a broker property may change at run time is the controller's check.
 * Stateless.
 */
final class AlterConfigsChecks {

    static final ApiError DUPLICATE_RESOURCE = new ApiError(Errors.INVALID_REQUEST,
            "Each resource must appear at most once.");

    private AlterConfigsChecks() {
    }

    /**
     * The resources that share their (type, name) with another, each mapped to
     * {@link #DUPLICATE_RESOURCE}; an identity map, as equal resources are distinct entries.
     */
    static <R> Map<R, ApiError> duplicateResources(Iterable<R> resources, Function<R, Object> typeAndName) {
        Map<R, ApiError> result = new IdentityHashMap<>();
        Map<Object, R> byKey = new HashMap<>();
        for (R resource : resources) {
            R previous = byKey.put(typeAndName.apply(resource), resource);
            if (previous != null) {
                result.put(previous, DUPLICATE_RESOURCE);
                result.put(resource, DUPLICATE_RESOURCE);
            }
        }
        return result;
    }

    static void requireDistinctNames(List<String> configNames) {
        if (new HashSet<>(configNames).size() != configNames.size()) {
            throw new InvalidRequestException("Error due to duplicate config keys");
        }
    }

    /** @param withoutValue the configs that need a value and have none */
    static void requireValues(List<String> withoutValue) {
        if (!withoutValue.isEmpty()) {
            throw new InvalidRequestException("Null value not supported for : " + String.join(", ", withoutValue));
        }
    }

    /** A broker resource name must be empty (cluster default, not checked here) or this node's id. */
    static void requireThisBroker(String resourceName, int nodeId) {
        if (nodeId(resourceName) != nodeId) {
            throw new InvalidRequestException("Unexpected broker id, expected " + nodeId + ", but received "
                    + resourceName);
        }
    }

    static int nodeId(String resourceName) {
        try {
            return Integer.parseInt(resourceName);
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("Node id must be an integer, but it is: " + resourceName);
        }
    }

    /**
     * Parses and validates the values given for known broker properties; unknown names are left to
     * the controller.
     *
     * @throws InvalidRequestException naming the property and the bad value
     */
    static void validateBrokerValues(Map<String, String> values) {
        for (Map.Entry<String, String> e : values.entrySet()) {
            ConfigDef.ConfigKey key = BrokerConfig.DEF.configKeys().get(e.getKey());
            if (key == null || e.getValue() == null) {
                continue;
            }
            try {
                Object parsed = ConfigDef.parseType(key.name, e.getValue(), key.type);
                if (key.validator != null) {
                    key.validator.ensureValid(key.name, parsed);
                }
            } catch (ConfigException ex) {
                throw new InvalidRequestException(ex.getMessage());
            }
        }
    }

    /** Names of the configs whose value is null. */
    static <C> List<String> withoutValue(Iterable<C> configs, Function<C, String> name, Function<C, String> value) {
        List<String> result = new ArrayList<>();
        for (C config : configs) {
            if (value.apply(config) == null) {
                result.add(name.apply(config));
            }
        }
        return result;
    }

    /** The key under which results are matched back to requests: resource type and name. */
    static Object typeAndName(byte resourceType, String resourceName) {
        return List.of(resourceType, Objects.requireNonNullElse(resourceName, ""));
    }

    /** The controller's answer for a forwarded resource; UNKNOWN_SERVER_ERROR if it gave none. */
    static ApiError resultFor(Object typeAndName, Map<Object, ApiError> fromController) {
        return fromController.getOrDefault(typeAndName, new ApiError(Errors.UNKNOWN_SERVER_ERROR));
    }
}
