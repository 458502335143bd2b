package io.strand.broker.network;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractRequest;

/**
 * Serves one Kafka API. A connection's requests are handed to their handlers one at a time and in
 * arrival order, on the threads {@link #runsOn()} allows; responses leave in arrival order whenever
 * their futures complete. Anything that waits for another component (the quorum, a
 * long poll) returns an incomplete future instead of blocking. A handler that throws gets the API's
 * error response built by kafka-clients with the exception's error code. Handlers serve every
 * connection at once: thread-safe.
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

    /**
     * Where {@link #handle} runs. By default on the request pool: only a handler that touches neither
     * disk nor a lock held across I/O, and returns at once, may run on the event loop.
     */
    default RunsOn runsOn() {
        return RunsOn.REQUEST_POOL;
    }

    CompletableFuture<? extends ApiMessage> handle(RequestContext context, R request);

    /** The thread a handler is called on. */
    enum RunsOn {
        /**
         * The connection's event loop, or a pool thread when an earlier request of the connection is
         * still on the pool: must not block, not even on a page fault it can avoid.
         */
        EVENT_LOOP,
        /** A thread of the {@link RequestHandlerPool}: may block on disk and locks. */
        REQUEST_POOL
    }
}
