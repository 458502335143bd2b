package io.strand.broker.network;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractRequest;

/**
 * Serves one Kafka API. Handlers are called on the event loop of the request's connection, one
 * request of a connection at a time and in arrival order; anything that waits (the quorum, a long
 * poll) returns an incomplete future instead of blocking. A handler that throws gets the API's error
 * response built by kafka-clients with the exception's error code.
 *
 * @param <R> the request class kafka-clients parses this API into
 */
public interface ApiHandler<R extends AbstractRequest> {

    ApiKeys apiKey();

    /** The versions advertised in ApiVersions; by default every stable version kafka-clients knows. */
    default ApiVersion advertisedVersions() {
        return apiKey().toApiVersionForApiResponse(false, ApiMessageType.ListenerType.BROKER).orElseThrow();
    }

    /** True if a request of {@code version} can be parsed and served (may be narrower than advertised). */
    default boolean servesVersion(short version) {
        return apiKey().isVersionSupported(version);
    }

    CompletableFuture<? extends ApiMessage> handle(RequestContext context, R request);
}
