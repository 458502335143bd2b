package io.strand.broker.api.acl;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.CreateAclsRequestData;
import org.apache.kafka.common.message.CreateAclsResponseData;
import org.apache.kafka.common.message.CreateAclsResponseData.AclCreationResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreateAclsRequest;

/**
 * CreateAcls (v1–3): forwarded to the controller, which validates each creation (INVALID_REQUEST for
 * a bad one) and writes the new ACLs; answered once they are in this node's image. Without an
 * authorizer every creation is answered SECURITY_DISABLED. Never blocks.
 */
final class CreateAclsHandler implements ApiHandler<CreateAclsRequest> {

    static final short MIN_VERSION = 1;
    static final short MAX_VERSION = 3;

    private final boolean authorizerEnabled;
    private final Function<CreateAclsRequestData, CompletableFuture<CreateAclsResponseData>> controller;

    CreateAclsHandler(boolean authorizerEnabled,
                      Function<CreateAclsRequestData, CompletableFuture<CreateAclsResponseData>> controller) {
        this.authorizerEnabled = authorizerEnabled;
        this.controller = controller;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.CREATE_ACLS;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<CreateAclsResponseData> handle(RequestContext context, CreateAclsRequest request) {
        if (!authorizerEnabled) {
            CreateAclsResponseData response = new CreateAclsResponseData();
            request.data().creations().forEach(c -> response.results().add(new AclCreationResult()
                    .setErrorCode(Errors.SECURITY_DISABLED.code()).setErrorMessage(AclHandlers.NO_AUTHORIZER)));
            return CompletableFuture.completedFuture(response);
        }
        return controller.apply(request.data().duplicate());
    }
}
