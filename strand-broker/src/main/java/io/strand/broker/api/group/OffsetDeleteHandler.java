package io.strand.broker.api.group;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.coordinator.group.GroupCoordinator;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.OffsetDeleteRequest;

/**
 * OffsetDelete (v0): removes committed offsets of a group; GROUP_SUBSCRIBED_TO_TOPIC for topics an
 * active consumer group subscribes to, NON_EMPTY_GROUP for an active group of another protocol type.
 */
final class OffsetDeleteHandler implements ApiHandler<OffsetDeleteRequest> {

    static final short MIN_VERSION = 0;
    static final short MAX_VERSION = 0;

    private final GroupCoordinator coordinator;

    OffsetDeleteHandler(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.OFFSET_DELETE;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<OffsetDeleteResponseData> handle(RequestContext context, OffsetDeleteRequest request) {
        return coordinator.deleteOffsets(request.data());
    }
}
