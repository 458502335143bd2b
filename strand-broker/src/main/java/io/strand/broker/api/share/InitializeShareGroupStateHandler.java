package io.strand.broker.api.share;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.coordinator.share.ShareCoordinator;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.InitializeShareGroupStateResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.InitializeShareGroupStateRequest;

/**
 * InitializeShareGroupState (v0, KIP-932): sets a share-partition's state epoch and start offset, with no
 * records in flight.
 * Served by the share coordinator of each partition's {@code __share_group_state} partition: one this
 * broker does not lead answers NOT_COORDINATOR, one still loading COORDINATOR_LOAD_IN_PROGRESS. Brokers
 * only: the caller needs CLUSTER_ACTION on the cluster, as in Kafka.
 */
public final class InitializeShareGroupStateHandler implements ApiHandler<InitializeShareGroupStateRequest> {

    static final short MIN_VERSION = 0;
    static final short MAX_VERSION = 0;

    private final ShareCoordinator coordinator;

    public InitializeShareGroupStateHandler(ShareCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.INITIALIZE_SHARE_GROUP_STATE;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<InitializeShareGroupStateResponseData> handle(RequestContext context, InitializeShareGroupStateRequest request) {
        return coordinator.initialize(request.data());
    }
}
