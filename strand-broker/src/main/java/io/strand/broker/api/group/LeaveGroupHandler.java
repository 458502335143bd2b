package io.strand.broker.api.group;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.coordinator.group.GroupCoordinator;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.LeaveGroupRequest;

/**
 * LeaveGroup (v0–5): v0–2 one member by id with the error at the top; v3+ a batch of members by id
 * or {@code group.instance.id}, each with its own error.
 */
final class LeaveGroupHandler implements ApiHandler<LeaveGroupRequest> {

    static final short MIN_VERSION = 0;
    static final short MAX_VERSION = 5;

    private final GroupCoordinator coordinator;

    LeaveGroupHandler(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LEAVE_GROUP;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<LeaveGroupResponseData> handle(RequestContext context, LeaveGroupRequest request) {
        return coordinator.leaveGroup(context.apiVersion(), request.data());
    }
}
