package io.strand.broker.api.share;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.broker.share.ShareGroupAdmin;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.AlterShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterShareGroupOffsetsRequest;

/**
 * AlterShareGroupOffsets (v0, KIP-932): sets the start offsets of an empty share group's share-partitions
 * (creating the group if there is none). INVALID_GROUP_ID for an empty group id, GROUP_ID_NOT_FOUND for a
 * group of another type, NON_EMPTY_GROUP while it has members (each for the whole request); per partition
 * UNKNOWN_TOPIC_OR_PARTITION or the share coordinator's error. See {@link ShareGroupAdmin#alterOffsets}.
 */
public final class AlterShareGroupOffsetsHandler implements ApiHandler<AlterShareGroupOffsetsRequest> {

    static final short MIN_VERSION = 0;
    static final short MAX_VERSION = 0;

    private final ShareGroupAdmin admin;

    public AlterShareGroupOffsetsHandler(ShareGroupAdmin admin) {
        this.admin = admin;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ALTER_SHARE_GROUP_OFFSETS;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<AlterShareGroupOffsetsResponseData> handle(RequestContext context,
                                                                       AlterShareGroupOffsetsRequest request) {
        String groupId = request.data().groupId();
        if (groupId == null || groupId.isEmpty()) {
            return CompletableFuture.completedFuture(new AlterShareGroupOffsetsResponseData()
                    .setErrorCode(Errors.INVALID_GROUP_ID.code()).setErrorMessage(Errors.INVALID_GROUP_ID.message()));
        }
        return admin.alterOffsets(request.data());
    }
}
