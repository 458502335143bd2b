package io.strand.broker.api.admin;

import io.strand.broker.controller.ControllerChannel;
import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AlterPartitionReassignmentsRequest;

/**
 * AlterPartitionReassignments (v0–1, as Kafka 4.3 advertises): forwarded as it is to the active
 * controller through the {@link ControllerChannel}, as Kafka's brokers forward it; the controller
 * starts, replaces or cancels (null replicas) each partition's reassignment and answers per
 * partition. v1 adds {@code allowReplicationFactorChange}, which the request data defaults to true
 * for v0.
 *
 * <p>As Kafka answers before its controller starts: no topics named is answered at once with the
 * default answer; {@code timeout_ms} ≤ 0 is REQUEST_TIMED_OUT for the whole request
 * ({@link ControllerDeadline}).
 *
 * <p>When the request as a whole fails (no active controller in time, the channel closed), every
 * partition named and the top level get that error, as Kafka's error response does. Never blocks:
 * the response completes when the controller's future does.
 */
public final class AlterPartitionReassignmentsHandler implements ApiHandler<AlterPartitionReassignmentsRequest> {

    static final short MIN_VERSION = 0;
    static final short MAX_VERSION = 1;

    private final ControllerChannel controller;

    public AlterPartitionReassignmentsHandler(ControllerChannel controller) {
        this.controller = controller;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ALTER_PARTITION_REASSIGNMENTS;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<AlterPartitionReassignmentsResponseData> handle(RequestContext context,
                                                                             AlterPartitionReassignmentsRequest request) {
        if (request.data().topics().isEmpty()) {
            // As Kafka's controller: nothing to do, and the answer is its default one (which says
            // allow_replication_factor_change=true whatever the request said).
            return CompletableFuture.completedFuture(new AlterPartitionReassignmentsResponseData());
        }
        if (ControllerDeadline.passed(request.data().timeoutMs())) {
            return ControllerDeadline.timedOut(request, request.data().timeoutMs(),
                    AlterPartitionReassignmentsResponseData.class);
        }
        return controller.forward(request, AlterPartitionReassignmentsResponseData.class);
    }
}
