package io.strand.broker.api.group;

import io.strand.broker.group.GroupCoordinatorService;
import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.broker.share.ShareCoordinatorService;
import io.strand.broker.share.ShareGroupAdmin;
import io.strand.broker.txn.TransactionCoordinatorService;
import io.strand.broker.txn.TransactionVerifier;
import io.strand.coordinator.group.GroupCoordinator;
import io.strand.coordinator.group.TopicAccess;
import java.util.List;
import java.util.function.Function;

/**
 * The group API handlers of a broker, built in one call:
 * {@code GroupHandlers.all(groupService).forEach(registry::register)} — FindCoordinator, JoinGroup,
 * SyncGroup, Heartbeat, LeaveGroup, OffsetCommit, OffsetFetch, TxnOffsetCommit, OffsetDelete, ListGroups,
 * DescribeGroups, DeleteGroups, ConsumerGroupHeartbeat, ConsumerGroupDescribe, ShareGroupHeartbeat and ShareGroupDescribe. Stateless: all
 * state is in the {@link GroupCoordinator}.
 */
public final class GroupHandlers {

    private GroupHandlers() {
    }

    /**
     * The handlers without transactions (FindCoordinator answers none, TxnOffsetCommit verifies nothing)
     * nor authorizer (a regex subscription resolves over every topic).
     */
    public static List<ApiHandler<?>> all(GroupCoordinatorService service) {
        return all(service, null, TransactionVerifier.NONE, context -> TopicAccess.ALL);
    }

    /**
     * @param transactions answers FindCoordinator for transactional ids; null if this broker serves no
     *                     transactions (COORDINATOR_NOT_AVAILABLE)
     * @param verifier     TxnOffsetCommit checks with it that the producer's transaction holds the group's
     *                     {@code __consumer_offsets} partition before writing
     * @param topicAccess  the topics a request's caller may describe: a ConsumerGroupHeartbeat's regex
     *                     subscription resolves only over them
     */
    public static List<ApiHandler<?>> all(GroupCoordinatorService service, TransactionCoordinatorService transactions,
                                          TransactionVerifier verifier,
                                          Function<RequestContext, TopicAccess> topicAccess) {
        return all(service, transactions, null, verifier, topicAccess);
    }

    /** As above, FindCoordinator also answering SHARE keys from {@code shares} (null: none served). */
    public static List<ApiHandler<?>> all(GroupCoordinatorService service, TransactionCoordinatorService transactions,
                                          ShareCoordinatorService shares, TransactionVerifier verifier,
                                          Function<RequestContext, TopicAccess> topicAccess) {
        return all(service, transactions, shares, null, verifier, topicAccess);
    }

    /**
     * As above, DeleteGroups deleting an empty share group's durable state first through {@code shareAdmin}
     * (null: share groups keep no state to delete).
     */
    public static List<ApiHandler<?>> all(GroupCoordinatorService service, TransactionCoordinatorService transactions,
                                          ShareCoordinatorService shares, ShareGroupAdmin shareAdmin,
                                          TransactionVerifier verifier,
                                          Function<RequestContext, TopicAccess> topicAccess) {
        GroupCoordinator coordinator = service.coordinator();
        return List.of(
                new FindCoordinatorHandler(service, transactions, shares),
                new JoinGroupHandler(coordinator),
                new SyncGroupHandler(coordinator),
                new HeartbeatHandler(coordinator),
                new LeaveGroupHandler(coordinator),
                new OffsetCommitHandler(coordinator, service::image),
                new OffsetFetchHandler(coordinator, service::image),
                new TxnOffsetCommitHandler(coordinator, service::image, verifier),
                new OffsetDeleteHandler(coordinator, service::image),
                new ListGroupsHandler(coordinator),
                new DescribeGroupsHandler(coordinator),
                shareAdmin == null ? new DeleteGroupsHandler(coordinator)
                        : new DeleteGroupsHandler(coordinator, shareAdmin::deleteGroupState),
                new ConsumerGroupHeartbeatHandler(coordinator, service::image, topicAccess),
                new ConsumerGroupDescribeHandler(coordinator, service::image),
                new ShareGroupHeartbeatHandler(coordinator, service::image),
                new ShareGroupDescribeHandler(coordinator, service::image));
    }
}
