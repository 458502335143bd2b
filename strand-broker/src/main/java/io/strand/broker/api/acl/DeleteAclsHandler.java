package io.strand.broker.api.acl;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.DeleteAclsRequestData;
import org.apache.kafka.common.message.DeleteAclsResponseData;
import org.apache.kafka.common.message.DeleteAclsResponseData.DeleteAclsFilterResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteAclsRequest;

/**
 * DeleteAcls (v1–3): forwarded to the controller, which removes every ACL each filter matches and lists
 * them per filter; answered once the removal is in this node's image. Without an authorizer every
 * filter is answered SECURITY_DISABLED. Never blocks.
 */
final class DeleteAclsHandler implements ApiHandler<DeleteAclsRequest> {

    static final short MIN_VERSION = 1;
    static final short MAX_VERSION = 3;

    private final boolean authorizerEnabled;
    private final Function<DeleteAclsRequestData, CompletableFuture<DeleteAclsResponseData>> controller;

    DeleteAclsHandler(boolean authorizerEnabled,
                      Function<DeleteAclsRequestData, CompletableFuture<DeleteAclsResponseData>> controller) {
        this.authorizerEnabled = authorizerEnabled;
        this.controller = controller;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_ACLS;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<DeleteAclsResponseData> handle(RequestContext context, DeleteAclsRequest request) {
        if (!authorizerEnabled) {
            DeleteAclsResponseData response = new DeleteAclsResponseData();
            request.data().filters().forEach(f -> response.filterResults().add(new DeleteAclsFilterResult()
                    .setErrorCode(Errors.SECURITY_DISABLED.code()).setErrorMessage(AclHandlers.NO_AUTHORIZER)));
            return CompletableFuture.completedFuture(response);
        }
        return controller.apply(request.data().duplicate());
    }
}
