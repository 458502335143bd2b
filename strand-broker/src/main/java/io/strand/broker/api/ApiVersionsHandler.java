package io.strand.broker.api;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.ApiRegistry;
import io.strand.broker.network.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsRequest;

/**
 * ApiVersions (v0–4): the versions of every API a handler is registered for, and nothing else. A
 * v3+ request with an invalid client software name or version gets INVALID_REQUEST. Requests of an
 * unknown newer version are answered by the connection itself in v0 (see ConnectionHandler).
 */
public final class ApiVersionsHandler implements ApiHandler<ApiVersionsRequest> {

    static final short MIN_VERSION = 0;
    static final short MAX_VERSION = 4;

    private final ApiRegistry registry;

    public ApiVersionsHandler(ApiRegistry registry) {
        this.registry = registry;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.API_VERSIONS;
    }

    /** Answers from the registry at once. */
    @Override
    public RunsOn runsOn() {
        return RunsOn.EVENT_LOOP;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<ApiVersionsResponseData> handle(RequestContext context, ApiVersionsRequest request) {
        ApiVersionsResponseData response = new ApiVersionsResponseData();
        if (request.version() >= 3 && !request.isValid()) {
            return CompletableFuture.completedFuture(response.setErrorCode(Errors.INVALID_REQUEST.code()));
        }
        for (ApiHandler<?> handler : registry.handlers()) {
            response.apiKeys().add(handler.advertisedVersions().duplicate());
        }
        return CompletableFuture.completedFuture(response);
    }
}
