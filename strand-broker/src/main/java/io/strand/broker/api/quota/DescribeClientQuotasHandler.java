package io.strand.broker.api.quota;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.metadata.image.MetadataImage;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.DescribeClientQuotasResponseData;
import org.apache.kafka.common.message.DescribeClientQuotasResponseData.EntityData;
import org.apache.kafka.common.message.DescribeClientQuotasResponseData.EntryData;
import org.apache.kafka.common.message.DescribeClientQuotasResponseData.ValueData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeClientQuotasRequest;

/**
 * DescribeClientQuotas (v0–1): the quotas of every entity of this broker's metadata image that the
 * request's filter matches ({@link ClientQuotaFilter}). A filter Kafka refuses gets its error code and
 * message at the top level and no entries. Reads the image only: returns at once.
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
        for (Map.Entry<Map<String, String>, Map<String, Double>> e
                : image.get().clientQuotas().entities().entrySet()) {
            if (!filter.matches(e.getKey())) {
                continue;
            }
            EntryData entry = new EntryData();
            e.getKey().forEach((type, name) ->
                    entry.entity().add(new EntityData().setEntityType(type).setEntityName(name)));
            e.getValue().forEach((key, value) -> entry.values().add(new ValueData().setKey(key).setValue(value)));
            response.entries().add(entry);
        }
        return CompletableFuture.completedFuture(response);
    }
}
