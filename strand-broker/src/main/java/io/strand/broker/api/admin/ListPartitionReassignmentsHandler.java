package io.strand.broker.api.admin;

import io.strand.broker.controller.ControllerChannel;
import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.ListPartitionReassignmentsRequest;

/**
 * ListPartitionReassignments (v0): forwarded to the active controller through the
 * {@link ControllerChannel}, as Kafka's brokers forward it, so the answer is the controller's
 * latest state and agrees with the AlterPartitionReassignments it just acknowledged. The controller
 * answers the partitions with a reassignment under way (all, when the request names no topics),
 * leaving out unknown topics and partitions.
 *
 * <p>When the request as a whole fails (no active controller in time, the channel closed) the
 * answer is Kafka's error response: that error at the top level, the named partitions without
 * replicas. Never blocks.
 */
public final class ListPartitionReassignmentsHandler implements ApiHandler<ListPartitionReassignmentsRequest> {

    static final short MIN_VERSION = 0;
    static final short MAX_VERSION = 0;

    private final ControllerChannel controller;

    public ListPartitionReassignmentsHandler(ControllerChannel controller) {
        this.controller = controller;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LIST_PARTITION_REASSIGNMENTS;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<ListPartitionReassignmentsResponseData> handle(RequestContext context,
                                                                            ListPartitionReassignmentsRequest request) {
        return controller.forward(request, ListPartitionReassignmentsResponseData.class);
    }
}
