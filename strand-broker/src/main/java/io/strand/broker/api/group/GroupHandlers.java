package io.strand.broker.api.group;

import io.strand.broker.group.GroupCoordinatorService;
import io.strand.broker.network.ApiHandler;
import io.strand.coordinator.group.GroupCoordinator;
import java.util.List;

/**
 * The group API handlers of a broker, built in one call:
 * {@code GroupHandlers.all(groupService).forEach(registry::register)} — FindCoordinator, JoinGroup,
 * SyncGroup, Heartbeat, LeaveGroup, OffsetCommit, OffsetFetch, TxnOffsetCommit, OffsetDelete, ListGroups,
 * DescribeGroups, DeleteGroups, ConsumerGroupHeartbeat and ConsumerGroupDescribe. Stateless: all
 * state is in the {@link GroupCoordinator}.
 */
public final class GroupHandlers {

    private GroupHandlers() {
    }

    public static List<ApiHandler<?>> all(GroupCoordinatorService service) {
        GroupCoordinator coordinator = service.coordinator();
        return List.of(
                new FindCoordinatorHandler(service),
                new JoinGroupHandler(coordinator),
                new SyncGroupHandler(coordinator),
                new HeartbeatHandler(coordinator),
                new LeaveGroupHandler(coordinator),
                new OffsetCommitHandler(coordinator, service::image),
                new OffsetFetchHandler(coordinator, service::image),
                new TxnOffsetCommitHandler(coordinator, service::image),
                new OffsetDeleteHandler(coordinator),
                new ListGroupsHandler(coordinator),
                new DescribeGroupsHandler(coordinator),
                new DeleteGroupsHandler(coordinator),
                new ConsumerGroupHeartbeatHandler(coordinator, service::image),
                new ConsumerGroupDescribeHandler(coordinator, service::image));
    }
}
