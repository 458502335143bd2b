package io.strand.broker.api.share;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.broker.share.ShareGroupAdmin;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteShareGroupOffsetsRequest;

/**
 * DeleteShareGroupOffsets (v0, KIP-932): deletes the share state of the named topics of an empty share group.
 * INVALID_GROUP_ID for an empty group id, GROUP_ID_NOT_FOUND for an unknown group or one of another type,
 * NON_EMPTY_GROUP while it has members (each for the whole request); per topic UNKNOWN_TOPIC_OR_PARTITION
 * for a topic that does not exist or has no state, or the share coordinator's error. See
 * {@link ShareGroupAdmin#deleteOffsets}.
 */
public final class DeleteShareGroupOffsetsHandler implements ApiHandler<DeleteShareGroupOffsetsRequest> {

    static final short MIN_VERSION = 0;
    static final short MAX_VERSION = 0;

    private final ShareGroupAdmin admin;

    public DeleteShareGroupOffsetsHandler(ShareGroupAdmin admin) {
        this.admin = admin;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_SHARE_GROUP_OFFSETS;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<DeleteShareGroupOffsetsResponseData> handle(RequestContext context,
                                                                        DeleteShareGroupOffsetsRequest request) {
        String groupId = request.data().groupId();
        if (groupId == null || groupId.isEmpty()) {
            return CompletableFuture.completedFuture(new DeleteShareGroupOffsetsResponseData()
                    .setErrorCode(Errors.INVALID_GROUP_ID.code()).setErrorMessage(Errors.INVALID_GROUP_ID.message()));
        }
        return admin.deleteOffsets(request.data());
    }
}
