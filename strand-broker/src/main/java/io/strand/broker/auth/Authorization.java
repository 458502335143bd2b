package io.strand.broker.auth;

import io.strand.broker.network.RequestContext;
import io.strand.coordinator.group.TopicAccess;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.utils.Utils;

/**
 * The one place request handling asks "may the caller of this request do that?", as Kafka's
 * {@code AuthHelper}: the caller is the request's {@link RequestContext#principal()} from its client
 * address, the answer comes from the {@link AclAuthorizer}. The checks of the APIs
 * ({@link AuthorizingHandlers}) use only this class.
 *
 * <p>Without an authorizer ({@link #NONE}) every check allows and the authorized-operations bit fields
 * hold every operation the resource type supports, as Kafka's broker without an authorizer answers.
 * Every decision goes to the authorizer log ({@link AuthorizerLog}, Kafka's {@code kafka.authorizer.logger}).
 * Thread-safe; stateless beyond the authorizer.
 */
public final class Authorization {

    /** The name of the one cluster resource. */
    public static final String CLUSTER_NAME = "kafka-cluster";

    /** No authorizer configured: everything allowed. */
    public static final Authorization NONE = new Authorization(null);

    private static final Map<ResourceType, Set<AclOperation>> SUPPORTED = Map.of(
            ResourceType.TOPIC, EnumSet.of(AclOperation.READ, AclOperation.WRITE, AclOperation.CREATE,
                    AclOperation.DESCRIBE, AclOperation.DELETE, AclOperation.ALTER, AclOperation.DESCRIBE_CONFIGS,
                    AclOperation.ALTER_CONFIGS),
            ResourceType.GROUP, EnumSet.of(AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DELETE,
                    AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS),
            ResourceType.CLUSTER, EnumSet.of(AclOperation.CREATE, AclOperation.CLUSTER_ACTION,
                    AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS, AclOperation.IDEMPOTENT_WRITE,
                    AclOperation.ALTER, AclOperation.DESCRIBE),
            ResourceType.TRANSACTIONAL_ID, EnumSet.of(AclOperation.DESCRIBE, AclOperation.WRITE),
            ResourceType.DELEGATION_TOKEN, EnumSet.of(AclOperation.DESCRIBE),
            ResourceType.USER, EnumSet.of(AclOperation.CREATE_TOKENS, AclOperation.DESCRIBE_TOKENS));

    private final AclAuthorizer authorizer;
    private final AuthorizerLog log;

    public Authorization(AclAuthorizer authorizer) {
        this(authorizer, new AuthorizerLog());
    }

    Authorization(AclAuthorizer authorizer, AuthorizerLog log) {
        this.authorizer = authorizer;
        this.log = log;
    }

    /** Whether an authorizer is configured; when false every check allows. */
    public boolean enabled() {
        return authorizer != null;
    }

    /**
     * Whether the caller may do {@code operation} on the resource, asked outright: a denial becomes an
     * authorization error and is logged at INFO on {@value AuthorizerLog#LOGGER_NAME} (an allow at DEBUG).
     */
    public boolean authorize(RequestContext context, AclOperation operation, ResourceType type, String name) {
        return check(context, operation, type, name, AuthorizerLog.Kind.EXPLICIT);
    }

    public boolean authorizeCluster(RequestContext context, AclOperation operation) {
        return authorize(context, operation, ResourceType.CLUSTER, CLUSTER_NAME);
    }

    /**
     * {@link #authorize}, for a decision whose denial only narrows the answer: a listing that leaves out
     * what the caller may not describe, or a cluster-wide shortcut before a per-resource check. A denial
     * is logged only at TRACE, as Kafka's {@code logIfDenied = false}.
     */
    public boolean authorizeFilter(RequestContext context, AclOperation operation, ResourceType type, String name) {
        return check(context, operation, type, name, AuthorizerLog.Kind.FILTER);
    }

    /** {@link #authorizeFilter} on the cluster resource. */
    public boolean authorizeClusterFilter(RequestContext context, AclOperation operation) {
        return authorizeFilter(context, operation, ResourceType.CLUSTER, CLUSTER_NAME);
    }

    private boolean check(RequestContext context, AclOperation operation, ResourceType type, String name,
                          AuthorizerLog.Kind kind) {
        if (authorizer == null) {
            return true;
        }
        InetAddress host = address(context);
        boolean allowed = authorizer.authorize(context.principal(), host, operation, type, name);
        log.log(allowed, kind, context.principal(), host, operation, type, name,
                context.apiKey() == null ? null : context.apiKey().name);
        return allowed;
    }

    /**
     * For a caller that reaches the broker other than by a Kafka request (the node's HTTP API): whether
     * {@code principal} from {@code host} may do {@code operation} on {@code type}/{@code name}. A
     * {@code filter} decision only narrows an answer (a listing): its denial is logged at TRACE, an
     * outright one at INFO; the log line names {@code request} (an HTTP method and path).
     */
    public boolean authorize(KafkaPrincipal principal, InetAddress host, AclOperation operation, ResourceType type,
                             String name, boolean filter, String request) {
        if (authorizer == null) {
            return true;
        }
        boolean allowed = authorizer.authorize(principal, host, operation, type, name);
        log.log(allowed, filter ? AuthorizerLog.Kind.FILTER : AuthorizerLog.Kind.EXPLICIT, principal, host,
                operation, type, name, request);
        return allowed;
    }

    /**
     * Whether the caller may do {@code operation} on some resource of {@code type} (Kafka's
     * authorizeByResourceType, which writes no authorizer log line either).
     */
    public boolean authorizeAny(RequestContext context, AclOperation operation, ResourceType type) {
        return authorizer == null
                || authorizer.authorizeByResourceType(context.principal(), address(context), operation, type);
    }

    /**
     * The topics the caller may DESCRIBE, asked later on its behalf (a consumer group member's regex
     * resolved at each rebalance): keeps the principal and address, not the request.
     */
    public TopicAccess topicDescribeAccess(RequestContext context) {
        if (authorizer == null) {
            return TopicAccess.ALL;
        }
        KafkaPrincipal principal = context.principal();
        InetAddress host = address(context);
        ApiKeys api = context.apiKey();
        return topic -> {
            boolean allowed = authorizer.authorize(principal, host, AclOperation.DESCRIBE, ResourceType.TOPIC, topic);
            log.log(allowed, AuthorizerLog.Kind.FILTER, principal, host, AclOperation.DESCRIBE, ResourceType.TOPIC,
                    topic, api == null ? null : api.name);
            return allowed;
        };
    }

    /** @throws ClusterAuthorizationException unless the caller may do {@code operation} on the cluster */
    public void requireCluster(RequestContext context, AclOperation operation) {
        if (!authorizeCluster(context, operation)) {
            throw new ClusterAuthorizationException("Request " + context.apiKey() + " is not authorized.");
        }
    }

    /** @throws GroupAuthorizationException unless the caller may do {@code operation} on group {@code groupId} */
    public void requireGroup(RequestContext context, AclOperation operation, String groupId) {
        if (!authorize(context, operation, ResourceType.GROUP, groupId)) {
            throw new GroupAuthorizationException("Not authorized to access group: " + groupId);
        }
    }

    /** @throws TransactionalIdAuthorizationException unless the caller may do {@code operation} on the id */
    public void requireTransactionalId(RequestContext context, AclOperation operation, String transactionalId) {
        if (!authorize(context, operation, ResourceType.TRANSACTIONAL_ID, transactionalId)) {
            throw new TransactionalIdAuthorizationException("Transactional Id authorization failed.");
        }
    }

    /**
     * The authorized-operations bit field of a resource (a bit per {@link AclOperation#code()}): those of
     * the operations {@code type} supports that the caller may do; all of them without an authorizer.
     */
    public int authorizedOperations(RequestContext context, ResourceType type, String name) {
        Set<Byte> codes = new HashSet<>();
        for (AclOperation operation : SUPPORTED.get(type)) {
            if (check(context, operation, type, name, AuthorizerLog.Kind.OPERATIONS)) {
                codes.add(operation.code());
            }
        }
        return Utils.to32BitField(codes);
    }

    private static InetAddress address(RequestContext context) {
        return context.clientAddress() instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }
}
