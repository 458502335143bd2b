package io.strand.broker.api.quota;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.metadata.image.MetadataImage;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.DescribeClientQuotasResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.requests.DescribeClientQuotasRequest;
import org.apache.kafka.common.requests.DescribeClientQuotasResponse;

/**
 * DescribeClientQuotas (v0–1): the quotas of every entity of this broker's metadata image that the
 * request's filter matches ({@link ClientQuotaFilter}), in Kafka's order (the answer built by kafka-clients
 * from a hash map of its entities, as Kafka's controller builds it). A filter Kafka refuses gets its error
 * code and message at the top level and no entries. Reads the image only: returns at once.
 */
public final class DescribeClientQuotasHandler implements ApiHandler<DescribeClientQuotasRequest> {

    static final short MIN_VERSION = 0;
    static final short MAX_VERSION = 1;

    private final Supplier<MetadataImage> image;

    public DescribeClientQuotasHandler(Supplier<MetadataImage> image) {
        this.image = image;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_CLIENT_QUOTAS;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<DescribeClientQuotasResponseData> handle(RequestContext context,
                                                                      DescribeClientQuotasRequest request) {
        DescribeClientQuotasResponseData response = new DescribeClientQuotasResponseData();
        ClientQuotaFilter filter;
        try {
            filter = ClientQuotaFilter.of(request.data());
        } catch (ApiException e) {
            Errors error = Errors.forException(e);
            return CompletableFuture.completedFuture(response.setErrorCode(error.code())
                    .setErrorMessage(e.getMessage()).setEntries(null));
        }
        // Kafka's own structures (a hash map of kafka-clients' entities, each entity's and each quota map as
        // Kafka's controller builds them), so that the answer lists entities, types and keys in Kafka's order.
        Map<ClientQuotaEntity, Map<String, Double>> matched = new HashMap<>();
        for (Map.Entry<Map<String, String>, Map<String, Double>> e
                : image.get().clientQuotas().entities().entrySet()) {
            if (filter.matches(e.getKey())) {
                Map<String, String> entity = new HashMap<>(2);
                entity.putAll(e.getKey());
                matched.put(new ClientQuotaEntity(entity), new HashMap<>(e.getValue()));
            }
        }
        response = DescribeClientQuotasResponse.fromQuotaEntities(matched, 0).data();
        return CompletableFuture.completedFuture(response);
    }
}
