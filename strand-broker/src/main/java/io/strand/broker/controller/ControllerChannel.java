package io.strand.broker.controller;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractRequest;

/**
 * Sends a broker→controller request to the active controller, wherever it runs, as Kafka's brokers
 * do over the controller listener: BrokerRegistration, BrokerHeartbeat, AlterPartition,
 * AllocateProducerIds, ElectLeaders, AlterPartitionReassignments, ListPartitionReassignments,
 * DescribeQuorum, and the admin requests a broker forwards (CreateTopics,
 * DeleteTopics, CreatePartitions, IncrementalAlterConfigs, AlterConfigs).
 *
 * <p>{@code request} is the request's data ({@code CreateTopicsRequestData}, …), filled as the API's
 * latest version reads it; the future completes with the response's data of the same API
 * ({@code CreateTopicsResponseData}, …), per-item errors inside it as the controller answered. It
 * fails with a Kafka {@link org.apache.kafka.common.errors.ApiException} when the request as a whole
 * failed: {@link org.apache.kafka.common.errors.TimeoutException} when no active controller answered
 * in time, {@link org.apache.kafka.common.errors.NotControllerException} when the channel is closed,
 * or the error the controller failed the request with.
 *
 * <p>Thread-safe; never blocks; futures complete on the channel's threads (do not block there).
 */
@FunctionalInterface
public interface ControllerChannel {

    CompletableFuture<ApiMessage> send(ApiKeys api, ApiMessage request);

    /**
     * Forwards a client's request as it is (a copy of its data) and completes with the controller's
     * response data; when the request as a whole fails, with the API's own error response for that
     * failure ({@link AbstractRequest#getErrorResponse(int, Throwable)}), as a Kafka broker answers a
     * forwarded request the controller could not take. The future never fails.
     */
    default <D extends ApiMessage> CompletableFuture<D> forward(AbstractRequest request, Class<D> responseData) {
        return send(request.apiKey(), (ApiMessage) request.data().duplicate())
                .thenApply(responseData::cast)
                .exceptionally(failure -> responseData.cast(request.getErrorResponse(0, cause(failure)).data()));
    }

    private static Throwable cause(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }
}
