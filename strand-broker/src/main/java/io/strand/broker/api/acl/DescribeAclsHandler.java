package io.strand.broker.api.acl;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.metadata.image.AclsImage;
import io.strand.metadata.record.AccessControlEntryRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.DescribeAclsRequestData;
import org.apache.kafka.common.message.DescribeAclsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeAclsRequest;
import org.apache.kafka.common.requests.DescribeAclsResponse;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * DescribeAcls (v1–3): the ACLs of this broker's image that the request's filter matches (Kafka's
 * {@link AclBindingFilter#matches}), grouped by resource. A filter naming the UNKNOWN code for a part
 * is INVALID_REQUEST (a code Kafka does not know matches nothing); without an authorizer the answer is SECURITY_DISABLED. Reads only the immutable
 * image: runs on the event loop.
 */
final class DescribeAclsHandler implements ApiHandler<DescribeAclsRequest> {

    static final short MIN_VERSION = 1;
    static final short MAX_VERSION = 3;

    private final boolean authorizerEnabled;
    private final Supplier<AclsImage> acls;

    DescribeAclsHandler(boolean authorizerEnabled, Supplier<AclsImage> acls) {
        this.authorizerEnabled = authorizerEnabled;
        this.acls = acls;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_ACLS;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    /**
     * Whether the filter names the UNKNOWN code (0) itself for a part, which Kafka refuses; a code it does
     * not know (a newer type, say) reads as UNKNOWN too but is a filter that matches nothing, as in Kafka.
     */
    static boolean namesUnknown(DescribeAclsRequestData data) {
        return data.resourceTypeFilter() == ResourceType.UNKNOWN.code()
                || data.patternTypeFilter() == PatternType.UNKNOWN.code()
                || data.operation() == AclOperation.UNKNOWN.code()
                || data.permissionType() == AclPermissionType.UNKNOWN.code();
    }

    @Override
    public RunsOn runsOn() {
        return RunsOn.EVENT_LOOP;
    }

    @Override
    public CompletableFuture<DescribeAclsResponseData> handle(RequestContext context, DescribeAclsRequest request) {
        if (!authorizerEnabled) {
            return CompletableFuture.completedFuture(new DescribeAclsResponseData()
                    .setErrorCode(Errors.SECURITY_DISABLED.code()).setErrorMessage(AclHandlers.NO_AUTHORIZER));
        }
        AclBindingFilter filter = request.filter();
        if (namesUnknown(request.data())) {
            throw new InvalidRequestException("The filter has an unknown part: " + filter);
        }
        List<AclBinding> matching = new ArrayList<>();
        for (AccessControlEntryRecord acl : acls.get().all()) {
            AclBinding binding = new AclBinding(
                    new ResourcePattern(acl.resourceType(), acl.resourceName(), acl.patternType()),
                    new AccessControlEntry(acl.principal(), acl.host(), acl.operation(), acl.permissionType()));
            if (filter.matches(binding)) {
                matching.add(binding);
            }
        }
        return CompletableFuture.completedFuture(new DescribeAclsResponseData()
                .setResources(DescribeAclsResponse.aclsResources(matching)));
    }
}
