package io.strand.broker.api.share;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.coordinator.share.ShareCoordinator;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.WriteShareGroupStateResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.WriteShareGroupStateRequest;

/**
 * WriteShareGroupState (v0–1, KIP-932): a partition leader's changed in-flight batches and start offset (v1 adds
 * the delivery complete count, KIP-1226).
 * Served by the share coordinator of each partition's {@code __share_group_state} partition: one this
 * broker does not lead answers NOT_COORDINATOR, one still loading COORDINATOR_LOAD_IN_PROGRESS. Brokers
 * only: the caller needs CLUSTER_ACTION on the cluster, as in Kafka.
 */
public final class WriteShareGroupStateHandler implements ApiHandler<WriteShareGroupStateRequest> {

    static final short MIN_VERSION = 0;
    static final short MAX_VERSION = 1;

    private final ShareCoordinator coordinator;

    public WriteShareGroupStateHandler(ShareCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.WRITE_SHARE_GROUP_STATE;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<WriteShareGroupStateResponseData> handle(RequestContext context, WriteShareGroupStateRequest request) {
        return coordinator.write(request.data());
    }
}
