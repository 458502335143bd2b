package io.strand.broker.controller;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

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
}
