package io.strand.broker.api.configs;

import io.strand.broker.api.AdminController;
import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.AlterConfigOp.OpType;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;

/**
 * IncrementalAlterConfigs (v0–1): SET, DELETE, APPEND and SUBTRACT of topic, broker and group configs
 * (group configs: see {@code GroupConfigs}; no group config is a list).
 *
 * <p>Each resource is first checked here as a Kafka broker does (see {@link AlterConfigsChecks}:
 * duplicates, missing values for anything but DELETE, a broker resource for another node, broker
 * values that do not parse, an unknown resource type); the rest go to the controller in one request,
 * which validates topic configs, decides which broker properties are dynamic and commits the change
 * (or only validates, for {@code validate_only}). Results come back in request order.
 *
 * <p>BROKER_LOGGER resources are answered here: log levels cannot be changed at run time, so no
 * logger exists to change (INVALID_CONFIG "Logger x does not exist!", matching DescribeConfigs'
 * empty logger list); APPEND and SUBTRACT are INVALID_REQUEST, as in Kafka.
 *
 * <p>Never blocks: the response completes when the controller's future does.
 */
public final class IncrementalAlterConfigsHandler implements ApiHandler<IncrementalAlterConfigsRequest> {

    static final short MIN_VERSION = 0;
    static final short MAX_VERSION = 1;

    private final AdminController controller;
    private final int nodeId;

    public IncrementalAlterConfigsHandler(AdminController controller, int nodeId) {
        this.controller = controller;
        this.nodeId = nodeId;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.INCREMENTAL_ALTER_CONFIGS;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<IncrementalAlterConfigsResponseData> handle(RequestContext context,
                                                                         IncrementalAlterConfigsRequest request) {
        IncrementalAlterConfigsRequestData data = request.data();
        Map<AlterConfigsResource, ApiError> answered = AlterConfigsChecks.duplicateResources(data.resources(),
                r -> AlterConfigsChecks.typeAndName(r.resourceType(), r.resourceName()));
        IncrementalAlterConfigsRequestData forwarded = new IncrementalAlterConfigsRequestData()
                .setValidateOnly(data.validateOnly());
        for (AlterConfigsResource resource : data.resources()) {
            if (answered.containsKey(resource)) {
                continue;
            }
            try {
                if (check(resource)) {
                    forwarded.resources().mustAdd(resource.duplicate());
                } else {
                    answered.put(resource, ApiError.NONE);
                }
            } catch (RuntimeException e) {
                answered.put(resource, ApiError.fromThrowable(e));
            }
        }
        CompletableFuture<IncrementalAlterConfigsResponseData> altered = forwarded.resources().isEmpty()
                ? CompletableFuture.completedFuture(new IncrementalAlterConfigsResponseData())
                : controller.incrementalAlterConfigs(forwarded);
        return altered.thenApply(fromController -> reassemble(data, answered, fromController));
    }

    /** Checks one resource; true if it goes to the controller, false if it is done. */
    private boolean check(AlterConfigsResource resource) {
        AlterConfigsChecks.requireDistinctNames(resource.configs().stream().map(AlterableConfig::name).toList());
        AlterConfigsChecks.requireValues(resource.configs().stream()
                .filter(c -> c.configOperation() != OpType.DELETE.id() && c.value() == null)
                .map(AlterableConfig::name).toList());
        ConfigResource.Type type = ConfigResource.Type.forId(resource.resourceType());
        switch (type) {
            case BROKER_LOGGER -> {
                checkLoggerChange(resource);
                return false;
            }
            case BROKER -> {
                if (!resource.resourceName().isEmpty()) {
                    AlterConfigsChecks.requireThisBroker(resource.resourceName(), nodeId);
                }
                Map<String, String> values = new HashMap<>();
                for (AlterableConfig config : resource.configs()) {
                    if (OpType.forId(config.configOperation()) == null) {
                        throw new InvalidRequestException("Unknown operations type " + config.configOperation());
                    }
                    if (config.configOperation() == OpType.SET.id()) {
                        values.put(config.name(), config.value());
                    }
                }
                AlterConfigsChecks.validateBrokerValues(values);
                return true;
            }
            case TOPIC, GROUP, CLIENT_METRICS -> {
                return true;
            }
            default -> throw new InvalidRequestException("Unknown resource type " + resource.resourceType());
        }
    }

    private void checkLoggerChange(AlterConfigsResource resource) {
        if (AlterConfigsChecks.nodeId(resource.resourceName()) != nodeId) {
            throw new InvalidRequestException("Unexpected node id. Expected " + nodeId + ", but received "
                    + resource.resourceName());
        }
        for (AlterableConfig config : resource.configs()) {
            OpType op = OpType.forId(config.configOperation());
            if (op == OpType.SET || op == OpType.DELETE) {
                throw new InvalidConfigurationException("Logger " + config.name() + " does not exist!");
            }
            String resourceType = ConfigResource.Type.BROKER_LOGGER.name();
            throw new InvalidRequestException(op == null
                    ? "Unknown operation type " + config.configOperation() + " is not allowed for the "
                            + resourceType + " resource"
                    : op + " operation is not allowed for the " + resourceType + " resource");
        }
    }

    private static IncrementalAlterConfigsResponseData reassemble(IncrementalAlterConfigsRequestData data,
                                                                  Map<AlterConfigsResource, ApiError> answered,
                                                                  IncrementalAlterConfigsResponseData fromController) {
        Map<Object, ApiError> byResource = new HashMap<>();
        for (AlterConfigsResourceResponse r : fromController.responses()) {
            byResource.put(AlterConfigsChecks.typeAndName(r.resourceType(), r.resourceName()),
                    new ApiError(r.errorCode(), r.errorMessage()));
        }
        IncrementalAlterConfigsResponseData response = new IncrementalAlterConfigsResponseData();
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
