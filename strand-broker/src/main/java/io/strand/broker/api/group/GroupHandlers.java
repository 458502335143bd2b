package io.strand.broker.api.group;

import io.strand.broker.group.GroupCoordinatorService;
import io.strand.broker.network.ApiHandler;
import io.strand.broker.txn.TransactionCoordinatorService;
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

    /** The handlers without transactions: FindCoordinator answers none, TxnOffsetCommit verifies nothing. */
    public static List<ApiHandler<?>> all(GroupCoordinatorService service) {
        return all(service, null, TransactionVerifier.NONE);
    }

    /**
     * @param transactions answers FindCoordinator for transactional ids; null if this broker serves no
     *                     transactions (COORDINATOR_NOT_AVAILABLE)
     * @param verifier     TxnOffsetCommit checks with it that the producer's transaction holds the group's
     *                     {@code __consumer_offsets} partition before writing
     */
    public static List<ApiHandler<?>> all(GroupCoordinatorService service, TransactionCoordinatorService transactions,
                                          TransactionVerifier verifier) {
        GroupCoordinator coordinator = service.coordinator();
        return List.of(
                new FindCoordinatorHandler(service, transactions),
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
