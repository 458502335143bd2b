package io.strand.metadata.controller;

import io.strand.common.config.GroupConfigs;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.record.MetadataRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.AlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.Errors;

/**
 * Computes a (legacy) AlterConfigs request against an image: the given set replaces all overrides
 * of each resource, so overrides left out are removed. Each resource succeeds or fails as a whole.
 * Stateless.
 */
final class LegacyAlterConfigs {

    private LegacyAlterConfigs() {
    }

    static ControllerResult<AlterConfigsResponseData> compute(MetadataImage image, AlterConfigsRequestData request,
                                                              Predicate<String> dynamicBrokerConfig,
                                                              GroupConfigs.Bounds groupBounds) {
        Set<List<Object>> seen = new HashSet<>();
        Set<List<Object>> duplicates = new HashSet<>();
        for (AlterConfigsResource r : request.resources()) {
            List<Object> key = Arrays.asList(r.resourceType(), r.resourceName());
            if (!seen.add(key)) {
                duplicates.add(key);
            }
        }
        AlterConfigsResponseData response = new AlterConfigsResponseData();
        List<MetadataRecord> records = new ArrayList<>();
        for (AlterConfigsResource r : request.resources()) {
            Errors error = Errors.NONE;
            String message = null;
            if (duplicates.contains(Arrays.asList(r.resourceType(), r.resourceName()))) {
                error = Errors.INVALID_REQUEST;
                message = "Each resource must appear at most once.";
            } else {
                try {
                    records.addAll(replace(image, r, dynamicBrokerConfig, groupBounds));
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

    private static List<MetadataRecord> replace(MetadataImage image, AlterConfigsResource request,
                                                Predicate<String> dynamicBrokerConfig,
                                                GroupConfigs.Bounds groupBounds) {
        ConfigResource resource = ConfigResourceChecks.resource(request.resourceType(), request.resourceName());
        Map<String, String> after = new LinkedHashMap<>();
        List<String> nullValues = new ArrayList<>();
        for (AlterableConfig config : request.configs()) {
            if (after.containsKey(config.name())) {
                throw new InvalidRequestException("Error due to duplicate config keys");
            }
            after.put(config.name(), config.value());
            if (config.value() == null) {
                nullValues.add(config.name());
            }
        }
        if (!nullValues.isEmpty()) {
            throw new InvalidRequestException("Null value not supported for : " + String.join(", ", nullValues));
        }
        ConfigResourceChecks.checkName(resource);
        ConfigResourceChecks.checkBrokerNames(resource, after.keySet(), dynamicBrokerConfig);
        ConfigResourceChecks.checkResult(image, resource, after, groupBounds);
        Map<String, String> before = image.configs(resource);
        Set<String> touched = new LinkedHashSet<>(after.keySet());
        touched.addAll(before.keySet());
        return ConfigResourceChecks.records(resource, before, after, touched);
    }
}
