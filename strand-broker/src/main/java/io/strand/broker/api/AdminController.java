package io.strand.broker.api;

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

/**
 * The controller operations the admin handlers forward to, with this broker's defaults (partition
 * count, replication factor, which broker configs are dynamic) already bound. Implemented over
 * {@code QuorumController} by {@link AdminHandlers}; tests give their own.
 *
 * <p>Every method may be called from any thread, returns at once, and completes its future once the
 * change is committed and applied to the metadata image (or rejected); per-entry errors are in the
 * response, a failed future means the whole request failed.
 */
public interface AdminController {

    CompletableFuture<CreateTopicsResponseData> createTopics(CreateTopicsRequestData request);

    CompletableFuture<DeleteTopicsResponseData> deleteTopics(DeleteTopicsRequestData request);

    CompletableFuture<CreatePartitionsResponseData> createPartitions(CreatePartitionsRequestData request);

    CompletableFuture<IncrementalAlterConfigsResponseData> incrementalAlterConfigs(
            IncrementalAlterConfigsRequestData request);

    /** Legacy AlterConfigs: the given configs replace every override of each resource. */
    CompletableFuture<AlterConfigsResponseData> legacyAlterConfigs(AlterConfigsRequestData request);
}
