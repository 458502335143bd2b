package io.strand.coordinator.group;

import io.strand.coordinator.group.classic.ClassicGroup;
import io.strand.coordinator.group.classic.ClassicMember;
import io.strand.coordinator.group.classic.GroupState;
import io.strand.coordinator.group.consumer.ConsumerGroup;
import io.strand.coordinator.group.consumer.ConsumerMember;
import io.strand.coordinator.group.record.CoordinatorRecord.ConsumerGroupMetadataKey;
import io.strand.coordinator.group.record.CoordinatorRecord.ConsumerGroupMetadataValue;
import io.strand.coordinator.group.record.CoordinatorRecord.ConsumerMemberAssignmentKey;
import io.strand.coordinator.group.record.CoordinatorRecord.ConsumerMemberAssignmentValue;
import io.strand.coordinator.group.record.CoordinatorRecord.ConsumerMemberMetadataKey;
import io.strand.coordinator.group.record.CoordinatorRecord.ConsumerMemberMetadataValue;
import io.strand.coordinator.group.record.CoordinatorRecord.GroupKey;
import io.strand.coordinator.group.record.CoordinatorRecord.GroupValue;
import io.strand.coordinator.group.record.CoordinatorRecord.OffsetKey;
import io.strand.coordinator.group.record.CoordinatorRecord.OffsetValue;
import io.strand.coordinator.group.record.CoordinatorRecord.TargetAssignmentMemberKey;
import io.strand.coordinator.group.record.CoordinatorRecord.TargetAssignmentMemberValue;
import io.strand.coordinator.group.record.CoordinatorRecord.TargetAssignmentMetadataKey;
import io.strand.coordinator.group.record.CoordinatorRecord.TargetAssignmentMetadataValue;
import io.strand.coordinator.group.record.CoordinatorRecord;
import io.strand.coordinator.group.record.ShareGroupRecords;
import io.strand.coordinator.group.share.ShareGroup;
import io.strand.coordinator.group.share.ShareMember;
import io.strand.coordinator.runtime.CoordinatorResult;
import io.strand.coordinator.runtime.CoordinatorShard;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group coordinator for the groups of one {@code __consumer_offsets} partition: their classic
 * group state, their committed offsets, and the timeouts that drive rebalances — a
 * {@link CoordinatorShard} run by the {@link io.strand.coordinator.runtime.CoordinatorRuntime}.
 *
 * <p>Compute, then apply: an operation decides which {@link CoordinatorRecord}s to write and what
 * to answer without changing durable state and returns both as a {@link CoordinatorResult};
 * {@link #replay} applies records — the only way durable state changes, live and when the runtime
 * loads the shard from its log. The rebalance bookkeeping of {@link ClassicGroup} (joins and syncs
 * in flight) is the exception: it is not durable and changes in place. Responses leave only once
 * the records they depend on are committed; answers parked in a group (a member waiting in
 * SyncGroup for the leader's assignment) are completed through the result's append future.
 *
 * <p>The work is split by protocol, each part built here with the state it needs (nothing is handed
 * {@code this}): {@link JoinGroupOp}, {@link MemberOps} and {@link Rebalancer} (classic groups),
 * {@link ConsumerHeartbeatOp} with {@link ConsumerAssignmentPlanner} (consumer-protocol groups,
 * KIP-848), {@link ShareHeartbeatOp} and {@link ShareOffsetsOp} (share groups, KIP-932),
 * {@link OffsetOps} (offsets and their expiry), {@link TxnOffsetCommitOp} (transactional
 * commits, pending in {@link PendingTxnOffsets} until their producer's marker) and
 * {@link GroupAdminOps} (list, describe, delete). They share the {@link GroupStore} and the
 * {@link ShardContext} (config, clock, timer).
 *
 * <p>What survives a crash: every record committed (offsets, tombstones, the group record written
 * when a generation's assignment is stored or a group becomes empty, consumer-group and share-group
 * records). A
 * group that so far only exists in memory (a join that failed, a member id never used) is forgotten.
 *
 * <p>Not thread-safe: every method runs on the shard's one thread. Time comes from the injected
 * {@link Time}; the shard's timeouts fire only in {@link #onTick}.
 */
final class GroupShard implements CoordinatorShard<CoordinatorRecord> {

    private static final Logger LOG = LoggerFactory.getLogger(GroupShard.class);

    private final ShardContext context;
    private final GroupStore store = new GroupStore();
    private final Rebalancer rebalancer;
    private final ConsumerAssignmentPlanner planner;
    private final ConsumerHeartbeatOp consumerOp;
    private final ShareHeartbeatOp shareOp;
    private final ShareOffsetsOp shareOffsetsOp;
    private final JoinGroupOp joinOp;
    private final MemberOps memberOps;
    private final OffsetOps offsetOps;
    private final TxnOffsetCommitOp txnOffsetCommitOp;
    private final GroupAdminOps adminOps;
    /** True until {@link #onLoaded}: group records then set state directly, without transitions. */
    private boolean loading = true;
    private long nextExpiryCheckMs = Long.MAX_VALUE;
    /** See {@link #logPosition}. */
    private long nextLogPosition;

    GroupShard(int partition, GroupCoordinatorConfig config, Time time, Random random) {
        this(partition, config, time, random, Map::of);
    }

    /** @param topicPartitionCounts the cluster's topics and their partition counts, read on the shard's thread */
    GroupShard(int partition, GroupCoordinatorConfig config, Time time, Random random,
               Supplier<Map<String, Integer>> topicPartitionCounts) {
        this(partition, config, time, random, topicPartitionCounts, groupId -> Map.of());
    }

    /** @param groupConfigs a group's config overrides (the GROUP config resource), read on the shard's thread */
    GroupShard(int partition, GroupCoordinatorConfig config, Time time, Random random,
               Supplier<Map<String, Integer>> topicPartitionCounts,
               java.util.function.Function<String, Map<String, String>> groupConfigs) {
        this(partition, config, time, random, topicPartitionCounts, groupConfigs, TopicIdLookup.NONE);
    }

    /** @param topicIds the cluster's topic ids, read on the shard's thread (share groups' metadata hashes) */
    GroupShard(int partition, GroupCoordinatorConfig config, Time time, Random random,
               Supplier<Map<String, Integer>> topicPartitionCounts,
               java.util.function.Function<String, Map<String, String>> groupConfigs, TopicIdLookup topicIds) {
        this.context = new ShardContext(partition, config, time, random, new DeadlineTimer(), topicPartitionCounts,
                groupConfigs, topicIds);
        this.rebalancer = new Rebalancer(context, store);
        this.planner = new ConsumerAssignmentPlanner(context);
        this.consumerOp = new ConsumerHeartbeatOp(context, store, planner);
        this.shareOp = new ShareHeartbeatOp(context, store);
        this.shareOffsetsOp = new ShareOffsetsOp(store);
        this.joinOp = new JoinGroupOp(context, store, rebalancer);
        this.memberOps = new MemberOps(context, store, rebalancer);
        this.offsetOps = new OffsetOps(context, store, rebalancer);
        this.txnOffsetCommitOp = new TxnOffsetCommitOp(context, store);
        this.adminOps = new GroupAdminOps(store, planner);
    }

    ConsumerHeartbeatOp consumerOp() {
        return consumerOp;
    }

    ShareHeartbeatOp shareOp() {
        return shareOp;
    }

    ShareOffsetsOp shareOffsetsOp() {
        return shareOffsetsOp;
    }

    ConsumerAssignmentPlanner planner() {
        return planner;
    }

    JoinGroupOp joinOp() {
        return joinOp;
    }

    MemberOps memberOps() {
        return memberOps;
    }

    /** Every group's committed offsets in this shard; on the shard's thread. */
    List<CommittedOffset> committedOffsets() {
        List<CommittedOffset> out = new ArrayList<>();
        store.addCommittedOffsets(out);
        return out;
    }

    OffsetOps offsetOps() {
        return offsetOps;
    }

    TxnOffsetCommitOp txnOffsetCommitOp() {
        return txnOffsetCommitOp;
    }

    GroupAdminOps adminOps() {
        return adminOps;
    }

    GroupCoordinatorConfig config() {
        return context.config();
    }

    ClassicGroup group(String groupId) {
        return store.group(groupId);
    }

    ConsumerGroup consumerGroup(String groupId) {
        return store.consumerGroup(groupId);
    }

    Collection<ClassicGroup> groups() {
        return store.groups();
    }

    /** The group's committed offsets by partition (sorted), empty if none. */
    Map<TopicPartition, OffsetValue> offsets(String groupId) {
        return store.offsets(groupId);
    }

    List<String> groupIds() {
        return store.groupIds();
    }

    /** The pending transactional offsets, producer id → "group/topic-partition" → value: for comparing states. */
    Map<Long, Map<String, OffsetValue>> pendingTxnOffsets() {
        return store.pendingTxnOffsets().snapshot();
    }

    /** Members of a loaded group start a fresh session: those gone during the failover expire. */
    @Override
    public void onLoaded(long nowMs) {
        loading = false;
        for (ClassicGroup group : store.groups()) {
            for (ClassicMember member : group.members()) {
                rebalancer.scheduleHeartbeat(group, member);
            }
        }
        for (ConsumerGroup group : store.consumerGroups()) {
            for (ConsumerMember member : group.members()) {
                consumerOp.scheduleSession(group.groupId(), member.memberId());
            }
        }
        for (ShareGroup group : store.shareGroups()) {
            for (ShareMember member : group.members()) {
                shareOp.scheduleSession(group.groupId(), member.memberId());
            }
        }
        nextExpiryCheckMs = nowMs + context.config().offsetsRetentionCheckIntervalMs();
    }

    /**
     * The timeouts due now, each applied before the next runs, and every
     * {@code offsets.retention.check.interval.ms} the offset expiry.
     */
    @Override
    public CoordinatorResult<Void, CoordinatorRecord> onTick(long nowMs) {
        List<CoordinatorRecord> written = new ArrayList<>();
        try {
            context.timer().poll(nowMs, records -> applyNow(records, written));
            if (nowMs >= nextExpiryCheckMs) {
                nextExpiryCheckMs = nowMs + context.config().offsetsRetentionCheckIntervalMs();
                applyNow(offsetOps.expire().records(), written);
            }
        } catch (RuntimeException e) {
            // What the tasks before applied is written; the rest waits for the next tick.
            LOG.error("A timeout of __consumer_offsets-{} failed", context.partition(), e);
        }
        return new CoordinatorResult<>(written, null, false, null);
    }

    private void applyNow(List<CoordinatorRecord> records, List<CoordinatorRecord> written) {
        for (CoordinatorRecord record : records) {
            replay(UNKNOWN_OFFSET, record);
        }
        written.addAll(records);
    }

    /**
     * The position in the log of the record or marker being applied: its offset when loading; when
     * applied live (ahead of its append), the next number after the last position, which keeps the log's
     * order since this shard is the partition's only writer and applies what it writes in append order.
     * Only compared, never taken for an offset.
     */
    private long logPosition(long offset) {
        if (offset >= 0) {
            nextLogPosition = Math.max(nextLogPosition, offset + 1);
            return offset;
        }
        return nextLogPosition++;
    }

    /** Applies one record: the only way durable state changes, live and on load. */
    @Override
    public void replay(long offset, CoordinatorRecord record) {
        long position = logPosition(offset);
        if (record.key() instanceof OffsetKey key) {
            TopicPartition tp = new TopicPartition(key.topic(), key.partition());
            if (record.value() instanceof OffsetValue value) {
                ensureGroupForOffsets(key.groupId());
                store.putOffset(key.groupId(), tp, value, position);
            } else {
                store.removeOffset(key.groupId(), tp);
                store.pendingTxnOffsets().removePartition(key.groupId(), tp);
            }
        } else if (record.key() instanceof GroupKey key) {
            if (record.value() instanceof GroupValue value) {
                ClassicGroup group = store.getOrCreateGroup(key.groupId());
                for (ClassicMember dropped : group.apply(value, loading)) {
                    rebalancer.forgetMember(group, dropped, Errors.UNKNOWN_MEMBER_ID);
                }
            } else {
                ClassicGroup group = store.removeGroup(key.groupId());
                if (group != null) {
                    if (!group.isInState(GroupState.DEAD)) {
                        group.markDead(context.nowMs());
                    }
                    for (ClassicMember member : group.members()) {
                        rebalancer.forgetMember(group, member, Errors.COORDINATOR_NOT_AVAILABLE);
                    }
                    rebalancer.cancelGroupTimers(group);
                }
            }
        } else if (record.key() instanceof ShareGroupRecords.ShareKey) {
            replayShare(record);
        } else {
            replayConsumer(record);
        }
    }

    /** Offsets without a group (a simple commit) belong to an empty classic group, as in Kafka. */
    private void ensureGroupForOffsets(String groupId) {
        if (store.consumerGroup(groupId) == null) {
            store.getOrCreateGroupForOffsets(groupId);
        }
    }

    /**
     * Applies a record of a producer's transaction: an offset commit stays pending, invisible to
     * OffsetFetch, until the producer's marker ({@link #replayEndTransactionMarker}); any other record
     * (an offset tombstone) applies as outside a transaction, as Kafka's coordinator does.
     */
    @Override
    public void replay(long offset, long producerId, short producerEpoch, CoordinatorRecord record) {
        if (record.key() instanceof OffsetKey key && record.value() instanceof OffsetValue value) {
            long position = logPosition(offset);
            ensureGroupForOffsets(key.groupId());
            store.pendingTxnOffsets().put(producerId, producerEpoch, key.groupId(),
                    new TopicPartition(key.topic(), key.partition()), value, position);
        } else {
            replay(offset, record);
        }
    }

    /**
     * Ends the producer's transaction here: on commit its pending offsets become the committed ones,
     * each only if its record is later in the log than the committed offset's (a plain commit written
     * after the transactional one wins); on abort they are dropped.
     */
    @Override
    public void replayEndTransactionMarker(long offset, long producerId, short producerEpoch, boolean commit) {
        logPosition(offset);
        Map<String, Map<TopicPartition, PendingTxnOffsets.PendingOffset>> ended =
                store.pendingTxnOffsets().remove(producerId);
        if (!commit) {
            return;
        }
        ended.forEach((groupId, partitions) -> partitions.forEach((tp, pending) -> {
            if (pending.logPosition() > store.offsetPosition(groupId, tp)) {
                ensureGroupForOffsets(groupId);
                store.putOffset(groupId, tp, pending.value(), pending.logPosition());
            }
        }));
    }

    /**
     * Applies a share group record: the group's epoch (its tombstone removes the group), a member's metadata
     * (its tombstone removes the member) and current assignment, the target assignment and its epoch, and the
     * group's state partitions. A record for a group that is not there creates it, as in Kafka; a tombstone
     * for one changes nothing.
     */
    private void replayShare(CoordinatorRecord record) {
        String groupId = record.key().groupId();
        ShareGroup group = store.shareGroup(groupId);
        if (record.key() instanceof ShareGroupRecords.GroupMetadataKey && record.isTombstone()) {
            if (group != null) {
                store.removeShareGroup(groupId);
                group.members().forEach(m -> shareOp.cancelSession(groupId, m.memberId()));
            }
            return;
        }
        if (group == null) {
            if (record.isTombstone()) {
                return;
            }
            group = new ShareGroup(groupId);
            store.putShareGroup(group);
        }
        CoordinatorRecord.Key key = record.key();
        CoordinatorRecord.Value value = record.value();
        if (key instanceof ShareGroupRecords.GroupMetadataKey) {
            ShareGroupRecords.GroupMetadataValue metadata = (ShareGroupRecords.GroupMetadataValue) value;
            group.applyGroupMetadata(metadata.groupEpoch(), metadata.metadataHash());
        } else if (key instanceof ShareGroupRecords.MemberMetadataKey k) {
            group.applyMemberMetadata(k.memberId(), (ShareGroupRecords.MemberMetadataValue) value);
            if (value == null) {
                shareOp.cancelSession(groupId, k.memberId());
            }
        } else if (key instanceof ShareGroupRecords.MemberAssignmentKey k) {
            group.applyMemberAssignment(k.memberId(), (ShareGroupRecords.MemberAssignmentValue) value);
        } else if (key instanceof ShareGroupRecords.TargetAssignmentMemberKey k) {
            group.applyTarget(k.memberId(),
                    value == null ? null : ((ShareGroupRecords.TargetAssignmentMemberValue) value).partitions());
        } else if (key instanceof ShareGroupRecords.TargetAssignmentMetadataKey) {
            ShareGroupRecords.TargetAssignmentMetadataValue target = (ShareGroupRecords.TargetAssignmentMetadataValue) value;
            group.applyAssignmentMetadata(target == null ? 0 : target.assignmentEpoch(),
                    target == null ? 0L : target.assignmentTimestampMs());
        } else if (key instanceof ShareGroupRecords.StatePartitionMetadataKey) {
            group.applyStatePartitionMetadata((ShareGroupRecords.StatePartitionMetadataValue) value, context.nowMs());
        }
    }

    private void replayConsumer(CoordinatorRecord record) {
        String groupId = record.key().groupId();
        ConsumerGroup group = store.consumerGroup(groupId);
        if (record.key() instanceof ConsumerGroupMetadataKey && record.isTombstone()) {
            if (group != null) {
                store.removeConsumerGroup(groupId);
                group.members().forEach(m -> consumerOp.cancelTimers(groupId, m.memberId()));
            }
            return;
        }
        if (group == null) {
            if (record.isTombstone()) {
                return;
            }
            ClassicGroup classic = store.group(groupId);
            if (classic != null && classic.isEmpty()) {
                // A group id with only offsets (or an empty classic group) becomes a consumer group.
                store.removeGroup(groupId);
            }
            group = new ConsumerGroup(groupId);
            store.putConsumerGroup(group);
        }
        if (record.key() instanceof ConsumerGroupMetadataKey) {
            ConsumerGroupMetadataValue value = (ConsumerGroupMetadataValue) record.value();
            group.applyGroupMetadata(value.groupEpoch(), value.subscribedTopicPartitions(),
                    value.subscribedTopicIds(), value.subscribedTopicRacks());
        } else if (record.key() instanceof TargetAssignmentMetadataKey) {
            if (!record.isTombstone()) {
                TargetAssignmentMetadataValue value = (TargetAssignmentMetadataValue) record.value();
                group.applyAssignmentEpoch(value.assignmentEpoch(), value.assignmentTimestampMs());
            }
        } else if (record.key() instanceof TargetAssignmentMemberKey key) {
            group.applyTarget(key.memberId(),
                    record.isTombstone() ? null : ((TargetAssignmentMemberValue) record.value()).partitions());
        } else if (record.key() instanceof ConsumerMemberMetadataKey key) {
            group.applyMemberMetadata(key.memberId(), (ConsumerMemberMetadataValue) record.value());
            if (record.isTombstone()) {
                consumerOp.cancelTimers(groupId, key.memberId());
            }
        } else if (record.key() instanceof ConsumerMemberAssignmentKey key) {
            group.applyMemberAssignment(key.memberId(), (ConsumerMemberAssignmentValue) record.value());
        }
    }

    /**
     * Drops everything: this broker no longer owns the partition (or the shard is rebuilt from its
     * log). Members waiting for a response get NOT_COORDINATOR and will look the coordinator up again.
     */
    @Override
    public void onUnloaded() {
        for (ClassicGroup group : store.groups()) {
            for (ClassicMember member : group.members()) {
                member.completeJoin(new JoinGroupResponseData().setErrorCode(Errors.NOT_COORDINATOR.code())
                        .setMemberId(member.memberId()).setGenerationId(-1));
                member.completeSync(new SyncGroupResponseData().setErrorCode(Errors.NOT_COORDINATOR.code()));
            }
        }
        store.clear();
        context.timer().clear();
    }

    /** Wraps an append (or runtime) failure in the coordinator error a client acts on. */
    static Errors appendError(Throwable e) {
        Errors error = Errors.forException(e);
        return switch (error) {
            case UNKNOWN_TOPIC_OR_PARTITION, NOT_ENOUGH_REPLICAS, NOT_ENOUGH_REPLICAS_AFTER_APPEND,
                 REQUEST_TIMED_OUT -> Errors.COORDINATOR_NOT_AVAILABLE;
            case NOT_LEADER_OR_FOLLOWER, KAFKA_STORAGE_ERROR -> Errors.NOT_COORDINATOR;
            case MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE, INVALID_FETCH_SIZE -> Errors.UNKNOWN_SERVER_ERROR;
            default -> error == Errors.NONE ? Errors.UNKNOWN_SERVER_ERROR : error;
        };
    }

    /** The durable state of every consumer-protocol group; see {@link #snapshot}. */
    Map<String, ConsumerGroupSnapshot> consumerSnapshot() {
        Map<String, ConsumerGroupSnapshot> result = new TreeMap<>();
        for (ConsumerGroup group : store.consumerGroups()) {
            result.put(group.groupId(), new ConsumerGroupSnapshot(group.groupEpoch(),
                    new TreeMap<>(group.subscribedTopicPartitions()), new TreeMap<>(group.subscribedTopicIds()),
                    new TreeMap<>(group.subscribedTopicRacks()), group.assignmentEpoch(),
                    new TreeMap<>(group.targetAssignment()), new ArrayList<>(group.members()),
                    new TreeMap<>(offsets(group.groupId()).entrySet().stream().collect(
                            java.util.stream.Collectors.toMap(e -> e.getKey().toString(), Map.Entry::getValue)))));
        }
        return result;
    }

    /** One consumer-protocol group's durable state; see {@link #consumerSnapshot}. */
    record ConsumerGroupSnapshot(int groupEpoch, Map<String, Integer> subscribedTopicPartitions,
                                 Map<String, org.apache.kafka.common.Uuid> subscribedTopicIds,
                                 Map<String, Long> subscribedTopicRacks, int assignmentEpoch,
                                 Map<String, Map<String, java.util.Set<Integer>>> targetAssignment,
                                 List<ConsumerMember> members, Map<String, OffsetValue> offsets) {
    }

    /**
     * The durable state of every group, comparable with {@code equals}: what a replay of the log must
     * rebuild exactly.
     */
    Map<String, GroupSnapshot> snapshot() {
        Map<String, GroupSnapshot> result = new TreeMap<>();
        for (ClassicGroup group : store.groups()) {
            List<CoordinatorRecord.MemberValue> members = group.toValue(group.generationId(), Map.of(), 0).members();
            result.put(group.groupId(), new GroupSnapshot(group.state(), group.stateTimestampMs(), group.generationId(),
                    group.protocolType(), group.protocolName(), group.leaderId(), members,
                    new TreeMap<>(offsets(group.groupId()).entrySet().stream().collect(
                            java.util.stream.Collectors.toMap(e -> e.getKey().toString(), Map.Entry::getValue)))));
        }
        return result;
    }

    /** One group's durable state; see {@link #snapshot}. */
    record GroupSnapshot(GroupState state, long stateTimestampMs, int generationId, String protocolType,
                         String protocolName, String leaderId, List<CoordinatorRecord.MemberValue> members,
                         Map<String, OffsetValue> offsets) {
    }
}
