package io.strand.broker.api.group;

import io.strand.broker.group.GroupCoordinatorService;
import io.strand.broker.network.ApiHandler;
import io.strand.broker.txn.TransactionVerifier;
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

    /** The handlers, TxnOffsetCommit verifying nothing with the transaction coordinator. */
    public static List<ApiHandler<?>> all(GroupCoordinatorService service) {
        return all(service, TransactionVerifier.NONE);
    }

    /**
     * The handlers; TxnOffsetCommit checks with {@code verifier} that the producer's transaction holds the
     * group's {@code __consumer_offsets} partition before writing.
     */
    public static List<ApiHandler<?>> all(GroupCoordinatorService service, TransactionVerifier verifier) {
        GroupCoordinator coordinator = service.coordinator();
        return List.of(
                new FindCoordinatorHandler(service),
                new JoinGroupHandler(coordinator),
                new SyncGroupHandler(coordinator),
                new HeartbeatHandler(coordinator),
                new LeaveGroupHandler(coordinator),
                new OffsetCommitHandler(coordinator, service::image),
                new OffsetFetchHandler(coordinator, service::image),
                new TxnOffsetCommitHandler(coordinator, service::image, verifier),
                new OffsetDeleteHandler(coordinator),
                new ListGroupsHandler(coordinator),
                new DescribeGroupsHandler(coordinator),
                new DeleteGroupsHandler(coordinator),
                new ConsumerGroupHeartbeatHandler(coordinator, service::image),
                new ConsumerGroupDescribeHandler(coordinator, service::image));
    }
}
