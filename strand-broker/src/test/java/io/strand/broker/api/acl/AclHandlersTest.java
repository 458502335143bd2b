package io.strand.broker.api.acl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.broker.api.Requests;
import io.strand.broker.network.ApiHandler;
import io.strand.metadata.image.AclsImage;
import io.strand.metadata.image.MetadataDelta;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.record.AccessControlEntryRecord;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.CreateAclsRequestData;
import org.apache.kafka.common.message.CreateAclsResponseData;
import org.apache.kafka.common.message.DescribeAclsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreateAclsRequest;
import org.apache.kafka.common.requests.DescribeAclsRequest;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

/** The ACL handlers: DescribeAcls from the image, CreateAcls forwarded, SECURITY_DISABLED without an authorizer. */
class AclHandlersTest {

    private final AtomicReference<CreateAclsRequestData> forwarded = new AtomicReference<>();

    private List<ApiHandler<?>> handlers(boolean authorizerEnabled, Supplier<AclsImage> acls) {
        return AclHandlers.all(authorizerEnabled, acls, request -> {
            forwarded.set(request);
            return CompletableFuture.completedFuture(new CreateAclsResponseData());
        }, request -> CompletableFuture.failedFuture(new AssertionError("not called")));
    }

    private static AclsImage acls() {
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        for (String principal : List.of("User:alice", "User:bob")) {
            delta.replay(new AccessControlEntryRecord(Uuid.randomUuid(), ResourceType.TOPIC, "t", PatternType.LITERAL,
                    principal, "*", AclOperation.READ, AclPermissionType.ALLOW));
        }
        return delta.apply(1).acls();
    }

    @SuppressWarnings("unchecked")
    private static <H> H handler(List<ApiHandler<?>> handlers, Class<H> type) {
        return (H) handlers.stream().filter(type::isInstance).findFirst().orElseThrow();
    }

    @Test
    void describeAclsAnswersTheImagesAclsTheFilterMatches() {
        AclsImage image = acls();
        DescribeAclsHandler handler = handler(handlers(true, () -> image), DescribeAclsHandler.class);
        DescribeAclsRequest request = new DescribeAclsRequest.Builder(new AclBindingFilter(ResourcePatternFilter.ANY,
                new AccessControlEntryFilter("User:alice", null, AclOperation.ANY, AclPermissionType.ANY)))
                .build((short) 3);

        DescribeAclsResponseData response = handler.handle(Requests.context(request), request).join();

        assertThat(response.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(response.resources()).hasSize(1);
        assertThat(response.resources().get(0).acls()).extracting(DescribeAclsResponseData.AclDescription::principal)
                .containsExactly("User:alice");
    }

    @Test
    void aFilterOfACodeKafkaDoesNotKnowMatchesNothingWhileTheUnknownCodeIsRefused() {
        AclsImage image = acls();
        DescribeAclsHandler handler = handler(handlers(true, () -> image), DescribeAclsHandler.class);
        DescribeAclsRequest newerType = new DescribeAclsRequest.Builder(AclBindingFilter.ANY).build((short) 3);
        newerType.data().setResourceTypeFilter((byte) 9);
        DescribeAclsRequest unknownType = new DescribeAclsRequest.Builder(AclBindingFilter.ANY).build((short) 3);
        unknownType.data().setResourceTypeFilter(ResourceType.UNKNOWN.code());

        DescribeAclsResponseData response = handler.handle(Requests.context(newerType), newerType).join();

        assertThat(response.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(response.resources()).isEmpty();
        assertThatThrownBy(() -> handler.handle(Requests.context(unknownType), unknownType))
                .isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void withoutAnAuthorizerAclApisAnswerSecurityDisabled() {
        List<ApiHandler<?>> handlers = handlers(false, () -> AclsImage.EMPTY);
        DescribeAclsRequest describe = new DescribeAclsRequest.Builder(AclBindingFilter.ANY).build((short) 3);
        CreateAclsRequest create = new CreateAclsRequest.Builder(new CreateAclsRequestData().setCreations(List.of(
                new CreateAclsRequestData.AclCreation().setResourceType(ResourceType.TOPIC.code()).setResourceName("t")
                        .setResourcePatternType(PatternType.LITERAL.code()).setPrincipal("User:alice").setHost("*")
                        .setOperation(AclOperation.READ.code())
                        .setPermissionType(AclPermissionType.ALLOW.code())))).build((short) 3);

        DescribeAclsResponseData described = handler(handlers, DescribeAclsHandler.class)
                .handle(Requests.context(describe), describe).join();
        CreateAclsResponseData created = handler(handlers, CreateAclsHandler.class)
                .handle(Requests.context(create), create).join();

        assertThat(described.errorCode()).isEqualTo(Errors.SECURITY_DISABLED.code());
        assertThat(created.results().get(0).errorCode()).isEqualTo(Errors.SECURITY_DISABLED.code());
        assertThat(forwarded.get()).isNull();
    }
}
