package io.strand.broker.api.configs;

import io.strand.broker.api.AdminController;
import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.AlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AlterConfigsRequest;
import org.apache.kafka.common.requests.ApiError;

/**
 * AlterConfigs (v0–2), the legacy form: the configs given for a resource replace all of its
 * overrides (those not given go back to their defaults).
 *
 * <p>Each resource is first checked here as a Kafka broker does (see {@link AlterConfigsChecks}:
 * duplicates, a config without a value, a broker resource for another node, broker values that do
 * not parse; BROKER_LOGGER and unknown types are "Unknown resource type"); the rest go to the
 * controller in one request, which validates and commits (or only validates, for
 * {@code validate_only}). Results come back in request order.
 *
 * <p>Never blocks: the response completes when the controller's future does.
 */
public final class AlterConfigsHandler implements ApiHandler<AlterConfigsRequest> {

    static final short MIN_VERSION = 0;
    static final short MAX_VERSION = 2;

    private final AdminController controller;
    private final int nodeId;

    public AlterConfigsHandler(AdminController controller, int nodeId) {
        this.controller = controller;
        this.nodeId = nodeId;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ALTER_CONFIGS;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<AlterConfigsResponseData> handle(RequestContext context, AlterConfigsRequest request) {
        AlterConfigsRequestData data = request.data();
        Map<AlterConfigsResource, ApiError> answered = AlterConfigsChecks.duplicateResources(data.resources(),
                r -> AlterConfigsChecks.typeAndName(r.resourceType(), r.resourceName()));
        AlterConfigsRequestData forwarded = new AlterConfigsRequestData().setValidateOnly(data.validateOnly());
        for (AlterConfigsResource resource : data.resources()) {
            if (answered.containsKey(resource)) {
                continue;
            }
            try {
                check(resource);
                forwarded.resources().mustAdd(resource.duplicate());
            } catch (RuntimeException e) {
                answered.put(resource, ApiError.fromThrowable(e));
            }
        }
        CompletableFuture<AlterConfigsResponseData> altered = forwarded.resources().isEmpty()
                ? CompletableFuture.completedFuture(new AlterConfigsResponseData())
                : controller.legacyAlterConfigs(forwarded);
        return altered.thenApply(fromController -> reassemble(data, answered, fromController));
    }

    private void check(AlterConfigsResource resource) {
        AlterConfigsChecks.requireDistinctNames(resource.configs().stream().map(AlterableConfig::name).toList());
        AlterConfigsChecks.requireValues(AlterConfigsChecks.withoutValue(resource.configs(), AlterableConfig::name,
                AlterableConfig::value));
        ConfigResource.Type type = ConfigResource.Type.forId(resource.resourceType());
        switch (type) {
            case BROKER -> {
                if (!resource.resourceName().isEmpty()) {
                    AlterConfigsChecks.requireThisBroker(resource.resourceName(), nodeId);
                }
                Map<String, String> values = new HashMap<>();
                resource.configs().forEach(c -> values.put(c.name(), c.value()));
                AlterConfigsChecks.validateBrokerValues(values);
            }
            case TOPIC, GROUP, CLIENT_METRICS -> {
            }
            default -> throw new InvalidRequestException("Unknown resource type " + resource.resourceType());
        }
    }

    private static AlterConfigsResponseData reassemble(AlterConfigsRequestData data,
                                                       Map<AlterConfigsResource, ApiError> answered,
                                                       AlterConfigsResponseData fromController) {
        Map<Object, ApiError> byResource = new HashMap<>();
        for (AlterConfigsResourceResponse r : fromController.responses()) {
            byResource.put(AlterConfigsChecks.typeAndName(r.resourceType(), r.resourceName()),
                    new ApiError(r.errorCode(), r.errorMessage()));
        }
        AlterConfigsResponseData response = new AlterConfigsResponseData();
        for (AlterConfigsResource resource : data.resources()) {
            ApiError error = answered.containsKey(resource) ? answered.get(resource) : AlterConfigsChecks.resultFor(
                    AlterConfigsChecks.typeAndName(resource.resourceType(), resource.resourceName()), byResource);
            response.responses().add(new AlterConfigsResourceResponse()
                    .setResourceType(resource.resourceType())
                    .setResourceName(resource.resourceName())
                    .setErrorCode(error.error().code())
                    .setErrorMessage(error.message()));
        }
        return response;
    }
}
