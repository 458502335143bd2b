package io.strand.broker.api.acl;

import io.strand.broker.controller.ControllerChannel;
import io.strand.broker.network.ApiHandler;
import io.strand.metadata.image.AclsImage;
import io.strand.metadata.image.MetadataImage;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.common.message.CreateAclsRequestData;
import org.apache.kafka.common.message.CreateAclsResponseData;
import org.apache.kafka.common.message.DeleteAclsRequestData;
import org.apache.kafka.common.message.DeleteAclsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * The ACL API handlers of a broker, built in one call: CreateAcls and DeleteAcls, forwarded to the
 * active controller (which writes the ACL records), and DescribeAcls, answered from this broker's
 * image. Without an authorizer all three answer SECURITY_DISABLED, as Kafka does. Who may call them
 * (ALTER, DESCRIBE on the cluster) is checked in front of them, by {@code io.strand.broker.auth}.
 */
public final class AclHandlers {

    static final String NO_AUTHORIZER = "No Authorizer is configured.";

    private AclHandlers() {
    }

    /** @param authorizerEnabled whether {@code authorizer.class.name} names the ACL authorizer */
    public static List<ApiHandler<?>> all(boolean authorizerEnabled, Supplier<MetadataImage> image,
                                          ControllerChannel controller) {
        return all(authorizerEnabled, () -> image.get().acls(),
                request -> controller.send(ApiKeys.CREATE_ACLS, request).thenApply(CreateAclsResponseData.class::cast),
                request -> controller.send(ApiKeys.DELETE_ACLS, request).thenApply(DeleteAclsResponseData.class::cast));
    }

    static List<ApiHandler<?>> all(boolean authorizerEnabled, Supplier<AclsImage> acls,
                                   Function<CreateAclsRequestData, CompletableFuture<CreateAclsResponseData>> create,
                                   Function<DeleteAclsRequestData, CompletableFuture<DeleteAclsResponseData>> delete) {
        return List.of(new CreateAclsHandler(authorizerEnabled, create), new DeleteAclsHandler(authorizerEnabled, delete),
                new DescribeAclsHandler(authorizerEnabled, acls));
    }
}
