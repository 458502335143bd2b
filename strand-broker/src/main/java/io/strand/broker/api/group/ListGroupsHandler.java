package io.strand.broker.api.group;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.coordinator.group.GroupCoordinator;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.ListGroupsRequest;

/**
 * ListGroups (v0–5): the groups of every coordinator shard on this broker; v4 filters by state,
 * v5 by group type ("classic" or "consumer"). COORDINATOR_LOAD_IN_PROGRESS while a shard is
 * still loading, with the groups of the others.
 */
final class ListGroupsHandler implements ApiHandler<ListGroupsRequest> {

    static final short MIN_VERSION = 0;
    static final short MAX_VERSION = 5;

    private static final short FIRST_STATE_VERSION = 4;
    private static final short FIRST_TYPE_VERSION = 5;

    private final GroupCoordinator coordinator;

    ListGroupsHandler(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LIST_GROUPS;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<ListGroupsResponseData> handle(RequestContext context, ListGroupsRequest request) {
        short version = context.apiVersion();
        ListGroupsRequestData data = request.data();
        return coordinator.listGroups(data.statesFilter(), data.typesFilter()).thenApply(result -> {
            ListGroupsResponseData response = new ListGroupsResponseData().setErrorCode(result.error().code());
            for (ListedGroup group : result.groups()) {
                if (version < FIRST_STATE_VERSION) {
                    group.setGroupState("");
                }
                if (version < FIRST_TYPE_VERSION) {
                    group.setGroupType("");
                }
                response.groups().add(group);
            }
            return response;
        });
    }
}
