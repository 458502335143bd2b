package io.strand.broker.api.share;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.coordinator.share.ShareCoordinator;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.DeleteShareGroupStateResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.DeleteShareGroupStateRequest;

/**
 * DeleteShareGroupState (v0, KIP-932): removes share-partitions' state (a tombstone each).
 * Served by the share coordinator of each partition's {@code __share_group_state} partition: one this
 * broker does not lead answers NOT_COORDINATOR, one still loading COORDINATOR_LOAD_IN_PROGRESS. Brokers
 * only: the caller needs CLUSTER_ACTION on the cluster, as in Kafka.
 */
public final class DeleteShareGroupStateHandler implements ApiHandler<DeleteShareGroupStateRequest> {

    static final short MIN_VERSION = 0;
    static final short MAX_VERSION = 0;

    private final ShareCoordinator coordinator;

    public DeleteShareGroupStateHandler(ShareCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_SHARE_GROUP_STATE;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<DeleteShareGroupStateResponseData> handle(RequestContext context, DeleteShareGroupStateRequest request) {
        return coordinator.delete(request.data());
    }
}
