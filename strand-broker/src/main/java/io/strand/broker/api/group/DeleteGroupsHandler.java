package io.strand.broker.api.group;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.coordinator.group.GroupCoordinator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DeleteGroupsResponseData.DeletableGroupResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteGroupsRequest;

/**
 * DeleteGroups (v0–2): removes empty groups with their offsets; GROUP_ID_NOT_FOUND for an unknown
 * group, NON_EMPTY_GROUP for one with members. An empty share group's durable share state is deleted
 * first, as Kafka does (its persister's error, if any, is the group's answer and the group stays).
 */
final class DeleteGroupsHandler implements ApiHandler<DeleteGroupsRequest> {

    static final short MIN_VERSION = 0;
    static final short MAX_VERSION = 2;

    private final GroupCoordinator coordinator;
    private final Function<String, CompletableFuture<Errors>> shareStateDeleter;

    DeleteGroupsHandler(GroupCoordinator coordinator) {
        this(coordinator, groupId -> CompletableFuture.completedFuture(Errors.NONE));
    }

    /**
     * @param shareStateDeleter deletes the share state of a group if it is an empty share group: NONE once
     *                          done or when it is not a share group, else the error to answer
     */
    DeleteGroupsHandler(GroupCoordinator coordinator, Function<String, CompletableFuture<Errors>> shareStateDeleter) {
        this.coordinator = coordinator;
        this.shareStateDeleter = shareStateDeleter;
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
            if (!futures.containsKey(groupId)) {
                futures.put(groupId, groupId == null ? coordinator.deleteGroup(null)
                        : shareStateDeleter.apply(groupId).thenCompose(error -> error == Errors.NONE
                                ? coordinator.deleteGroup(groupId) : CompletableFuture.completedFuture(error)));
            }
        }
        return CompletableFuture.allOf(futures.values().toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            DeleteGroupsResponseData response = new DeleteGroupsResponseData();
            futures.forEach((groupId, future) -> response.results().add(
                    new DeletableGroupResult().setGroupId(groupId).setErrorCode(future.join().code())));
            return response;
        });
    }
}
