package io.strand.broker.api.admin;

import io.strand.broker.api.AdminController;
import io.strand.broker.controller.ControllerChannel;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * The admin operations forwarded to the active controller through the {@link ControllerChannel},
 * as a Kafka broker forwards them: the handler's checked request data goes as it is, and the
 * controller's response data comes back. The controller applies its own topic defaults and broker
 * config rules. Thread-safe; stateless.
 */
final class ForwardingAdminController implements AdminController {

    private final ControllerChannel channel;

    ForwardingAdminController(ControllerChannel channel) {
        this.channel = channel;
    }

    @Override
    public CompletableFuture<CreateTopicsResponseData> createTopics(CreateTopicsRequestData request) {
        return channel.send(ApiKeys.CREATE_TOPICS, request).thenApply(CreateTopicsResponseData.class::cast);
    }

    @Override
    public CompletableFuture<DeleteTopicsResponseData> deleteTopics(DeleteTopicsRequestData request) {
        return channel.send(ApiKeys.DELETE_TOPICS, request).thenApply(DeleteTopicsResponseData.class::cast);
    }

    @Override
    public CompletableFuture<CreatePartitionsResponseData> createPartitions(CreatePartitionsRequestData request) {
        return channel.send(ApiKeys.CREATE_PARTITIONS, request).thenApply(CreatePartitionsResponseData.class::cast);
    }

    @Override
    public CompletableFuture<IncrementalAlterConfigsResponseData> incrementalAlterConfigs(
            IncrementalAlterConfigsRequestData request) {
        return channel.send(ApiKeys.INCREMENTAL_ALTER_CONFIGS, request)
                .thenApply(IncrementalAlterConfigsResponseData.class::cast);
    }

    @Override
    public CompletableFuture<AlterConfigsResponseData> legacyAlterConfigs(AlterConfigsRequestData request) {
        return channel.send(ApiKeys.ALTER_CONFIGS, request).thenApply(AlterConfigsResponseData.class::cast);
    }
}
