package io.strand.server.rest;

import io.strand.server.http.HttpCall;
import io.strand.server.http.HttpReply;
import io.strand.server.http.HttpRouter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import org.apache.kafka.common.KafkaFuture;

/**
 * What every REST resource shares: the {@code {cluster_id}} check, failures turned into REST Proxy
 * errors ({@link KafkaErrors}), and kafka-clients' futures as {@link CompletableFuture}s. Stateless.
 */
final class Endpoints {

    private Endpoints() {
    }

    /**
     * An endpoint under {@code /v3/clusters/{cluster_id}}: 403 when the caller lacks the route's ACL
     * ({@link RestAcls}), 404 for another cluster's id, otherwise {@code body}'s answer; any failure
     * (a thrown or failed {@code HttpException}, a Kafka error) becomes its JSON error.
     */
    static HttpRouter.AsyncEndpoint inCluster(KafkaAccess access,
                                              BiFunction<HttpCall, Links, CompletionStage<HttpReply>> body) {
        return call -> guard(() -> {
            access.authorizer().beforeActing(call);
            return access.checkCluster(call.param("cluster_id")).thenCompose(id -> body.apply(call, Links.of(call, id)));
        });
    }

    /** {@code answer}'s reply, any failure mapped by {@link KafkaErrors}. */
    static CompletableFuture<HttpReply> guard(java.util.function.Supplier<CompletionStage<HttpReply>> answer) {
        CompletableFuture<HttpReply> started;
        try {
            started = answer.get().toCompletableFuture();
        } catch (RuntimeException e) {
            started = CompletableFuture.failedFuture(e);
        }
        return started.handle((reply, failure) -> {
            if (failure != null) {
                throw KafkaErrors.toHttp(failure);
            }
            return reply;
        });
    }

    /** {@code future} as a CompletableFuture, completed on the client's thread. */
    static <T> CompletableFuture<T> cf(KafkaFuture<T> future) {
        CompletableFuture<T> result = new CompletableFuture<>();
        future.whenComplete((value, failure) -> {
            if (failure != null) {
                result.completeExceptionally(failure);
            } else {
                result.complete(value);
            }
        });
        return result;
    }
}
