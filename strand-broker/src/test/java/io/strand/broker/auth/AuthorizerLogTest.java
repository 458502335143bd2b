package io.strand.broker.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.network.RequestContext;
import io.strand.metadata.image.MetadataDelta;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.record.AccessControlEntryRecord;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.Test;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.AbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/**
 * The authorizer log ({@code kafka.authorizer.logger}): a denial asked for outright at INFO, an allow
 * at DEBUG, a denial that only narrows an answer or fills authorized operations at TRACE.
 * {@code User:alice} may WRITE topic {@code allowed} only.
 */
class AuthorizerLogTest {

    private static final KafkaPrincipal ALICE = new KafkaPrincipal("User", "alice");

    private final MetadataImage image = image();
    private final CapturingLogger logger = new CapturingLogger();
    private final Authorization auth = new Authorization(
            new AclAuthorizer(image::acls, Set.of(new KafkaPrincipal("User", "admin")), false), new AuthorizerLog(logger));

    private static MetadataImage image() {
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        delta.replay(new AccessControlEntryRecord(Uuid.randomUuid(), ResourceType.TOPIC, "allowed",
                PatternType.LITERAL, "User:alice", "*", AclOperation.WRITE, AclPermissionType.ALLOW));
        return delta.apply(1);
    }

    private static RequestContext context(ApiKeys api) {
        return new RequestContext(new RequestHeader(api, api.latestVersion(), "c", 1),
                new InetSocketAddress("127.0.0.1", 40000), "CLIENT", SecurityProtocol.PLAINTEXT, ALICE, 0L, null);
    }

    @Test
    void aDenialIsLoggedAtInfoWithPrincipalOperationHostResourceAndRequest() {
        assertThat(AuthorizerLog.LOGGER_NAME).isEqualTo("kafka.authorizer.logger");
        logger.level = Level.INFO;

        assertThat(auth.authorize(context(ApiKeys.PRODUCE), AclOperation.WRITE, ResourceType.TOPIC, "secret")).isFalse();

        assertThat(logger.events).containsExactly("INFO Principal = User:alice is Denied operation = WRITE from host = "
                + "127.0.0.1 on resource = Topic:LITERAL:secret for request = Produce");
    }

    @Test
    void anAllowIsLoggedOnlyAtDebug() {
        logger.level = Level.INFO;
        assertThat(auth.authorize(context(ApiKeys.PRODUCE), AclOperation.WRITE, ResourceType.TOPIC, "allowed")).isTrue();
        assertThat(logger.events).isEmpty();

        logger.level = Level.DEBUG;
        auth.authorize(context(ApiKeys.PRODUCE), AclOperation.WRITE, ResourceType.TOPIC, "allowed");
        assertThat(logger.events).containsExactly("DEBUG Principal = User:alice is Allowed operation = WRITE from host = "
                + "127.0.0.1 on resource = Topic:LITERAL:allowed for request = Produce");
    }

    @Test
    void denialsThatOnlyNarrowAnAnswerAreLoggedAtTrace() {
        logger.level = Level.DEBUG;
        RequestContext metadata = context(ApiKeys.METADATA);
        assertThat(auth.authorizeFilter(metadata, AclOperation.DESCRIBE, ResourceType.TOPIC, "secret")).isFalse();
        assertThat(auth.authorizeClusterFilter(metadata, AclOperation.CREATE)).isFalse();
        assertThat(auth.topicDescribeAccess(context(ApiKeys.CONSUMER_GROUP_HEARTBEAT)).mayDescribe("secret")).isFalse();
        auth.authorizedOperations(metadata, ResourceType.TOPIC, "allowed");
        assertThat(logger.events).isEmpty();

        logger.level = Level.TRACE;
        auth.authorizeFilter(metadata, AclOperation.DESCRIBE, ResourceType.TOPIC, "secret");
        assertThat(logger.events).containsExactly("TRACE Principal = User:alice is Denied operation = DESCRIBE from "
                + "host = 127.0.0.1 on resource = Topic:LITERAL:secret for request = Metadata");
    }

    /** A logger that keeps "LEVEL message" of what it would write at {@link #level} and above. */
    private static final class CapturingLogger extends AbstractLogger {
        Level level = Level.INFO;
        final List<String> events = new ArrayList<>();

        private boolean enabled(Level at) {
            return at.toInt() >= level.toInt();
        }

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level at, Marker marker, String pattern, Object[] arguments,
                                                   Throwable throwable) {
            events.add(at + " " + MessageFormatter.basicArrayFormat(pattern, arguments));
        }

        @Override
        public boolean isTraceEnabled() {
            return enabled(Level.TRACE);
        }

        @Override
        public boolean isTraceEnabled(Marker marker) {
            return isTraceEnabled();
        }

        @Override
        public boolean isDebugEnabled() {
            return enabled(Level.DEBUG);
        }

        @Override
        public boolean isDebugEnabled(Marker marker) {
            return isDebugEnabled();
        }

        @Override
        public boolean isInfoEnabled() {
            return enabled(Level.INFO);
        }

        @Override
        public boolean isInfoEnabled(Marker marker) {
            return isInfoEnabled();
        }

        @Override
        public boolean isWarnEnabled() {
            return enabled(Level.WARN);
        }

        @Override
        public boolean isWarnEnabled(Marker marker) {
            return isWarnEnabled();
        }

        @Override
        public boolean isErrorEnabled() {
            return enabled(Level.ERROR);
        }

        @Override
        public boolean isErrorEnabled(Marker marker) {
            return isErrorEnabled();
        }
    }
}
