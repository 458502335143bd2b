package io.strand.broker.api.share;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.coordinator.share.ShareCoordinator;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ReadShareGroupStateResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.ReadShareGroupStateRequest;

/**
 * ReadShareGroupState (v0, KIP-932): a share-partition's state epoch, start offset and in-flight batches, for a
 * partition leader of the given leader epoch (older leaders are then fenced).
 * Served by the share coordinator of each partition's {@code __share_group_state} partition: one this
 * broker does not lead answers NOT_COORDINATOR, one still loading COORDINATOR_LOAD_IN_PROGRESS. Brokers
 * only: the caller needs CLUSTER_ACTION on the cluster, as in Kafka.
 */
public final class ReadShareGroupStateHandler implements ApiHandler<ReadShareGroupStateRequest> {

    static final short MIN_VERSION = 0;
    static final short MAX_VERSION = 0;

    private final ShareCoordinator coordinator;

    public ReadShareGroupStateHandler(ShareCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.READ_SHARE_GROUP_STATE;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<ReadShareGroupStateResponseData> handle(RequestContext context, ReadShareGroupStateRequest request) {
        return coordinator.read(request.data());
    }
}
