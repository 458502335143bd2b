package io.strand.broker.api.quota;

import io.strand.broker.controller.ControllerChannel;
import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.AlterClientQuotasResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AlterClientQuotasRequest;

/**
 * AlterClientQuotas (v0–1, as Kafka 4.3 advertises): forwarded as it is to the active controller,
 * which checks every entry as Kafka's {@code ClientQuotaControlManager} does and writes the
 * {@code ClientQuotaRecord}s (none for {@code validate_only}). The answer comes once the change is in
 * this node's image, so a DescribeClientQuotas that follows sees it. Never blocks.
 */
public final class AlterClientQuotasHandler implements ApiHandler<AlterClientQuotasRequest> {

    static final short MIN_VERSION = 0;
    static final short MAX_VERSION = 1;

    private final ControllerChannel controller;

    public AlterClientQuotasHandler(ControllerChannel controller) {
        this.controller = controller;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ALTER_CLIENT_QUOTAS;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<AlterClientQuotasResponseData> handle(RequestContext context,
                                                                   AlterClientQuotasRequest request) {
        return controller.forward(request, AlterClientQuotasResponseData.class);
    }
}
