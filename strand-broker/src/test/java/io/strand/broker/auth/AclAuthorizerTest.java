package io.strand.broker.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.apache.kafka.common.acl.AclOperation.ALL;
import static org.apache.kafka.common.acl.AclOperation.ALTER;
import static org.apache.kafka.common.acl.AclOperation.ALTER_CONFIGS;
import static org.apache.kafka.common.acl.AclOperation.CREATE;
import static org.apache.kafka.common.acl.AclOperation.DELETE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE_CONFIGS;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;
import static org.apache.kafka.common.acl.AclPermissionType.ALLOW;
import static org.apache.kafka.common.acl.AclPermissionType.DENY;
import static org.apache.kafka.common.resource.PatternType.LITERAL;
import static org.apache.kafka.common.resource.PatternType.PREFIXED;
import static org.apache.kafka.common.resource.ResourceType.CLUSTER;
import static org.apache.kafka.common.resource.ResourceType.GROUP;
import static org.apache.kafka.common.resource.ResourceType.TOPIC;
import static org.apache.kafka.common.resource.ResourceType.TRANSACTIONAL_ID;

import io.strand.metadata.image.MetadataDelta;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.record.AccessControlEntryRecord;
import io.strand.metadata.record.RemoveAccessControlEntryRecord;
import java.net.InetAddress;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.junit.jupiter.api.Test;

/** The rules of {@link AclAuthorizer}, one test each, as Kafka's StandardAuthorizer decides them. */
class AclAuthorizerTest {

    private static final KafkaPrincipal ALICE = new KafkaPrincipal("User", "alice");
    private static final KafkaPrincipal BOB = new KafkaPrincipal("User", "bob");
    private static final KafkaPrincipal ADMIN = new KafkaPrincipal("User", "admin");
    private static final InetAddress LOCAL = address("127.0.0.1");
    private static final InetAddress OTHER = address("10.0.0.7");

    private final AtomicReference<MetadataImage> image = new AtomicReference<>(MetadataImage.EMPTY);
    private AclAuthorizer authorizer = authorizer(false);

    private AclAuthorizer authorizer(boolean allowEveryoneIfNoAclFound) {
        return new AclAuthorizer(() -> image.get().acls(), Set.of(ADMIN), allowEveryoneIfNoAclFound);
    }

    private Uuid add(ResourceType type, String name, PatternType pattern, String principal, String host,
                     AclOperation operation, AclPermissionType permission) {
        return add(Uuid.randomUuid(), type, name, pattern, principal, host, operation, permission);
    }

    private Uuid add(Uuid id, ResourceType type, String name, PatternType pattern, String principal, String host,
                     AclOperation operation, AclPermissionType permission) {
        MetadataDelta delta = new MetadataDelta(image.get());
        delta.replay(new AccessControlEntryRecord(id, type, name, pattern, principal, host, operation, permission));
        image.set(delta.apply(image.get().appliedOffset() + 1));
        return id;
    }

    private Uuid allow(ResourceType type, String name, PatternType pattern, AclOperation operation) {
        return add(type, name, pattern, "User:alice", "*", operation, ALLOW);
    }

    private boolean alice(AclOperation operation, ResourceType type, String name) {
        return authorizer.authorize(ALICE, LOCAL, operation, type, name);
    }

    @Test
    void superUserMayDoEverythingEvenWhenDenied() {
        add(TOPIC, "*", LITERAL, "User:*", "*", ALL, DENY);

        assertThat(authorizer.authorize(ADMIN, LOCAL, WRITE, TOPIC, "t")).isTrue();
        assertThat(authorizer.authorize(new KafkaPrincipal("User", "admin"), LOCAL, ALTER, CLUSTER, "kafka-cluster"))
                .isTrue();
    }

    @Test
    void noAclDeniesByDefault() {
        assertThat(alice(READ, TOPIC, "t")).isFalse();
        assertThat(alice(READ, GROUP, "g")).isFalse();
    }

    @Test
    void literalAllowCoversOnlyThatName() {
        allow(TOPIC, "orders", LITERAL, READ);

        assertThat(alice(READ, TOPIC, "orders")).isTrue();
        assertThat(alice(READ, TOPIC, "orders2")).isFalse();
        assertThat(alice(READ, GROUP, "orders")).as("another resource type").isFalse();
        assertThat(alice(WRITE, TOPIC, "orders")).as("another operation").isFalse();
    }

    @Test
    void prefixedAllowCoversEveryNameStartingWithThePrefix() {
        allow(TOPIC, "sales-", PREFIXED, WRITE);

        assertThat(alice(WRITE, TOPIC, "sales-eu")).isTrue();
        assertThat(alice(WRITE, TOPIC, "sales-")).isTrue();
        assertThat(alice(WRITE, TOPIC, "sales")).isFalse();
        assertThat(alice(WRITE, TOPIC, "presales-eu")).isFalse();
    }

    @Test
    void wildcardResourceCoversEveryName() {
        allow(GROUP, "*", LITERAL, READ);

        assertThat(alice(READ, GROUP, "any-group")).isTrue();
        assertThat(alice(READ, TOPIC, "any-topic")).isFalse();
    }

    @Test
    void denyWinsOverAllowWhereverEitherComesFrom() {
        allow(TOPIC, "*", LITERAL, READ);
        add(TOPIC, "secret-", PREFIXED, "User:alice", "*", READ, DENY);

        assertThat(alice(READ, TOPIC, "public")).isTrue();
        assertThat(alice(READ, TOPIC, "secret-plans")).isFalse();
    }

    @Test
    void hostMustBeTheWildcardOrTheClientsAddress() {
        add(TOPIC, "t", LITERAL, "User:alice", "10.0.0.7", READ, ALLOW);

        assertThat(authorizer.authorize(ALICE, OTHER, READ, TOPIC, "t")).isTrue();
        assertThat(authorizer.authorize(ALICE, LOCAL, READ, TOPIC, "t")).isFalse();
    }

    @Test
    void principalMustMatchOrBeTheUserWildcard() {
        allow(TOPIC, "t", LITERAL, READ);
        assertThat(authorizer.authorize(BOB, LOCAL, READ, TOPIC, "t")).isFalse();

        add(TOPIC, "u", LITERAL, "User:*", "*", READ, ALLOW);
        assertThat(authorizer.authorize(BOB, LOCAL, READ, TOPIC, "u")).isTrue();
    }

    @Test
    void readWriteDeleteAndAlterImplyDescribe() {
        for (AclOperation operation : new AclOperation[] {READ, WRITE, DELETE, ALTER}) {
            allow(TOPIC, "t-" + operation, LITERAL, operation);
            assertThat(alice(DESCRIBE, TOPIC, "t-" + operation)).as(operation.toString()).isTrue();
        }
        allow(TOPIC, "t-create", LITERAL, CREATE);
        assertThat(alice(DESCRIBE, TOPIC, "t-create")).as("CREATE implies nothing").isFalse();
    }

    @Test
    void alterConfigsImpliesDescribeConfigs() {
        allow(TOPIC, "t", LITERAL, ALTER_CONFIGS);

        assertThat(alice(DESCRIBE_CONFIGS, TOPIC, "t")).isTrue();
        assertThat(alice(DESCRIBE, TOPIC, "t")).isFalse();
    }

    @Test
    void denyImpliesNothing() {
        allow(TOPIC, "t", LITERAL, DESCRIBE);
        add(TOPIC, "t", LITERAL, "User:alice", "*", READ, DENY);

        assertThat(alice(DESCRIBE, TOPIC, "t")).isTrue();
        assertThat(alice(READ, TOPIC, "t")).isFalse();
    }

    @Test
    void allAllowsAndDeniesEveryOperation() {
        allow(TRANSACTIONAL_ID, "tx", LITERAL, ALL);
        assertThat(alice(WRITE, TRANSACTIONAL_ID, "tx")).isTrue();
        assertThat(alice(DESCRIBE, TRANSACTIONAL_ID, "tx")).isTrue();

        add(TRANSACTIONAL_ID, "tx", LITERAL, "User:alice", "*", ALL, DENY);
        assertThat(alice(DESCRIBE, TRANSACTIONAL_ID, "tx")).isFalse();
    }

    @Test
    void allowEveryoneIfNoAclFoundOpensOnlyResourcesWithoutAcls() {
        authorizer = authorizer(true);
        add(TOPIC, "guarded", LITERAL, "User:bob", "*", READ, ALLOW);

        assertThat(alice(READ, TOPIC, "open")).isTrue();
        assertThat(alice(READ, TOPIC, "guarded")).as("an ACL for someone else exists").isFalse();
    }

    @Test
    void removedAclsStopApplying() {
        Uuid id = allow(TOPIC, "t", LITERAL, READ);
        assertThat(alice(READ, TOPIC, "t")).isTrue();

        MetadataDelta delta = new MetadataDelta(image.get());
        delta.replay(new RemoveAccessControlEntryRecord(id));
        image.set(delta.apply(image.get().appliedOffset() + 1));

        assertThat(alice(READ, TOPIC, "t")).isFalse();
    }

    @Test
    void byResourceTypeAllowsWhenSomeResourceIsAllowedAndNotDenied() {
        assertThat(authorizer.authorizeByResourceType(ALICE, LOCAL, WRITE, TOPIC)).isFalse();

        allow(TOPIC, "t", LITERAL, WRITE);
        assertThat(authorizer.authorizeByResourceType(ALICE, LOCAL, WRITE, TOPIC)).isTrue();
        assertThat(authorizer.authorizeByResourceType(ALICE, LOCAL, READ, TOPIC)).isFalse();

        add(TOPIC, "t", PREFIXED, "User:alice", "*", WRITE, DENY);
        assertThat(authorizer.authorizeByResourceType(ALICE, LOCAL, WRITE, TOPIC)).as("denied by a prefix").isFalse();

        allow(TOPIC, "*", LITERAL, WRITE);
        assertThat(authorizer.authorizeByResourceType(ALICE, LOCAL, WRITE, TOPIC)).isTrue();
        add(TOPIC, "*", LITERAL, "User:alice", "*", WRITE, DENY);
        assertThat(authorizer.authorizeByResourceType(ALICE, LOCAL, WRITE, TOPIC)).isFalse();
        assertThat(authorizer.authorizeByResourceType(ADMIN, LOCAL, WRITE, TOPIC)).isTrue();
    }

    @Test
    void byResourceTypeWildcardDenyWinsWhicheverAclIsStoredFirst() {
        for (boolean allowFirst : new boolean[] {true, false}) {
            image.set(MetadataImage.EMPTY);
            add(new Uuid(1, allowFirst ? 1 : 2), TOPIC, "*", LITERAL, "User:alice", "*", WRITE, ALLOW);
            add(new Uuid(1, allowFirst ? 2 : 1), TOPIC, "*", LITERAL, "User:alice", "*", WRITE, DENY);

            assertThat(authorizer.authorizeByResourceType(ALICE, LOCAL, WRITE, TOPIC)).as("allowFirst=" + allowFirst)
                    .isFalse();
        }
    }

    @Test
    void configAcceptsKafkasStandardAuthorizerAndRefusesOthers() {
        AuthorizerConfig config = AuthorizerConfig.from(Map.of(
                AuthorizerConfig.AUTHORIZER_CLASS_NAME, AuthorizerConfig.KAFKA_STANDARD_AUTHORIZER,
                AuthorizerConfig.SUPER_USERS, "User:admin; User:ops"));
        assertThat(config.enabled()).isTrue();
        assertThat(config.superUsers()).containsExactlyInAnyOrder(ADMIN, new KafkaPrincipal("User", "ops"));
        assertThat(config.allowEveryoneIfNoAclFound()).isFalse();
        assertThat(AuthorizerConfig.from(Map.of()).enabled()).isFalse();

        assertThatThrownBy(() -> AuthorizerConfig.from(Map.of(AuthorizerConfig.AUTHORIZER_CLASS_NAME,
                "kafka.security.authorizer.AclAuthorizer")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("authorizer.class.name");
        assertThatThrownBy(() -> AuthorizerConfig.from(Map.of(AuthorizerConfig.SUPER_USERS, "admin")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("super.users");
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
