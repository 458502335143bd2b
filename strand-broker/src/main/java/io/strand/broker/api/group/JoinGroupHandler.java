package io.strand.broker.api.group;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.coordinator.group.GroupCoordinator;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData.JoinGroupResponseMember;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.JoinGroupRequest;

/**
 * JoinGroup (v0–9): v4+ gets the MEMBER_ID_REQUIRED round trip, v5+ static membership, v7+ the
 * protocol type in the response, v9+ {@code skip_assignment} for a static leader that rejoined. The
 * response waits for the join phase of the rebalance to end.
 */
final class JoinGroupHandler implements ApiHandler<JoinGroupRequest> {

    static final short MIN_VERSION = 0;
    static final short MAX_VERSION = 9;

    private final GroupCoordinator coordinator;

    JoinGroupHandler(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.JOIN_GROUP;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<JoinGroupResponseData> handle(RequestContext context, JoinGroupRequest request) {
        short version = context.apiVersion();
        return coordinator.joinGroup(version, context.clientId(), ClientHost.of(context), request.data())
                .thenApply(response -> forVersion(response, version));
    }

    /** Clears what the request's version cannot carry. */
    static JoinGroupResponseData forVersion(JoinGroupResponseData response, short version) {
        if (version < 9) {
            response.setSkipAssignment(false);
        }
        if (version < 7) {
            response.setProtocolType(null);
            if (response.protocolName() == null) {
                response.setProtocolName("");
            }
        }
        if (version < 5) {
            for (JoinGroupResponseMember member : response.members()) {
                member.setGroupInstanceId(null);
            }
        }
        if (response.leader() == null) {
            response.setLeader("");
        }
        return response;
    }
}
