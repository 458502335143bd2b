package io.strand.broker.api.group;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.coordinator.group.GroupCoordinator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.DescribeGroupsRequest;

/**
 * DescribeGroups (v0–6): state, protocol and members of each group (metadata and assignments only
 * when STABLE). An unknown group is "Dead"; v6 adds GROUP_ID_NOT_FOUND. Authorized operations (v3+)
 * are not reported yet (no authorizer).
 */
final class DescribeGroupsHandler implements ApiHandler<DescribeGroupsRequest> {

    static final short MIN_VERSION = 0;
    static final short MAX_VERSION = 6;

    private static final short FIRST_INSTANCE_ID_VERSION = 4;
    private static final short FIRST_ERROR_MESSAGE_VERSION = 6;

    private final GroupCoordinator coordinator;

    DescribeGroupsHandler(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_GROUPS;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<DescribeGroupsResponseData> handle(RequestContext context, DescribeGroupsRequest request) {
        short version = context.apiVersion();
        List<CompletableFuture<DescribedGroup>> futures = new ArrayList<>();
        for (String groupId : request.data().groups()) {
            futures.add(coordinator.describeGroup(groupId, version));
        }
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            DescribeGroupsResponseData response = new DescribeGroupsResponseData();
            for (CompletableFuture<DescribedGroup> future : futures) {
                DescribedGroup group = future.join();
                if (version < FIRST_ERROR_MESSAGE_VERSION) {
                    group.setErrorMessage(null);
                }
                if (version < FIRST_INSTANCE_ID_VERSION) {
                    group.members().forEach(m -> m.setGroupInstanceId(null));
                }
                response.groups().add(group);
            }
            return response;
        });
    }
}
