package io.strand.coordinator.group;

import io.strand.coordinator.group.classic.ClassicGroup;
import io.strand.coordinator.group.classic.ClassicMember;
import io.strand.coordinator.group.classic.GroupState;
import io.strand.coordinator.group.consumer.ConsumerGroup;
import io.strand.coordinator.group.consumer.ConsumerMember;
import io.strand.coordinator.group.record.CoordinatorRecord.GroupKey;
import io.strand.coordinator.group.record.CoordinatorRecord.OffsetKey;
import io.strand.coordinator.group.record.CoordinatorRecord.OffsetValue;
import io.strand.coordinator.group.record.CoordinatorRecord;
import io.strand.coordinator.runtime.CoordinatorResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponsePartition;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponseTopic;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestPartition;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopic;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponsePartition;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponseTopic;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopics;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseGroup;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartitions;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopics;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OffsetCommit, OffsetFetch, OffsetDelete and offset expiry on one shard. A commit is validated
 * against the group (a commit with a negative generation is a "simple" commit, allowed only while the
 * group has no members) and turned into one offset record per partition, written in one batch; the
 * response says per partition what happened (a failed append fails it as a whole).
 *
 * <p>Expiry ({@code offsets.retention.minutes}): offsets of a group without members expire once
 * that long has passed since the later of the commit and the moment the group became empty; a
 * consumer group with members keeps the offsets of topics it subscribes to. An explicit expiry from
 * an old client's retention time wins. A group left empty with no offsets is removed. An offset that
 * an open transaction commits again does not expire, nor does its group go, as in Kafka.
 *
 * <p>Not thread-safe: runs on the shard's thread.
 */
final class OffsetOps {

    private static final Logger LOG = LoggerFactory.getLogger(OffsetOps.class);
    static final long NO_OFFSET = -1L;
    static final int NO_LEADER_EPOCH = -1;

    private final ShardContext context;
    private final GroupStore store;
    private final Rebalancer rebalancer;

    OffsetOps(ShardContext context, GroupStore store, Rebalancer rebalancer) {
        this.context = context;
        this.store = store;
        this.rebalancer = rebalancer;
    }

    /** The first OffsetCommit version answered GROUP_ID_NOT_FOUND for a generation of a group not here. */
    static final short FIRST_GROUP_ID_NOT_FOUND_VERSION = 9;

    /** As {@link #commit(OffsetCommitRequestData, short)} at a version before 9. */
    CoordinatorResult<OffsetCommitResponseData, CoordinatorRecord> commit(OffsetCommitRequestData request) {
        return commit(request, (short) (FIRST_GROUP_ID_NOT_FOUND_VERSION - 1));
    }

    /**
     * @param version the request's version: a generation (or member epoch) of a group this shard does not
     *                have is ILLEGAL_GENERATION before v9 and GROUP_ID_NOT_FOUND from v9, as Kafka answers
     */
    CoordinatorResult<OffsetCommitResponseData, CoordinatorRecord> commit(OffsetCommitRequestData request,
                                                                          short version) {
        String groupId = request.groupId();
        Errors groupError = validateCommit(request, version);
        ConsumerMember olderEpochMember = groupError == Errors.NONE ? olderEpochMember(request) : null;
        long nowMs = context.nowMs();
        long expireTimestampMs = request.retentionTimeMs() >= 0 ? nowMs + request.retentionTimeMs() : -1;
        List<CoordinatorRecord> records = new ArrayList<>();
        Map<OffsetCommitRequestPartition, Errors> results = new LinkedHashMap<>();
        for (OffsetCommitRequestTopic topic : request.topics()) {
            for (OffsetCommitRequestPartition p : topic.partitions()) {
                Errors error = groupError;
                if (error == Errors.NONE && p.committedMetadata() != null
                        && p.committedMetadata().length() > context.config().offsetMetadataMaxBytes()) {
                    error = Errors.OFFSET_METADATA_TOO_LARGE;
                }
                if (error == Errors.NONE && (topic.name() == null || topic.name().isEmpty())) {
                    error = Errors.UNKNOWN_TOPIC_OR_PARTITION;
                }
                if (error == Errors.NONE && olderEpochMember != null) {
                    Integer given = olderEpochMember.assignment().assignmentEpochOf(topic.name(), p.partitionIndex());
                    if (given == null || request.generationIdOrMemberEpoch() < given) {
                        error = Errors.STALE_MEMBER_EPOCH;
                    }
                }
                if (error == Errors.NONE) {
                    records.add(new CoordinatorRecord(new OffsetKey(groupId, topic.name(), p.partitionIndex()),
                            new OffsetValue(p.committedOffset(), p.committedLeaderEpoch(),
                                    p.committedMetadata() == null ? "" : p.committedMetadata(), nowMs, expireTimestampMs)));
                }
                results.put(p, error);
            }
        }
        if (!records.isEmpty()) {
            ClassicGroup group = store.group(groupId);
            ClassicMember member = group == null ? null : group.member(request.memberId());
            if (member != null) {
                rebalancer.scheduleHeartbeat(group, member);
            }
        }
        OffsetCommitResponseData response = new OffsetCommitResponseData();
        for (OffsetCommitRequestTopic topic : request.topics()) {
            OffsetCommitResponseTopic out = new OffsetCommitResponseTopic().setName(topic.name())
                    .setTopicId(topic.topicId());
            for (OffsetCommitRequestPartition p : topic.partitions()) {
                out.partitions().add(new OffsetCommitResponsePartition().setPartitionIndex(p.partitionIndex())
                        .setErrorCode(results.get(p).code()));
            }
            response.topics().add(out);
        }
        return CoordinatorResult.of(records, response);
    }

    /** An empty group id is a group like any other, as Kafka commits it; only a null one is invalid. */
    private Errors validateCommit(OffsetCommitRequestData request, short version) {
        if (request.groupId() == null) {
            return Errors.INVALID_GROUP_ID;
        }
        ConsumerGroup consumerGroup = store.consumerGroup(request.groupId());
        if (consumerGroup != null) {
            return validateMemberEpoch(consumerGroup, request.memberId(), request.generationIdOrMemberEpoch(), true);
        }
        ClassicGroup group = store.group(request.groupId());
        int generationId = request.generationIdOrMemberEpoch();
        if (group == null) {
            // No group management: a simple commit creates the group; a generation of a group unknown
            // here is an old generation to clients before v9, a group not found from v9.
            if (generationId < 0) {
                return Errors.NONE;
            }
            return version >= FIRST_GROUP_ID_NOT_FOUND_VERSION ? Errors.GROUP_ID_NOT_FOUND : Errors.ILLEGAL_GENERATION;
        }
        return group.validateOffsetCommit(request.memberId(), request.groupInstanceId(), generationId, false);
    }

    /**
     * A consumer-protocol member's epoch as OffsetCommit and OffsetFetch (v9+) check it: a commit
     * without member epoch is allowed only while the group has no members; otherwise the member must
     * exist (UNKNOWN_MEMBER_ID) and be at the epoch given (STALE_MEMBER_EPOCH) — but for a commit, which
     * may give an older epoch and is then checked partition by partition ({@link #olderEpochMember}).
     */
    private static Errors validateMemberEpoch(ConsumerGroup group, String memberId, int memberEpoch, boolean commit) {
        if (commit && memberEpoch < 0 && group.isEmpty()) {
            return Errors.NONE;
        }
        ConsumerMember member = memberId == null ? null : group.member(memberId);
        if (member == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (commit && memberEpoch < member.memberEpoch()) {
            return Errors.NONE;
        }
        return memberEpoch == member.memberEpoch() ? Errors.NONE : Errors.STALE_MEMBER_EPOCH;
    }

    /**
     * The consumer-protocol member of a commit that gives an epoch older than the member's, or null. As
     * Kafka 4.3 (KIP-1251), such a commit is taken for each partition the member was given at that epoch
     * or before (assigned or still to revoke) and refused (STALE_MEMBER_EPOCH) for the others, so a
     * commit racing a heartbeat that moved the member epoch goes through, and a zombie's does not.
     */
    private ConsumerMember olderEpochMember(OffsetCommitRequestData request) {
        ConsumerGroup group = request.groupId() == null ? null : store.consumerGroup(request.groupId());
        ConsumerMember member = group == null || request.memberId() == null ? null : group.member(request.memberId());
        return member != null && request.generationIdOrMemberEpoch() < member.memberEpoch() ? member : null;
    }

    /** As {@link #fetch(OffsetFetchRequestGroup, boolean)} without {@code require_stable}. */
    OffsetFetchResponseGroup fetch(OffsetFetchRequestGroup request) {
        return fetch(request, false);
    }

    /**
     * The committed offsets of one group: the requested partitions (missing ones as offset -1), or
     * every committed partition when {@code topics} is null. Offsets of open transactions are never
     * answered; with {@code requireStable} (OffsetFetch v7+) a partition some open transaction commits
     * gets UNSTABLE_OFFSET_COMMIT (and offset -1) instead of its committed offset, so the client retries
     * once the transaction has ended, as Kafka answers.
     */
    OffsetFetchResponseGroup fetch(OffsetFetchRequestGroup request, boolean requireStable) {
        String groupId = request.groupId();
        Map<TopicPartition, OffsetValue> committed = store.offsets(groupId);
        PendingTxnOffsets pending = store.pendingTxnOffsets();
        java.util.function.Predicate<TopicPartition> unstable =
                tp -> requireStable && pending.hasPending(groupId, tp);
        OffsetFetchResponseGroup response = new OffsetFetchResponseGroup().setGroupId(request.groupId());
        ConsumerGroup consumerGroup = store.consumerGroup(request.groupId());
        if (consumerGroup != null && (request.memberId() != null || request.memberEpoch() >= 0)) {
            Errors error = validateMemberEpoch(consumerGroup, request.memberId(), request.memberEpoch(), false);
            if (error != Errors.NONE) {
                return response.setErrorCode(error.code());
            }
        }
        if (request.topics() == null) {
            Map<String, OffsetFetchResponseTopics> byTopic = new LinkedHashMap<>();
            for (Map.Entry<TopicPartition, OffsetValue> e : committed.entrySet()) {
                byTopic.computeIfAbsent(e.getKey().topic(), t -> new OffsetFetchResponseTopics().setName(t))
                        .partitions().add(unstable.test(e.getKey()) ? unstable(e.getKey().partition())
                                : partition(e.getKey().partition(), e.getValue()));
            }
            response.setTopics(new ArrayList<>(byTopic.values()));
            return response;
        }
        for (OffsetFetchRequestTopics topic : request.topics()) {
            OffsetFetchResponseTopics out = new OffsetFetchResponseTopics().setName(topic.name())
                    .setTopicId(topic.topicId());
            for (int partition : topic.partitionIndexes()) {
                TopicPartition tp = topic.name() == null ? null : new TopicPartition(topic.name(), partition);
                out.partitions().add(tp != null && unstable.test(tp) ? unstable(partition)
                        : partition(partition, tp == null ? null : committed.get(tp)));
            }
            response.topics().add(out);
        }
        return response;
    }

    private static OffsetFetchResponsePartitions unstable(int partition) {
        return partition(partition, null).setErrorCode(Errors.UNSTABLE_OFFSET_COMMIT.code());
    }

    private static OffsetFetchResponsePartitions partition(int partition, OffsetValue value) {
        OffsetFetchResponsePartitions out = new OffsetFetchResponsePartitions().setPartitionIndex(partition);
        if (value == null) {
            return out.setCommittedOffset(NO_OFFSET).setCommittedLeaderEpoch(NO_LEADER_EPOCH).setMetadata("");
        }
        return out.setCommittedOffset(value.committedOffset()).setCommittedLeaderEpoch(value.leaderEpoch())
                .setMetadata(value.metadata());
    }

    /**
     * OffsetDelete: removes offsets of a group without members, or of topics a consumer group does
     * not subscribe to (GROUP_SUBSCRIBED_TO_TOPIC for those it does); a consumer-protocol group's
     * subscriptions are its members' (resolved regexes included), as Kafka checks them.
     */
    CoordinatorResult<OffsetDeleteResponseData, CoordinatorRecord> delete(OffsetDeleteRequestData request) {
        ClassicGroup group = store.group(request.groupId());
        ConsumerGroup consumerGroup = store.consumerGroup(request.groupId());
        OffsetDeleteResponseData response = new OffsetDeleteResponseData();
        if (consumerGroup == null && (group == null || group.isInState(GroupState.DEAD))) {
            return CoordinatorResult.response(response.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code()));
        }
        Set<String> subscribed = Set.of();
        if (consumerGroup != null) {
            subscribed = consumerGroup.isEmpty() ? Set.of() : consumerGroup.subscribedTopicPartitions().keySet();
        } else if (!group.isInState(GroupState.EMPTY)) {
            subscribed = group.subscribedTopics();
            if (subscribed == null) {
                return CoordinatorResult.response(response.setErrorCode(Errors.NON_EMPTY_GROUP.code()));
            }
        }
        Map<TopicPartition, OffsetValue> committed = store.offsets(request.groupId());
        List<CoordinatorRecord> tombstones = new ArrayList<>();
        for (OffsetDeleteRequestTopic topic : request.topics()) {
            OffsetDeleteResponseTopic out = new OffsetDeleteResponseTopic().setName(topic.name());
            for (OffsetDeleteRequestPartition p : topic.partitions()) {
                Errors error = Errors.NONE;
                if (subscribed.contains(topic.name())) {
                    error = Errors.GROUP_SUBSCRIBED_TO_TOPIC;
                } else if (committed.containsKey(new TopicPartition(topic.name(), p.partitionIndex()))) {
                    tombstones.add(new CoordinatorRecord(new OffsetKey(request.groupId(), topic.name(),
                            p.partitionIndex()), null));
                }
                out.partitions().add(new OffsetDeleteResponsePartition().setPartitionIndex(p.partitionIndex())
                        .setErrorCode(error.code()));
            }
            response.topics().add(out);
        }
        return CoordinatorResult.of(tombstones, response);
    }

    /**
     * A consumer-protocol group's offsets expire {@code offsets.retention.minutes} after their commit,
     * except those of topics the group subscribes to while it has members; an empty group whose
     * offsets are all gone is removed.
     */
    private void expireConsumerGroup(ConsumerGroup group, long nowMs, long retentionMs,
                                     List<CoordinatorRecord> tombstones) {
        String groupId = group.groupId();
        Map<TopicPartition, OffsetValue> committed = store.offsets(groupId);
        Set<String> keep = group.isEmpty() ? Set.of() : group.subscribedTopicPartitions().keySet();
        int expired = 0;
        for (Map.Entry<TopicPartition, OffsetValue> e : committed.entrySet()) {
            OffsetValue v = e.getValue();
            boolean due = v.expireTimestampMs() >= 0 ? nowMs >= v.expireTimestampMs()
                    : !keep.contains(e.getKey().topic()) && nowMs - v.commitTimestampMs() >= retentionMs;
            if (due && !store.pendingTxnOffsets().hasPending(groupId, e.getKey())) {
                tombstones.add(new CoordinatorRecord(new OffsetKey(groupId, e.getKey().topic(), e.getKey().partition()),
                        null));
                expired++;
            }
        }
        if (group.isEmpty() && expired == committed.size() && !store.pendingTxnOffsets().hasPending(groupId)) {
            tombstones.addAll(GroupAdminOps.consumerGroupTombstones(group));
        }
        if (expired > 0) {
            LOG.info("Expiring {} offset(s) of consumer group {}", expired, groupId);
        }
    }

    /**
     * The cluster deleted {@code topics}: tombstones for every group's offsets of their partitions, committed
     * or of an open transaction (a tombstone drops those too), as Kafka's coordinator writes them, so that a
     * topic created again under its name starts without committed offsets. Groups stay as they are.
     */
    CoordinatorResult<Void, CoordinatorRecord> topicsDeleted(Set<String> topics) {
        List<CoordinatorRecord> tombstones = new ArrayList<>();
        for (String groupId : store.groupsWithOffsets()) {
            Set<TopicPartition> partitions = new java.util.TreeSet<>(
                    java.util.Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
            partitions.addAll(store.offsets(groupId).keySet());
            partitions.addAll(store.pendingTxnOffsets().pendingPartitions(groupId));
            for (TopicPartition tp : partitions) {
                if (topics.contains(tp.topic())) {
                    tombstones.add(new CoordinatorRecord(new OffsetKey(groupId, tp.topic(), tp.partition()), null));
                }
            }
        }
        if (!tombstones.isEmpty()) {
            LOG.info("Deleting {} offset(s) of deleted topics {}", tombstones.size(), new java.util.TreeSet<>(topics));
        }
        return CoordinatorResult.of(tombstones, null);
    }

    /** Tombstones for every expired offset, and for groups left empty with nothing committed. */
    CoordinatorResult<Void, CoordinatorRecord> expire() {
        long nowMs = context.nowMs();
        long retentionMs = context.config().offsetsRetentionMs();
        List<CoordinatorRecord> tombstones = new ArrayList<>();
        for (ConsumerGroup group : store.consumerGroups()) {
            expireConsumerGroup(group, nowMs, retentionMs, tombstones);
        }
        for (ClassicGroup group : new ArrayList<>(store.groups())) {
            String groupId = group.groupId();
            Map<TopicPartition, OffsetValue> committed = store.offsets(groupId);
            boolean empty = group.isInState(GroupState.EMPTY);
            Set<String> keep = empty ? Set.of() : group.subscribedTopics();
            if (keep == null) {
                continue;
            }
            int expired = 0;
            for (Map.Entry<TopicPartition, OffsetValue> e : committed.entrySet()) {
                OffsetValue v = e.getValue();
                boolean due = v.expireTimestampMs() >= 0 ? nowMs >= v.expireTimestampMs()
                        : !keep.contains(e.getKey().topic())
                        && nowMs - Math.max(v.commitTimestampMs(), empty ? group.stateTimestampMs() : -1) >= retentionMs;
                if (due && !store.pendingTxnOffsets().hasPending(groupId, e.getKey())) {
                    tombstones.add(new CoordinatorRecord(new OffsetKey(groupId, e.getKey().topic(),
                            e.getKey().partition()), null));
                    expired++;
                }
            }
            if (empty && committed.isEmpty() && group.generationId() == 0) {
                store.maybeDropUnusedGroup(group);
                continue;
            }
            if (empty && expired == committed.size() && group.pendingMemberIds().isEmpty()
                    && !store.pendingTxnOffsets().hasPending(groupId)) {
                tombstones.add(new CoordinatorRecord(new GroupKey(groupId), null));
            }
            if (expired > 0) {
                LOG.info("Expiring {} offset(s) of group {}", expired, groupId);
            }
        }
        return CoordinatorResult.of(tombstones, null);
    }
}
