package io.strand.broker.api.security;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.SaslHandshakeRequest;

/**
 * SaslHandshake (v0–1) where no authentication is under way: on a PLAINTEXT listener, or on an
 * authenticated SASL connection whose client cannot re-authenticate. As Kafka, ILLEGAL_SASL_STATE. The
 * handshake that authenticates a SASL connection never reaches here: the connection's
 * {@code SaslAuthenticator} answers it. Advertised so that clients find the versions in ApiVersions.
 * Stateless; runs on the event loop.
 */
public final class SaslHandshakeHandler implements ApiHandler<SaslHandshakeRequest> {

    static final short MIN_VERSION = 0;
    static final short MAX_VERSION = 1;

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.SASL_HANDSHAKE;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public RunsOn runsOn() {
        return RunsOn.EVENT_LOOP;
    }

    @Override
    public CompletableFuture<SaslHandshakeResponseData> handle(RequestContext context, SaslHandshakeRequest request) {
        return CompletableFuture.completedFuture(
                new SaslHandshakeResponseData().setErrorCode(Errors.ILLEGAL_SASL_STATE.code()));
    }
}
