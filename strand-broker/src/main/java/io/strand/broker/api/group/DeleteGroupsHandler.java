package io.strand.broker.api.group;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.coordinator.group.GroupCoordinator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DeleteGroupsResponseData.DeletableGroupResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteGroupsRequest;

/**
 * DeleteGroups (v0–2): removes empty groups with their offsets; GROUP_ID_NOT_FOUND for an unknown
 * group, NON_EMPTY_GROUP for one with members.
 */
final class DeleteGroupsHandler implements ApiHandler<DeleteGroupsRequest> {

    static final short MIN_VERSION = 0;
    static final short MAX_VERSION = 2;

    private final GroupCoordinator coordinator;

    DeleteGroupsHandler(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_GROUPS;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<DeleteGroupsResponseData> handle(RequestContext context, DeleteGroupsRequest request) {
        Map<String, CompletableFuture<Errors>> futures = new LinkedHashMap<>();
        for (String groupId : request.data().groupsNames()) {
            futures.putIfAbsent(groupId, coordinator.deleteGroup(groupId));
        }
        return CompletableFuture.allOf(futures.values().toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            DeleteGroupsResponseData response = new DeleteGroupsResponseData();
            futures.forEach((groupId, future) -> response.results().add(
                    new DeletableGroupResult().setGroupId(groupId).setErrorCode(future.join().code())));
            return response;
        });
    }
}
