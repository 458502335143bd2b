package io.strand.broker.api.group;

import io.strand.broker.group.ImageTopicIds;
import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.coordinator.group.GroupCoordinator;
import io.strand.metadata.image.MetadataImage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ShareGroupDescribeResponseData;
import org.apache.kafka.common.message.ShareGroupDescribeResponseData.DescribedGroup;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.ShareGroupDescribeRequest;

/**
 * ShareGroupDescribe (v1): epochs, assignor ({@code simple}) and each member's subscription and
 * assignment of share groups; GROUP_ID_NOT_FOUND for unknown groups and groups of other types.
 * Authorized operations, asked for, are filled in by the authorization checks ({@code io.strand.broker.auth}),
 * for groups answered without error.
 */
final class ShareGroupDescribeHandler implements ApiHandler<ShareGroupDescribeRequest> {

    static final short MIN_VERSION = 1;
    static final short MAX_VERSION = 1;

    private final GroupCoordinator coordinator;
    private final Supplier<MetadataImage> image;

    ShareGroupDescribeHandler(GroupCoordinator coordinator, Supplier<MetadataImage> image) {
        this.coordinator = coordinator;
        this.image = image;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.SHARE_GROUP_DESCRIBE;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<ShareGroupDescribeResponseData> handle(RequestContext context,
                                                                    ShareGroupDescribeRequest request) {
        ImageTopicIds topicIds = new ImageTopicIds(image.get());
        List<CompletableFuture<DescribedGroup>> futures = new ArrayList<>();
        for (String groupId : request.data().groupIds()) {
            futures.add(coordinator.shareGroupDescribe(groupId, topicIds));
        }
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            ShareGroupDescribeResponseData response = new ShareGroupDescribeResponseData();
            futures.forEach(f -> response.groups().add(f.join()));
            return response;
        });
    }
}
