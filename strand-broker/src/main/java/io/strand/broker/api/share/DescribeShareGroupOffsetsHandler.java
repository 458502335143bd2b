package io.strand.broker.api.share;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.broker.share.ShareGroupAdmin;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestGroup;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseGroup;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.DescribeShareGroupOffsetsRequest;

/**
 * DescribeShareGroupOffsets (v0–1, KIP-932; v1 answers the lag, KIP-1226): each group's share-partition
 * start offsets, for the topics named or (topics null) every share-partition with state; an empty topic list
 * answers the group with no topics, as Kafka. See {@link ShareGroupAdmin#describeOffsets} for the answers.
 */
public final class DescribeShareGroupOffsetsHandler implements ApiHandler<DescribeShareGroupOffsetsRequest> {

    static final short MIN_VERSION = 0;
    static final short MAX_VERSION = 1;

    private final ShareGroupAdmin admin;

    public DescribeShareGroupOffsetsHandler(ShareGroupAdmin admin) {
        this.admin = admin;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_SHARE_GROUP_OFFSETS;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<DescribeShareGroupOffsetsResponseData> handle(RequestContext context,
                                                                          DescribeShareGroupOffsetsRequest request) {
        List<CompletableFuture<DescribeShareGroupOffsetsResponseGroup>> groups = new ArrayList<>();
        for (DescribeShareGroupOffsetsRequestGroup group : request.data().groups()) {
            groups.add(group.topics() != null && group.topics().isEmpty()
                    ? CompletableFuture.completedFuture(new DescribeShareGroupOffsetsResponseGroup()
                            .setGroupId(group.groupId()))
                    : admin.describeOffsets(group));
        }
        return CompletableFuture.allOf(groups.toArray(CompletableFuture[]::new)).thenApply(v -> {
            DescribeShareGroupOffsetsResponseData response = new DescribeShareGroupOffsetsResponseData();
            groups.forEach(g -> response.groups().add(g.join()));
            return response;
        });
    }
}
