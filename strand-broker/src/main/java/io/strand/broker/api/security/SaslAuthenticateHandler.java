package io.strand.broker.api.security;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.SaslAuthenticateRequest;

/**
 * SaslAuthenticate (v0–2) where no authentication is under way (a PLAINTEXT listener, or a SASL
 * connection already authenticated): ILLEGAL_SASL_STATE, as Kafka answers. The tokens of a real
 * authentication are answered by the connection's {@code SaslAuthenticator}. Stateless; event loop.
 */
public final class SaslAuthenticateHandler implements ApiHandler<SaslAuthenticateRequest> {

    static final short MIN_VERSION = 0;
    static final short MAX_VERSION = 2;

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.SASL_AUTHENTICATE;
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
    public CompletableFuture<SaslAuthenticateResponseData> handle(RequestContext context,
                                                                  SaslAuthenticateRequest request) {
        return CompletableFuture.completedFuture(new SaslAuthenticateResponseData()
                .setErrorCode(Errors.ILLEGAL_SASL_STATE.code())
                .setErrorMessage("SaslAuthenticate request received after successful authentication"));
    }
}
