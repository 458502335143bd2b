package io.strand.server.rest;

import io.strand.broker.auth.Authorization;
import io.strand.server.http.HttpCall;
import io.strand.server.http.HttpException;
import java.util.function.Supplier;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Authorizes each REST call as its caller ({@link HttpCall#caller()}: the principal the HTTP gate
 * established, the client's address as the host) with the node's authorizer, before the call acts:
 * the route's {@link RestAcls} rule at once, finer checks (topics of a listing, of a reset) as the
 * resources ask. A denial is a 403 whose message starts with Kafka's error name for the resource
 * type: {@code TOPIC_AUTHORIZATION_FAILED}, {@code GROUP_AUTHORIZATION_FAILED},
 * {@code CLUSTER_AUTHORIZATION_FAILED}. Decisions go to Kafka's authorizer log, the request named as
 * {@code METHOD path}. Super users ({@code super.users}) pass every check, as the authorizer decides.
 *
 * <p>Why here: the API's clients connect to the node's PLAINTEXT listener as {@code User:ANONYMOUS}
 * ({@link KafkaAccess}), so the broker cannot tell HTTP callers apart; the HTTP side is trusted to
 * check first. Without an authorizer every check passes. Thread-safe; stateless beyond the supplier.
 */
final class RestAuthorizer {

    private final Supplier<Authorization> authorization;

    /** @param authorization the node's, once its broker serves (the supplier throws a 503 before) */
    RestAuthorizer(Supplier<Authorization> authorization) {
        this.authorization = authorization;
    }

    /**
     * Applies the rule of {@code call}'s route.
     *
     * @throws HttpException 403 on a denial; 500 for a route without a rule
     */
    void beforeActing(HttpCall call) {
        RestAcls.Rule rule = RestAcls.rule(call.method(), call.route()).orElseThrow(() -> new HttpException(500,
                "UNKNOWN_SERVER_ERROR: no authorization rule for " + call.method().name() + " " + call.route()));
        switch (rule.kind()) {
            case AUTHENTICATED, LISTING -> { }
            case CLUSTER -> require(call, rule.operation(), ResourceType.CLUSTER, Authorization.CLUSTER_NAME);
            case TOPIC -> require(call, rule.operation(), ResourceType.TOPIC, call.param("topic_name"));
            case GROUP -> require(call, rule.operation(), ResourceType.GROUP, call.param("consumer_group_id"));
            case CREATE_TOPIC -> {
                if (!may(call, AclOperation.CREATE, ResourceType.CLUSTER, Authorization.CLUSTER_NAME)) {
                    require(call, AclOperation.CREATE, ResourceType.TOPIC,
                            Json.text(Json.parseObject(call.body()), "topic_name"));
                }
            }
        }
    }

    /** @throws HttpException 403 with Kafka's error name unless the caller may do {@code operation} */
    void require(HttpCall call, AclOperation operation, ResourceType type, String name) {
        if (!authorization.get().authorize(call.caller().principal(), call.caller().address(), operation, type,
                name, false, call.describe())) {
            throw denied(call, operation, type, name);
        }
    }

    /** Whether the caller may do {@code operation}, for narrowing an answer (a denial is logged at TRACE). */
    boolean may(HttpCall call, AclOperation operation, ResourceType type, String name) {
        return authorization.get().authorize(call.caller().principal(), call.caller().address(), operation, type,
                name, true, call.describe());
    }

    static HttpException denied(HttpCall call, AclOperation operation, ResourceType type, String name) {
        Errors error = switch (type) {
            case TOPIC -> Errors.TOPIC_AUTHORIZATION_FAILED;
            case GROUP -> Errors.GROUP_AUTHORIZATION_FAILED;
            case TRANSACTIONAL_ID -> Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
            default -> Errors.CLUSTER_AUTHORIZATION_FAILED;
        };
        return new HttpException(403, error.name() + ": " + call.caller().principal() + " may not "
                + operation.name() + " " + type.name().toLowerCase(java.util.Locale.ROOT) + " " + name);
    }
}
