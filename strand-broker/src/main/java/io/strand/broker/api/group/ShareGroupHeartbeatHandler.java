package io.strand.broker.api.group;

import io.strand.broker.group.ImageTopicIds;
import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.broker.share.ShareMemberIds;
import io.strand.coordinator.group.GroupCoordinator;
import io.strand.metadata.image.MetadataImage;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ShareGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ShareGroupHeartbeatRequest;

/**
 * ShareGroupHeartbeat (v1, KIP-932): join, heartbeat and leave of share group members, whose ids the
 * clients generate; the coordinator assigns each member the partitions of its subscribed topics whose share
 * state it had initialized, named by id on the wire. A member id that is not 1 to 36 characters is INVALID_REQUEST before anything else
 * ({@link ShareMemberIds}), as Kafka's broker checks it.
 */
final class ShareGroupHeartbeatHandler implements ApiHandler<ShareGroupHeartbeatRequest> {

    static final short MIN_VERSION = 1;
    static final short MAX_VERSION = 1;

    private final GroupCoordinator coordinator;
    private final Supplier<MetadataImage> image;

    ShareGroupHeartbeatHandler(GroupCoordinator coordinator, Supplier<MetadataImage> image) {
        this.coordinator = coordinator;
        this.image = image;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.SHARE_GROUP_HEARTBEAT;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<ShareGroupHeartbeatResponseData> handle(RequestContext context,
                                                                     ShareGroupHeartbeatRequest request) {
        if (!ShareMemberIds.isValid(request.data().memberId())) {
            return CompletableFuture.completedFuture(new ShareGroupHeartbeatResponseData()
                    .setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("Invalid member id in the request."));
        }
        return coordinator.shareGroupHeartbeat(context.clientId(), ClientHost.of(context), request.data(),
                new ImageTopicIds(image.get()));
    }
}
