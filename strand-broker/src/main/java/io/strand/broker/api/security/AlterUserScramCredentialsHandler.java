package io.strand.broker.api.security;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData;
import org.apache.kafka.common.message.AlterUserScramCredentialsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AlterUserScramCredentialsRequest;

/**
 * AlterUserScramCredentials (v0): forwarded as it is to the active controller, which validates it with
 * Kafka's rules and commits the credentials to the metadata log, as a Kafka broker forwards it. The
 * response completes once the change is applied (or refused). Stateless; never blocks.
 */
public final class AlterUserScramCredentialsHandler implements ApiHandler<AlterUserScramCredentialsRequest> {

    static final short MIN_VERSION = 0;
    static final short MAX_VERSION = 0;

    private final Function<AlterUserScramCredentialsRequestData,
            CompletableFuture<AlterUserScramCredentialsResponseData>> controller;

    /** @param controller sends the request to the active controller and completes with its answer */
    public AlterUserScramCredentialsHandler(Function<AlterUserScramCredentialsRequestData,
            CompletableFuture<AlterUserScramCredentialsResponseData>> controller) {
        this.controller = controller;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ALTER_USER_SCRAM_CREDENTIALS;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<AlterUserScramCredentialsResponseData> handle(RequestContext context,
                                                                           AlterUserScramCredentialsRequest request) {
        return controller.apply(request.data());
    }
}
