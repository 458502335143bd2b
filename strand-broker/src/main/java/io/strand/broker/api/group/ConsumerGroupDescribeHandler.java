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
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData.DescribedGroup;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.ConsumerGroupDescribeRequest;

/**
 * ConsumerGroupDescribe (v0–1): epochs, assignor, and each member's subscription, current and
 * target assignment of consumer-protocol groups; GROUP_ID_NOT_FOUND for unknown and classic groups
 * (the Admin client then falls back to DescribeGroups). Authorized operations are not reported (no
 * authorizer).
 */
final class ConsumerGroupDescribeHandler implements ApiHandler<ConsumerGroupDescribeRequest> {

    static final short MIN_VERSION = 0;
    static final short MAX_VERSION = 1;

    private final GroupCoordinator coordinator;
    private final Supplier<MetadataImage> image;

    ConsumerGroupDescribeHandler(GroupCoordinator coordinator, Supplier<MetadataImage> image) {
        this.coordinator = coordinator;
        this.image = image;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.CONSUMER_GROUP_DESCRIBE;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<ConsumerGroupDescribeResponseData> handle(RequestContext context,
                                                                       ConsumerGroupDescribeRequest request) {
        ImageTopicIds topicIds = new ImageTopicIds(image.get());
        List<CompletableFuture<DescribedGroup>> futures = new ArrayList<>();
        for (String groupId : request.data().groupIds()) {
            futures.add(coordinator.consumerGroupDescribe(groupId, topicIds));
        }
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            ConsumerGroupDescribeResponseData response = new ConsumerGroupDescribeResponseData();
            futures.forEach(f -> response.groups().add(f.join()));
            return response;
        });
    }
}
