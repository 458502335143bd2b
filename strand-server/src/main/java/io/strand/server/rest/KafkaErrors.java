package io.strand.server.rest;

import io.strand.server.http.HttpException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.Errors;

/**
 * Kafka's errors as the REST API answers them: the HTTP status REST Proxy v3 gives the case, and a
 * message that starts with Kafka's error name ({@code UNKNOWN_TOPIC_OR_PARTITION: ...}). Stateless.
 */
final class KafkaErrors {

    private KafkaErrors() {
    }

    /** {@code failure} (unwrapped from completion wrappers) as an {@link HttpException}. */
    static HttpException toHttp(Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof HttpException http) {
            return http;
        }
        if (cause instanceof ApiException api) {
            Errors error = Errors.forException(api);
            return new HttpException(status(error), error.name() + ": " + api.getMessage());
        }
        if (cause instanceof RejectedExecutionException) {
            return new HttpException(503, "The HTTP API is busy (or the node stopping): try again");
        }
        return new HttpException(500, "UNKNOWN_SERVER_ERROR: " + cause);
    }

    static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** The HTTP status of Kafka's {@code error}. */
    static int status(Errors error) {
        return switch (error) {
            case UNKNOWN_TOPIC_OR_PARTITION, UNKNOWN_TOPIC_ID, GROUP_ID_NOT_FOUND, RESOURCE_NOT_FOUND,
                 BROKER_NOT_AVAILABLE -> 404;
            case TOPIC_ALREADY_EXISTS, NON_EMPTY_GROUP, UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS -> 409;
            case TOPIC_AUTHORIZATION_FAILED, GROUP_AUTHORIZATION_FAILED, CLUSTER_AUTHORIZATION_FAILED,
                 TRANSACTIONAL_ID_AUTHORIZATION_FAILED, DELEGATION_TOKEN_AUTHORIZATION_FAILED -> 403;
            case REQUEST_TIMED_OUT -> 504;
            case NOT_CONTROLLER, COORDINATOR_NOT_AVAILABLE, COORDINATOR_LOAD_IN_PROGRESS, NOT_COORDINATOR,
                 LEADER_NOT_AVAILABLE, NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS,
                 NOT_ENOUGH_REPLICAS_AFTER_APPEND, KAFKA_STORAGE_ERROR, NETWORK_EXCEPTION -> 503;
            case POLICY_VIOLATION, RECORD_LIST_TOO_LARGE, MESSAGE_TOO_LARGE, UNSUPPORTED_COMPRESSION_TYPE,
                 UNSUPPORTED_VERSION, OFFSET_OUT_OF_RANGE -> 400;
            default -> error.name().startsWith("INVALID_") ? 400 : 500;
        };
    }
}
