package io.strand.broker.auth;

import io.strand.broker.auth.AuthorizingHandlers.Check;
import io.strand.broker.network.RequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.AlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterConfigsRequest;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The config checks, as Kafka's KafkaApis makes them: DescribeConfigs needs DESCRIBE_CONFIGS, AlterConfigs
 * and IncrementalAlterConfigs ALTER_CONFIGS, on the topic (TOPIC_AUTHORIZATION_FAILED), the group
 * (GROUP_AUTHORIZATION_FAILED) or, for broker and broker-logger resources, the cluster
 * (CLUSTER_AUTHORIZATION_FAILED). A refused resource is answered with that error; refused alterations
 * are taken out of the request first, so they are not applied.
 */
final class ConfigChecks {

    private ConfigChecks() {
    }

    static void addTo(Map<ApiKeys, Check<?>> checks, Authorization auth) {
        checks.put(ApiKeys.DESCRIBE_CONFIGS, (Check<DescribeConfigsRequest>) (context, request, handler) ->
                handler.handle(context, request).thenApply(message -> {
                    for (DescribeConfigsResponseData.DescribeConfigsResult result
                            : ((DescribeConfigsResponseData) message).results()) {
                        Errors error = check(auth, context, AclOperation.DESCRIBE_CONFIGS, result.resourceType(),
                                result.resourceName());
                        if (error != Errors.NONE) {
                            result.setErrorCode(error.code()).setErrorMessage(error.message());
                            result.configs().clear();
                        }
                    }
                    return message;
                }));
        checks.put(ApiKeys.ALTER_CONFIGS, (Check<AlterConfigsRequest>) (context, request, handler) -> {
            List<AlterConfigsResourceResponse> refused = new ArrayList<>();
            request.data().resources().removeIf(resource -> {
                Errors error = check(auth, context, AclOperation.ALTER_CONFIGS, resource.resourceType(),
                        resource.resourceName());
                if (error == Errors.NONE) {
                    return false;
                }
                refused.add(new AlterConfigsResourceResponse().setResourceType(resource.resourceType())
                        .setResourceName(resource.resourceName()).setErrorCode(error.code())
                        .setErrorMessage(error.message()));
                return true;
            });
            return GroupChecks.withRefused(refused.isEmpty() || !request.data().resources().isEmpty()
                            ? handler.handle(context, request) : null, new AlterConfigsResponseData(),
                    response -> ((AlterConfigsResponseData) response).responses().addAll(refused));
        });
        checks.put(ApiKeys.INCREMENTAL_ALTER_CONFIGS, (Check<IncrementalAlterConfigsRequest>) (context, request, handler) -> {
            List<IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse> refused = new ArrayList<>();
            request.data().resources().removeIf(resource -> {
                Errors error = check(auth, context, AclOperation.ALTER_CONFIGS, resource.resourceType(),
                        resource.resourceName());
                if (error == Errors.NONE) {
                    return false;
                }
                refused.add(new IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse()
                        .setResourceType(resource.resourceType()).setResourceName(resource.resourceName())
                        .setErrorCode(error.code()).setErrorMessage(error.message()));
                return true;
            });
            return GroupChecks.withRefused(refused.isEmpty() || !request.data().resources().isEmpty()
                            ? handler.handle(context, request) : null, new IncrementalAlterConfigsResponseData(),
                    response -> ((IncrementalAlterConfigsResponseData) response).responses().addAll(refused));
        });
    }

    /** The error for a refused operation on a config resource, or NONE; unknown types are left to the handler. */
    private static Errors check(Authorization auth, RequestContext context, AclOperation operation, byte typeId,
                                String name) {
        ConfigResource.Type type = ConfigResource.Type.forId(typeId);
        return switch (type) {
            case TOPIC -> auth.authorize(context, operation, ResourceType.TOPIC, name)
                    ? Errors.NONE : Errors.TOPIC_AUTHORIZATION_FAILED;
            case GROUP -> auth.authorize(context, operation, ResourceType.GROUP, name)
                    ? Errors.NONE : Errors.GROUP_AUTHORIZATION_FAILED;
            case BROKER, BROKER_LOGGER, CLIENT_METRICS -> auth.authorizeCluster(context, operation)
                    ? Errors.NONE : Errors.CLUSTER_AUTHORIZATION_FAILED;
            default -> Errors.NONE;
        };
    }
}
