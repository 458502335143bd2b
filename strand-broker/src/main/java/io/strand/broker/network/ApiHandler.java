package io.strand.broker.network;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
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

    /**
     * The versions this handler implements, advertised in ApiVersions as they are. Each handler states
     * its range as constants of its own, never kafka-clients' list, so a kafka-clients upgrade does
     * not advertise versions nobody implemented.
     */
    ApiVersion advertisedVersions();

    /**
     * True if a request of {@code version} is parsed and served: by default exactly the advertised
     * range. A handler narrows it only where Kafka advertises versions it no longer parses.
     */
    default boolean servesVersion(short version) {
        ApiVersion versions = advertisedVersions();
        return version >= versions.minVersion() && version <= versions.maxVersion();
    }

    /** The ApiVersions entry of {@code apiKey} for {@code minVersion} to {@code maxVersion}, inclusive. */
    static ApiVersion versions(ApiKeys apiKey, short minVersion, short maxVersion) {
        if (minVersion < 0 || minVersion > maxVersion || maxVersion > apiKey.latestVersion(true)) {
            throw new IllegalArgumentException("Bad versions of apiKey=" + apiKey + ": minVersion=" + minVersion
                    + " maxVersion=" + maxVersion + " latestKnown=" + apiKey.latestVersion(true));
        }
        return new ApiVersion().setApiKey(apiKey.id).setMinVersion(minVersion).setMaxVersion(maxVersion);
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
