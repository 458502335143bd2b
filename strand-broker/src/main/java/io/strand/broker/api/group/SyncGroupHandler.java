package io.strand.broker.api.group;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.coordinator.group.GroupCoordinator;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.SyncGroupRequest;

/**
 * SyncGroup (v0–5): the leader's request carries the assignment; every member's response waits
 * until it is stored. v5 adds the protocol type and name to both; as in Kafka, a v5+ request without
 * either is INCONSISTENT_GROUP_PROTOCOL before the coordinator sees it.
 */
final class SyncGroupHandler implements ApiHandler<SyncGroupRequest> {

    static final short MIN_VERSION = 0;
    static final short MAX_VERSION = 5;

    private final GroupCoordinator coordinator;

    SyncGroupHandler(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.SYNC_GROUP;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<SyncGroupResponseData> handle(RequestContext context, SyncGroupRequest request) {
        short version = context.apiVersion();
        if (!request.areMandatoryProtocolTypeAndNamePresent()) {
            return CompletableFuture.completedFuture(new SyncGroupResponseData()
                    .setErrorCode(Errors.INCONSISTENT_GROUP_PROTOCOL.code()));
        }
        return coordinator.syncGroup(request.data()).thenApply(response -> {
            if (version < 5) {
                response.setProtocolType(null).setProtocolName(null);
            }
            return response;
        });
    }
}
