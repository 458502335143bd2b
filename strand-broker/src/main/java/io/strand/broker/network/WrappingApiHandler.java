package io.strand.broker.network;

import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;

/**
 * A handler placed in front of another (an authorization check, a quota) that serves the same API, at
 * the same versions, on the same thread: everything but {@link #handle} is the wrapped handler's.
 */
public interface WrappingApiHandler<R extends AbstractRequest> extends ApiHandler<R> {

    /** The handler this one puts itself in front of. */
    ApiHandler<R> handler();

    @Override
    default ApiKeys apiKey() {
        return handler().apiKey();
    }

    @Override
    default ApiVersion advertisedVersions() {
        return handler().advertisedVersions();
    }

    @Override
    default boolean servesVersion(short version) {
        return handler().servesVersion(version);
    }

    @Override
    default RunsOn runsOn() {
        return handler().runsOn();
    }
}
