package io.strand.coordinator.group;

import io.strand.coordinator.group.record.CoordinatorRecord;
import io.strand.coordinator.runtime.CoordinatorResult;
import io.strand.coordinator.runtime.CoordinatorRuntime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseGroup;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.message.ShareGroupDescribeResponseData;
import org.apache.kafka.common.message.ShareGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ShareGroupHeartbeatResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;

/**
 * The group coordinator of one broker: the public face of the {@link GroupShard}s, one per
 * {@code __consumer_offsets} partition this broker leads, run by a {@link CoordinatorRuntime} on
 * {@code group.coordinator.threads} threads (named {@code strand-group-coordinator-<i>}). A group
 * belongs to partition {@code abs(groupId.hashCode()) % offsets.topic.num.partitions}, as in Kafka.
 *
 * <p>Thread-safe: every method only enqueues work for the group's shard and returns a future,
 * completed once the records the answer depends on are committed. A request for a group whose
 * partition is not loaded here gets NOT_COORDINATOR; while the partition is being loaded (its log
 * replayed), COORDINATOR_LOAD_IN_PROGRESS; when the append of its records fails, the append's error
 * as a coordinator error (NOT_LEADER_OR_FOLLOWER becomes NOT_COORDINATOR, see
 * {@link GroupShard#appendError}).
 */
public final class GroupCoordinator implements AutoCloseable {

    /** How often the shards' timeouts are checked. */
    static final long TICK_MS = 50;

    private final GroupCoordinatorConfig config;
    private final CoordinatorRuntime<GroupShard, CoordinatorRecord> runtime;

    /** A coordinator of no topics: for tests without consumer-protocol groups. */
    public GroupCoordinator(GroupCoordinatorConfig config, OffsetsTopicLog log, Time time, Random random) {
        this(config, log, time, random, java.util.Map::of);
    }

    /**
     * A coordinator that knows no topic ids, so consumer-protocol groups' records keep no topics: for
     * tests that do not load what such groups wrote.
     *
     * @param topicPartitionCounts the cluster's topics and their partition counts now (consumer-protocol
     *                             groups subscribe to them); called on the shards' threads
     */
    public GroupCoordinator(GroupCoordinatorConfig config, OffsetsTopicLog log, Time time, Random random,
                            java.util.function.Supplier<java.util.Map<String, Integer>> topicPartitionCounts) {
        this(config, log, time, random, topicPartitionCounts, groupId -> java.util.Map.of(), TopicIdLookup.NONE);
    }

    /**
     * @param groupConfigs a group's config overrides now (the GROUP config resource: session timeouts and
     *                     heartbeat intervals of that group); called on the shards' threads
     * @param topicIds     the cluster's topic ids now, through which consumer-protocol groups' records,
     *                     which name topics by id, are written and loaded
     */
    public GroupCoordinator(GroupCoordinatorConfig config, OffsetsTopicLog log, Time time, Random random,
                            java.util.function.Supplier<java.util.Map<String, Integer>> topicPartitionCounts,
                            java.util.function.Function<String, java.util.Map<String, String>> groupConfigs,
                            TopicIdLookup topicIds) {
        this.config = config;
        this.runtime = new CoordinatorRuntime<>("group-coordinator", config.threads(), TICK_MS, time,
                new OffsetsTopicRecordLog(log, time, topicIds),
                partition -> new GroupShard(partition, config, time, random, topicPartitionCounts, groupConfigs,
                        topicIds));
    }

    public GroupCoordinatorConfig config() {
        return config;
    }

    /** The {@code __consumer_offsets} partition of {@code groupId}. */
    public int partitionFor(String groupId) {
        return Utils.abs(groupId.hashCode()) % config.offsetsTopicPartitions();
    }

    /**
     * Brings the loaded shards in line with the {@code __consumer_offsets} partitions this broker now
     * leads, partition to leader epoch: a partition newly led, or led at a newer epoch, gets a fresh
     * shard loaded from its log (COORDINATOR_LOAD_IN_PROGRESS meanwhile); one no longer led is unloaded
     * (NOT_COORDINATOR); an older epoch than the shard's is a stale view and changes nothing. Only
     * enqueues work: safe on the metadata publisher's thread. Call after every metadata change that
     * may move leadership.
     */
    public void onLeadership(Map<Integer, Integer> ledPartitionEpochs) {
        runtime.onLeadership(ledPartitionEpochs);
    }

    /** As {@link #onLeadership(Map)} with every partition at leader epoch 0 (a single replica; tests). */
    public void onLeadership(Set<Integer> ledPartitions) {
        runtime.onLeadership(ledPartitions);
    }

    /** True once {@code partition}'s shard has replayed its log and serves requests. */
    public boolean isActive(int partition) {
        return runtime.isActive(partition);
    }

    /**
     * JoinGroup. As Kafka, the group id and the session timeout are checked before the request is routed
     * to the group's shard: INVALID_GROUP_ID or INVALID_SESSION_TIMEOUT even where the shard is not
     * loaded here (NOT_COORDINATOR otherwise).
     */
    public CompletableFuture<JoinGroupResponseData> joinGroup(short version, String clientId, String clientHost,
                                                              JoinGroupRequestData request) {
        String memberId = request.memberId() == null ? JoinGroupOp.UNKNOWN_MEMBER_ID : request.memberId();
        if (request.groupId() == null || request.groupId().isEmpty()) {
            return CompletableFuture.completedFuture(Rebalancer.joinError(Errors.INVALID_GROUP_ID, memberId));
        }
        if (request.sessionTimeoutMs() < config.minSessionTimeoutMs()
                || request.sessionTimeoutMs() > config.maxSessionTimeoutMs()) {
            return CompletableFuture.completedFuture(Rebalancer.joinError(Errors.INVALID_SESSION_TIMEOUT, memberId));
        }
        return onShardParked(request.groupId(), "join-group",
                shard -> shard.joinOp().join(version, clientId, clientHost, request),
                error -> Rebalancer.joinError(error, request.memberId()));
    }

    public CompletableFuture<SyncGroupResponseData> syncGroup(SyncGroupRequestData request) {
        return onShardParked(request.groupId(), "sync-group", shard -> shard.memberOps().sync(request),
                error -> new SyncGroupResponseData().setErrorCode(error.code()));
    }

    public CompletableFuture<HeartbeatResponseData> heartbeat(HeartbeatRequestData request) {
        return onNamedGroupShard(request.groupId(), "heartbeat",
                shard -> CoordinatorResult.response(shard.memberOps().heartbeat(request)),
                error -> new HeartbeatResponseData().setErrorCode(error.code()));
    }

    public CompletableFuture<LeaveGroupResponseData> leaveGroup(short version, LeaveGroupRequestData request) {
        return onNamedGroupShard(request.groupId(), "leave-group", shard -> shard.memberOps().leave(request, version),
                error -> new LeaveGroupResponseData().setErrorCode(error.code()));
    }

    /** The response names topics as the request did; on a coordinator error every partition carries it. */
    public CompletableFuture<OffsetCommitResponseData> commitOffsets(OffsetCommitRequestData request) {
        return commitOffsets(request, (short) (OffsetOps.FIRST_GROUP_ID_NOT_FOUND_VERSION - 1));
    }

    /** As {@link #commitOffsets(OffsetCommitRequestData)}, answered as the request's {@code version} is. */
    public CompletableFuture<OffsetCommitResponseData> commitOffsets(OffsetCommitRequestData request, short version) {
        return onShard(request.groupId(), "offset-commit", shard -> shard.offsetOps().commit(request, version),
                error -> OffsetResponses.commitError(request, error));
    }

    /**
     * TxnOffsetCommit: the offsets are written in a transactional batch of the request's producer and
     * stay pending (invisible to OffsetFetch) until its transaction's marker reaches the group's
     * partition ({@link #completeTransaction}). See {@link TxnOffsetCommitOp} for the validation.
     */
    public CompletableFuture<TxnOffsetCommitResponseData> commitTransactionalOffsets(
            TxnOffsetCommitRequestData request) {
        String groupId = request.groupId();
        if (groupId == null || groupId.isEmpty()) {
            return CompletableFuture.completedFuture(OffsetResponses.txnCommitError(request, Errors.INVALID_GROUP_ID));
        }
        return runtime.scheduleTransactionalWriteOperation(partitionFor(groupId), "txn-offset-commit",
                        request.producerId(), request.producerEpoch(),
                        shard -> shard.txnOffsetCommitOp().commit(request))
                .exceptionally(failure -> OffsetResponses.txnCommitError(request,
                        GroupShard.appendError(unwrap(failure))));
    }

    /**
     * Writes a commit or abort marker of the producer to {@code __consumer_offsets} partition
     * {@code partition} and applies it: the producer's pending offsets there become committed, or are
     * dropped. Completes once the marker is committed; fails with the runtime's exception
     * (NotCoordinatorException when the partition is not loaded here, CoordinatorLoadInProgressException
     * while it loads) or the append's (NOT_LEADER_OR_FOLLOWER, INVALID_PRODUCER_EPOCH,
     * TRANSACTION_COORDINATOR_FENCED, …).
     */
    public CompletableFuture<Void> completeTransaction(int partition, long producerId, short producerEpoch,
                                                      int coordinatorEpoch, boolean commit) {
        return runtime.scheduleTransactionCompletion(partition, commit ? "txn-commit" : "txn-abort", producerId,
                producerEpoch, coordinatorEpoch, commit);
    }

    public CompletableFuture<OffsetFetchResponseGroup> fetchOffsets(OffsetFetchRequestGroup request) {
        return fetchOffsets(request, false);
    }

    /**
     * OffsetFetch for one group; with {@code requireStable} (v7+) a partition that an open transaction
     * commits answers UNSTABLE_OFFSET_COMMIT.
     */
    public CompletableFuture<OffsetFetchResponseGroup> fetchOffsets(OffsetFetchRequestGroup request,
                                                                   boolean requireStable) {
        return onShard(request.groupId(), "offset-fetch",
                shard -> CoordinatorResult.response(shard.offsetOps().fetch(request, requireStable)),
                error -> new OffsetFetchResponseGroup().setGroupId(request.groupId()).setErrorCode(error.code()));
    }

    public CompletableFuture<OffsetDeleteResponseData> deleteOffsets(OffsetDeleteRequestData request) {
        return onNamedGroupShard(request.groupId(), "offset-delete", shard -> shard.offsetOps().delete(request),
                error -> new OffsetDeleteResponseData().setErrorCode(error.code()));
    }

    public CompletableFuture<DescribedGroup> describeGroup(String groupId, short version) {
        return onShard(groupId, "describe-group",
                shard -> CoordinatorResult.response(shard.adminOps().describe(groupId, version)),
                error -> new DescribedGroup().setGroupId(groupId).setErrorCode(error.code()).setGroupState("")
                        .setProtocolType("").setProtocolData(""));
    }

    /**
     * ConsumerGroupHeartbeat (KIP-848): join, heartbeat or leave of a consumer-protocol group member.
     *
     * @param topicAccess the topics the caller's principal may describe: its regex subscription resolves
     *                    only over them ({@link TopicAccess#ALL} without an authorizer)
     */
    public CompletableFuture<ConsumerGroupHeartbeatResponseData> consumerGroupHeartbeat(
            short version, String clientId, String clientHost, ConsumerGroupHeartbeatRequestData request,
            TopicIdLookup topicIds, TopicAccess topicAccess) {
        try {
            ConsumerHeartbeatValidation.validate(version, request, config.consumerAssignors());
        } catch (ApiException e) {
            return CompletableFuture.completedFuture(new ConsumerGroupHeartbeatResponseData()
                    .setErrorCode(Errors.forException(e).code()).setErrorMessage(e.getMessage()));
        }
        return onShard(request.groupId(), "consumer-group-heartbeat",
                shard -> shard.consumerOp().heartbeat(version, clientId, clientHost, request, topicIds, topicAccess),
                error -> new ConsumerGroupHeartbeatResponseData().setErrorCode(error.code()));
    }

    /** ConsumerGroupDescribe: one consumer-protocol group; GROUP_ID_NOT_FOUND for others. */
    public CompletableFuture<ConsumerGroupDescribeResponseData.DescribedGroup> consumerGroupDescribe(
            String groupId, TopicIdLookup topicIds) {
        return onNamedGroupShard(groupId, "consumer-group-describe",
                shard -> CoordinatorResult.response(shard.adminOps().describeConsumerGroup(groupId, topicIds)),
                error -> new ConsumerGroupDescribeResponseData.DescribedGroup().setGroupId(groupId)
                        .setErrorCode(error.code()));
    }

    /**
     * ShareGroupHeartbeat (KIP-932): join, heartbeat or leave of a share group member; every member is
     * assigned the partitions of its subscribed topics whose share state is initialized. A malformed request
     * is refused before it is routed ({@link ShareHeartbeatValidation}). A heartbeat that records partitions as
     * being initialized is answered once {@link #setShareStateInitializer the initializer} is done with them
     * and the outcome is recorded, as Kafka answers after its share coordinator did. See {@link ShareHeartbeatOp}.
     */
    public CompletableFuture<ShareGroupHeartbeatResponseData> shareGroupHeartbeat(
            String clientId, String clientHost, ShareGroupHeartbeatRequestData request, TopicIdLookup topicIds) {
        try {
            ShareHeartbeatValidation.validate(request);
        } catch (ApiException e) {
            return CompletableFuture.completedFuture(new ShareGroupHeartbeatResponseData()
                    .setErrorCode(Errors.forException(e).code()).setErrorMessage(e.getMessage()));
        }
        return onNamedGroupShard(request.groupId(), "share-group-heartbeat",
                shard -> shard.shareOp().heartbeat(clientId, clientHost, request, topicIds),
                error -> new ShareHeartbeatOp.Outcome(new ShareGroupHeartbeatResponseData().setErrorCode(error.code()),
                        null))
                .thenCompose(outcome -> outcome.init() == null
                        ? CompletableFuture.completedFuture(outcome.response())
                        : initializeShareState(outcome.init()).thenApply(v -> outcome.response()));
    }

    /**
     * Who initializes the share state of partitions a share group records as being initialized (the share
     * coordinator, through the broker's persister): completes true once the state is durable, false or
     * exceptionally if it is not. Without one, the state is taken as initialized at once (kept nowhere).
     */
    public void setShareStateInitializer(Function<ShareStateInit, CompletableFuture<Boolean>> initializer) {
        this.shareStateInitializer = initializer == null ? NO_SHARE_STATE : initializer;
    }

    private static final Function<ShareStateInit, CompletableFuture<Boolean>> NO_SHARE_STATE =
            init -> CompletableFuture.completedFuture(true);

    private volatile Function<ShareStateInit, CompletableFuture<Boolean>> shareStateInitializer = NO_SHARE_STATE;

    /** Initializes {@code init}'s share state, then records the partitions initialized (or not, if that failed). */
    private CompletableFuture<Void> initializeShareState(ShareStateInit init) {
        CompletableFuture<Boolean> done;
        try {
            done = shareStateInitializer.apply(init);
        } catch (RuntimeException e) {
            done = CompletableFuture.failedFuture(e);
        }
        return done.handle((ok, failure) -> failure == null && Boolean.TRUE.equals(ok))
                .thenCompose(ok -> onShard(init.groupId(), "share-group-state-initialized",
                        shard -> shard.shareOp().stateInitialized(init, ok), error -> null));
    }

    /** ShareGroupDescribe: one share group; GROUP_ID_NOT_FOUND for others. */
    public CompletableFuture<ShareGroupDescribeResponseData.DescribedGroup> shareGroupDescribe(
            String groupId, TopicIdLookup topicIds) {
        return onNamedGroupShard(groupId, "share-group-describe",
                shard -> CoordinatorResult.response(shard.shareOp().describe(groupId, topicIds)),
                error -> new ShareGroupDescribeResponseData.DescribedGroup().setGroupId(groupId)
                        .setErrorCode(error.code()));
    }

    /**
     * The share-partitions of a share group that may have durable state (DescribeShareGroupOffsets without
     * topics); none for an unknown group or one of another type. See {@link ShareOffsetsOp}.
     */
    public CompletableFuture<ShareStatePartitions> shareStatePartitions(String groupId) {
        return onShard(groupId, "share-group-state-partitions", shard -> shard.shareOffsetsOp().statePartitions(groupId),
                error -> ShareStatePartitions.error(error, null));
    }

    /**
     * AlterShareGroupOffsets' check: creates the share group if there is none and {@code partitions} names a
     * topic (with its valid partitions, perhaps none); NON_EMPTY_GROUP while it has members,
     * GROUP_ID_NOT_FOUND for a group of another type. See {@link ShareOffsetsOp}.
     */
    public CompletableFuture<ShareStatePartitions> prepareShareOffsetsAlter(String groupId,
                                                                            Map<String, Set<Integer>> partitions,
                                                                            TopicIdLookup topicIds) {
        return onNamedGroupShard(groupId, "share-group-offsets-alter",
                shard -> shard.shareOffsetsOp().prepareAlter(groupId, partitions, topicIds),
                error -> ShareStatePartitions.error(error, null));
    }

    /**
     * The check before a share group's state is deleted (DeleteShareGroupOffsets, DeleteGroups): its state
     * partitions if it is an empty share group, else GROUP_ID_NOT_FOUND or NON_EMPTY_GROUP.
     */
    public CompletableFuture<ShareStatePartitions> prepareShareStateDelete(String groupId) {
        return onNamedGroupShard(groupId, "share-group-state-delete",
                shard -> shard.shareOffsetsOp().prepareDelete(groupId),
                error -> ShareStatePartitions.error(error, null));
    }

    /** The share group's state of {@code topics} was deleted: they are no longer its state partitions. */
    public CompletableFuture<Void> forgetShareStatePartitions(String groupId, Collection<String> topics) {
        return onNamedGroupShard(groupId, "share-group-state-forget",
                shard -> shard.shareOffsetsOp().forget(groupId, topics), error -> null);
    }

    /**
     * The cluster deleted {@code topics} (id to name): every loaded shard deletes the groups' offsets of
     * them and drops them from its share groups' state partitions, as Kafka's coordinator does, so that a
     * topic created again under a name starts without offsets and no heartbeat counts a deleted topic's share
     * state as initialized. Only enqueues work: safe on the metadata publisher's thread. A shard loaded later
     * keeps what it read until then (as Kafka's; its heartbeats assign only topics that exist).
     */
    public void onTopicsDeleted(Map<Uuid, String> topics) {
        if (topics.isEmpty()) {
            return;
        }
        Set<Uuid> ids = Set.copyOf(topics.keySet());
        Set<String> names = Set.copyOf(topics.values());
        for (int partition = 0; partition < config.offsetsTopicPartitions(); partition++) {
            if (runtime.isActive(partition)) {
                runtime.scheduleWriteOperation(partition, "topics-deleted", shard -> {
                    List<CoordinatorRecord> records = new ArrayList<>(shard.offsetOps().topicsDeleted(names).records());
                    records.addAll(shard.shareOffsetsOp().topicsDeleted(ids).records());
                    return CoordinatorResult.of(records, null);
                });
            }
        }
    }

    public CompletableFuture<Errors> deleteGroup(String groupId) {
        return onShard(groupId, "delete-group", shard -> shard.adminOps().delete(groupId), error -> error);
    }

    /**
     * The groups of every loaded shard, filtered by state and type names (case-insensitive; empty
     * filters keep everything); COORDINATOR_LOAD_IN_PROGRESS if a shard is still loading.
     */
    public CompletableFuture<ListGroupsResult> listGroups(List<String> statesFilter, List<String> typesFilter) {
        Set<String> states = statesFilter.stream().map(s -> s.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        Set<String> types = typesFilter.stream().map(s -> s.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        CoordinatorRuntime.EveryShard<List<ListedGroup>> perShard =
                runtime.scheduleReadOnEveryShard("list-groups", shard -> shard.adminOps().list(states, types));
        Errors error = perShard.someLoading() ? Errors.COORDINATOR_LOAD_IN_PROGRESS : Errors.NONE;
        return CompletableFuture.allOf(perShard.results().toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            List<ListedGroup> all = new ArrayList<>();
            perShard.results().forEach(f -> all.addAll(f.join()));
            return new ListGroupsResult(error, all);
        });
    }

    /**
     * The committed offsets of every group of the shards loaded here (for consumer-lag gauges), each
     * shard read on its own thread; a shard still loading is left out. Never fails: a shard whose read
     * fails contributes nothing.
     */
    public CompletableFuture<List<CommittedOffset>> committedOffsets() {
        CoordinatorRuntime.EveryShard<List<CommittedOffset>> perShard =
                runtime.scheduleReadOnEveryShard("committed-offsets", GroupShard::committedOffsets);
        List<CompletableFuture<List<CommittedOffset>>> tolerant = perShard.results().stream()
                .map(f -> f.exceptionally(failure -> List.of())).toList();
        return CompletableFuture.allOf(tolerant.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            List<CommittedOffset> all = new ArrayList<>();
            tolerant.forEach(f -> all.addAll(f.join()));
            return all;
        });
    }

    /** ListGroups' answer: an error (a shard still loading) and the groups found. */
    public record ListGroupsResult(Errors error, List<ListedGroup> groups) {
    }

    /**
     * Runs {@code op} on the group's shard; its response once its records are committed, or the
     * error response for whatever failed. An empty group id is a group like any other (its shard is
     * that of {@code ""}), as Kafka routes OffsetCommit, OffsetFetch, DescribeGroups and DeleteGroups;
     * only a null one is INVALID_GROUP_ID.
     */
    private <T> CompletableFuture<T> onShard(String groupId, String opName,
                                             Function<GroupShard, CoordinatorResult<T, CoordinatorRecord>> op,
                                             Function<Errors, T> onError) {
        if (groupId == null) {
            return CompletableFuture.completedFuture(onError.apply(Errors.INVALID_GROUP_ID));
        }
        return runtime.scheduleWriteOperation(partitionFor(groupId), opName, op)
                .exceptionally(failure -> onError.apply(GroupShard.appendError(unwrap(failure))));
    }

    /**
     * As {@link #onShard} for the APIs Kafka refuses an empty group id with INVALID_GROUP_ID before
     * routing: Heartbeat, LeaveGroup, OffsetDelete, ConsumerGroupDescribe (JoinGroup and SyncGroup
     * through {@link #onShardParked}, TxnOffsetCommit on its own) and the share group APIs.
     */
    private <T> CompletableFuture<T> onNamedGroupShard(String groupId, String opName,
                                                       Function<GroupShard, CoordinatorResult<T, CoordinatorRecord>> op,
                                                       Function<Errors, T> onError) {
        if (groupId == null || groupId.isEmpty()) {
            return CompletableFuture.completedFuture(onError.apply(Errors.INVALID_GROUP_ID));
        }
        return onShard(groupId, opName, op, onError);
    }

    /** As {@link #onNamedGroupShard}, for an operation whose response is parked in the group until it is answered. */
    private <T> CompletableFuture<T> onShardParked(
            String groupId, String opName,
            Function<GroupShard, CoordinatorResult<CompletableFuture<T>, CoordinatorRecord>> op,
            Function<Errors, T> onError) {
        if (groupId == null || groupId.isEmpty()) {
            return CompletableFuture.completedFuture(onError.apply(Errors.INVALID_GROUP_ID));
        }
        return runtime.scheduleWriteOperation(partitionFor(groupId), opName, op)
                .thenCompose(parked -> parked)
                .exceptionally(failure -> onError.apply(GroupShard.appendError(unwrap(failure))));
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    /** Unloads every shard and ends the coordinator's threads. Idempotent. */
    @Override
    public void close() {
        runtime.close();
    }
}
