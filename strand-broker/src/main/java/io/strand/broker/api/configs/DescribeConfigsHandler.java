package io.strand.broker.api.configs;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.metadata.image.MetadataImage;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData.DescribeConfigsResource;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.DescribeConfigsRequest;

/**
 * DescribeConfigs (v1–4): the effective configuration of topics, groups and of this broker, with sources,
 * synonyms (when asked), types and documentation (v3+), read from the current metadata image. Each
 * resource gets its own result and error; see {@link ConfigDescriber} for what is reported. A
 * resource of a type Kafka does not know fails the whole request, as in Kafka.
 *
 * <p>Answers at once, on the connection's event loop; stateless.
 */
public final class DescribeConfigsHandler implements ApiHandler<DescribeConfigsRequest> {

    static final short MIN_VERSION = 1;
    static final short MAX_VERSION = 4;

    private final Supplier<MetadataImage> image;
    private final ConfigDescriber describer;

    public DescribeConfigsHandler(Supplier<MetadataImage> image, ConfigDescriber describer) {
        this.image = image;
        this.describer = describer;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_CONFIGS;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<DescribeConfigsResponseData> handle(RequestContext context, DescribeConfigsRequest request) {
        DescribeConfigsRequestData data = request.data();
        for (DescribeConfigsResource resource : data.resources()) {
            ConfigResource.Type type = ConfigResource.Type.forId(resource.resourceType());
            if (type == ConfigResource.Type.UNKNOWN) {
                throw new InvalidRequestException("Unexpected resource type " + type + " for resource "
                        + resource.resourceName());
            }
        }
        MetadataImage current = image.get();
        DescribeConfigsResponseData response = new DescribeConfigsResponseData();
        for (DescribeConfigsResource resource : data.resources()) {
            response.results().add(describer.describe(current, resource, data.includeSynonyms(),
                    data.includeDocumentation()));
        }
        return CompletableFuture.completedFuture(response);
    }
}
