package io.strand.coordinator.group;

import io.strand.coordinator.group.record.CoordinatorRecord;
import io.strand.coordinator.group.record.MemberState;
import io.strand.coordinator.group.record.ShareGroupRecords;
import io.strand.coordinator.group.record.ShareGroupRecords.MemberMetadataValue;
import io.strand.coordinator.group.record.ShareGroupRecords.StatePartitionMetadataValue;
import io.strand.coordinator.group.record.ShareGroupRecords.TopicPartitions;
import io.strand.coordinator.group.share.ShareGroup;
import io.strand.coordinator.group.share.ShareMember;
import io.strand.coordinator.runtime.CoordinatorResult;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.FencedMemberEpochException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupMaxSizeReachedException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.apache.kafka.common.message.ShareGroupDescribeResponseData;
import org.apache.kafka.common.message.ShareGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ShareGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ShareGroupHeartbeat and ShareGroupDescribe (KIP-932) on one shard: share group membership. A member
 * joins with epoch 0 and the topics it subscribes to (its member id is its own, a UUID), heartbeats
 * with the epoch it was last given (or the one before it, as Kafka accepts), leaves with -1, and is removed
 * when it is not heard from for the group's {@code share.session.timeout.ms} (else {@code group.share.session.timeout.ms}; heartbeats
 * are asked for every {@code share.heartbeat.interval.ms}, else {@code group.share.heartbeat.interval.ms}).
 * As in Kafka 4.3.1, a member is assigned only partitions whose share state the group has initialized: a
 * heartbeat that finds partitions of the group's subscribed topics neither initialized nor being initialized
 * (or asked for more than Kafka's 30 s retry interval ago) records them as being initialized and hands them
 * back to be initialized (InitializeShareGroupState, at the group epoch, start offset -1), after which
 * {@link #stateInitialized} records them initialized. The group epoch moves on when a member joins, leaves
 * or changes its subscription, when a heartbeat finds that a subscribed topic was created, deleted or given
 * partitions since it last moved ({@link SubscribedTopicsHash}), and, when the target is up to date, once
 * partitions are initialized that the target lacks: partitions added to a topic move it twice, as in Kafka.
 * A new target (every member assigned the initialized partitions of its topics: Kafka's {@code simple}
 * assignor shares each partition among all its subscribers) is computed at the group epoch by a heartbeat, at
 * most once per assignment interval ({@code share.assignment.interval.ms}, else
 * {@code group.share.assignment.interval.ms}, 1 s); each member moves to the target's epoch and
 * partitions at its own next heartbeat (and, its subscription changed, to the last target's at once). A
 * heartbeat carries the assignment when it changed, on join,
 * when it names its subscribed topics, and when the member's epoch was behind. Only a join creates a group:
 * any other epoch for a group there is not is GROUP_ID_NOT_FOUND, as in Kafka; a full group refuses a member
 * it does not have before its epoch is looked at.
 *
 * <p>Compute, then apply: a heartbeat returns Kafka's share group records ({@link ShareGroupRecords}) in
 * Kafka's order and changes nothing itself; {@link GroupShard#replay} applies them, live and on load, so a
 * group and its members survive a coordinator failover or restart. A member's metadata record when it joins
 * or what it sent changed; the group epoch; on a new target each changed member target and the target's epoch;
 * the member's current assignment when it moves; the group's state partitions when partitions are to be
 * initialized. Leaving or expiring writes the member's tombstones and a new group epoch. Only the session timers are
 * memory-only: {@link GroupShard#onLoaded} starts a fresh session for every member loaded.
 *
 * <p>Not thread-safe: runs on the shard's thread.
 */
final class ShareHeartbeatOp {

    private static final Logger LOG = LoggerFactory.getLogger(ShareHeartbeatOp.class);

    private final ShardContext context;
    private final GroupStore store;

    ShareHeartbeatOp(ShardContext context, GroupStore store) {
        this.context = context;
        this.store = store;
    }

    CoordinatorResult<Outcome, CoordinatorRecord> heartbeat(
            String clientId, String clientHost, ShareGroupHeartbeatRequestData request, TopicIdLookup topicIds) {
        try {
            return doHeartbeat(clientId, clientHost, request, topicIds);
        } catch (org.apache.kafka.common.errors.ApiException e) {
            Errors error = Errors.forException(e);
            return CoordinatorResult.response(new Outcome(new ShareGroupHeartbeatResponseData()
                    .setErrorCode(error.code()).setErrorMessage(e.getMessage()), null));
        }
    }

    private CoordinatorResult<Outcome, CoordinatorRecord> doHeartbeat(
            String clientId, String clientHost, ShareGroupHeartbeatRequestData request, TopicIdLookup topicIds) {
        String groupId = request.groupId();
        String memberId = request.memberId();
        int epoch = request.memberEpoch();
        if (memberId == null || memberId.isEmpty()) {
            throw new InvalidRequestException("MemberId can't be empty.");
        }
        if (epoch < ShareMember.LEAVE_EPOCH) {
            throw new InvalidRequestException("MemberEpoch is invalid.");
        }
        if (epoch == ShareMember.JOIN_EPOCH
                && (request.subscribedTopicNames() == null || request.subscribedTopicNames().isEmpty())) {
            throw new InvalidRequestException("SubscribedTopicNames must be set in first request.");
        }
        ShareGroup group = store.shareGroup(groupId);
        if (group == null && store.hasOtherGroup(groupId)) {
            throw new GroupIdNotFoundException("Group " + groupId + " is not a share group.");
        }
        // Only a join creates the group: a leave or heartbeat to a group there is not is GROUP_ID_NOT_FOUND.
        if (group == null && epoch != ShareMember.JOIN_EPOCH) {
            throw new GroupIdNotFoundException("Share group " + groupId + " not found.");
        }
        if (epoch == ShareMember.LEAVE_EPOCH) {
            if (group.member(memberId) == null) {
                throw new UnknownMemberIdException("Member " + memberId + " is not a member of group " + groupId + ".");
            }
            LOG.info("Removing member {} of share group {}: left the group", memberId, groupId);
            context.timer().cancel(sessionKey(groupId, memberId));
            return CoordinatorResult.of(removeMemberRecords(group, memberId),
                    new Outcome(new ShareGroupHeartbeatResponseData().setMemberId(memberId)
                            .setMemberEpoch(ShareMember.LEAVE_EPOCH), null));
        }
        ShareMember member = group == null ? null : group.member(memberId);
        if (member == null && group != null && group.members().size() >= context.config().shareMaxSize()) {
            throw new GroupMaxSizeReachedException("The share group has reached its maximum size.");
        }
        if (epoch != ShareMember.JOIN_EPOCH) {
            if (member == null) {
                throw new UnknownMemberIdException("Member " + memberId + " is not a member of group " + groupId + ".");
            }
            checkEpoch(member, epoch);
        }
        SortedSet<String> subscribed = request.subscribedTopicNames() != null
                ? new TreeSet<>(request.subscribedTopicNames())
                : member != null ? member.subscribedTopics() : new TreeSet<>();
        String rackId = request.rackId() != null ? request.rackId() : member != null ? member.rackId() : null;
        long now = context.nowMs();

        List<CoordinatorRecord> records = new ArrayList<>();
        MemberMetadataValue metadata = new MemberMetadataValue(rackId, clientId, clientHost, List.copyOf(subscribed));
        if (member == null || !member.metadata().equals(metadata)) {
            records.add(new CoordinatorRecord(new ShareGroupRecords.MemberMetadataKey(groupId, memberId), metadata));
        }
        // The group epoch moves on when the member's subscription changed, when a subscribed topic was created,
        // deleted or given partitions since it last moved (the subscribed topics' metadata hash changed), or,
        // when the target is up to date, once partitions the target does not have yet are initialized.
        boolean subscriptionChanged = member == null || !member.subscribedTopics().equals(subscribed);
        Map<String, SortedSet<String>> subscriptions = new TreeMap<>();
        if (group != null) {
            group.members().forEach(m -> subscriptions.put(m.memberId(), m.subscribedTopics()));
        }
        subscriptions.put(memberId, subscribed);
        long metadataHash = metadataHash(subscriptions.values());
        int groupEpoch = group == null ? ShareGroup.INITIAL_EPOCH : group.groupEpoch();
        int assignmentEpoch = group == null ? ShareGroup.INITIAL_EPOCH : group.assignmentEpoch();
        long hashBefore = group == null ? NO_METADATA_HASH : group.metadataHash();
        boolean bump = subscriptionChanged || metadataHash != hashBefore
                || (assignmentEpoch >= groupEpoch && initializedAssignmentPending(group, topicIds));
        if (bump) {
            groupEpoch++;
            records.add(new CoordinatorRecord(new ShareGroupRecords.GroupMetadataKey(groupId),
                    new ShareGroupRecords.GroupMetadataValue(groupEpoch, metadataHash)));
        }
        StatePartitionMetadataValue state = group == null ? StatePartitionMetadataValue.EMPTY
                : group.statePartitionMetadata();

        // A new target for every member, of the initialized partitions only, at most once per assignment interval.
        int targetEpoch;
        Map<Uuid, SortedSet<Integer>> target;
        long lastAssignmentMs = group == null ? 0L : group.assignmentTimestampMs();
        if (assignmentEpoch < groupEpoch
                && canComputeTarget(lastAssignmentMs, context.shareAssignmentIntervalMs(groupId), now)) {
            Map<String, Map<Uuid, SortedSet<Integer>>> previous = group == null ? Map.of() : group.targetAssignment();
            Map<String, Map<Uuid, SortedSet<Integer>>> targets = new TreeMap<>();
            subscriptions.forEach((id, topics) -> targets.put(id, assignable(topics, state, topicIds)));
            targets.forEach((id, partitions) -> {
                Map<Uuid, SortedSet<Integer>> before = previous.get(id);
                if (before == null || !before.equals(partitions)) {
                    records.add(new CoordinatorRecord(new ShareGroupRecords.TargetAssignmentMemberKey(groupId, id),
                            new ShareGroupRecords.TargetAssignmentMemberValue(partitions)));
                }
            });
            records.add(new CoordinatorRecord(new ShareGroupRecords.TargetAssignmentMetadataKey(groupId),
                    new ShareGroupRecords.TargetAssignmentMetadataValue(groupEpoch, now)));
            targetEpoch = groupEpoch;
            target = targets.get(memberId);
        } else {
            targetEpoch = assignmentEpoch;
            target = group == null ? Map.of() : group.targetAssignment().getOrDefault(memberId, Map.of());
        }

        // The member moves to the target's epoch and partitions (a share group revokes nothing first).
        int memberEpoch = member != null ? member.memberEpoch() : ShareMember.JOIN_EPOCH;
        Map<Uuid, SortedSet<Integer>> assignedBefore = member != null ? member.assigned() : Map.of();
        Map<Uuid, SortedSet<Integer>> assigned = assignedBefore;
        if (subscriptionChanged || memberEpoch != targetEpoch) {
            int previousEpoch = member != null ? member.previousMemberEpoch() : ShareMember.JOIN_EPOCH;
            if (member == null || memberEpoch != targetEpoch || previousEpoch != memberEpoch
                    || !assignedBefore.equals(target)) {
                records.add(new CoordinatorRecord(new ShareGroupRecords.MemberAssignmentKey(groupId, memberId),
                        new ShareGroupRecords.MemberAssignmentValue(targetEpoch, memberEpoch, MemberState.STABLE,
                                target)));
            }
            memberEpoch = targetEpoch;
            assigned = target;
        }

        ShareStateInit init = stateToInitialize(groupId, groupEpoch, subscriptions, state, group, topicIds, now,
                records);
        scheduleSession(groupId, memberId);
        ShareGroupHeartbeatResponseData response = new ShareGroupHeartbeatResponseData().setMemberId(memberId)
                .setMemberEpoch(memberEpoch).setHeartbeatIntervalMs(context.shareHeartbeatIntervalMs(groupId));
        if (epoch == ShareMember.JOIN_EPOCH || request.subscribedTopicNames() != null
                || !assigned.equals(assignedBefore)) {
            response.setAssignment(toWire(assigned)); // a full request (topics named) gets it too
        }
        return CoordinatorResult.of(records, new Outcome(response, init));
    }

    /** A heartbeat's answer, and the share-partitions it recorded as being initialized (null: none). */
    record Outcome(ShareGroupHeartbeatResponseData response, ShareStateInit init) {
    }

    /** Kafka's rule: a first target, an interval of 0, or the interval passed since the last one. */
    static boolean canComputeTarget(long lastAssignmentMs, int intervalMs, long nowMs) {
        return lastAssignmentMs == 0 || intervalMs == 0 || nowMs >= lastAssignmentMs + intervalMs;
    }

    /**
     * Whether the group's target lacks, or has other than, the initialized partitions of a topic its members
     * subscribe to (a partition initialized since the target was computed): false for a group without members.
     * A topic deleted since its state was initialized does not count (its state partitions are being dropped).
     */
    private static boolean initializedAssignmentPending(ShareGroup group, TopicIdLookup topicIds) {
        if (group == null || group.isEmpty() || group.statePartitionMetadata().initialized().isEmpty()) {
            return false;
        }
        Set<String> subscribed = new TreeSet<>();
        group.members().forEach(m -> subscribed.addAll(m.subscribedTopics()));
        if (subscribed.isEmpty()) {
            return false;
        }
        Map<Uuid, SortedSet<Integer>> targeted = new TreeMap<>();
        group.targetAssignment().values().forEach(partitions -> partitions.forEach(
                (topicId, p) -> targeted.computeIfAbsent(topicId, t -> new TreeSet<>()).addAll(p)));
        for (Map.Entry<Uuid, TopicPartitions> topic : group.statePartitionMetadata().initialized().entrySet()) {
            if (subscribed.contains(topic.getValue().topicName()) && topicIds.nameOf(topic.getKey()) != null) {
                SortedSet<Integer> inTarget = targeted.get(topic.getKey());
                if (inTarget == null || !inTarget.equals(topic.getValue().partitions())) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * A member's target: of each topic it subscribes to that exists, every partition whose share state is
     * initialized (Kafka's {@code simple} assignor shares each partition among all its subscribers).
     */
    private static Map<Uuid, SortedSet<Integer>> assignable(Set<String> subscribed, StatePartitionMetadataValue state,
                                                          TopicIdLookup topicIds) {
        Map<Uuid, SortedSet<Integer>> assigned = new TreeMap<>();
        for (String topic : subscribed) {
            Uuid id = topicIds.idOf(topic);
            TopicPartitions initialized = id == null ? null : state.initialized().get(id);
            if (initialized != null && !initialized.partitions().isEmpty()) {
                assigned.put(id, new TreeSet<>(initialized.partitions()));
            }
        }
        return assigned;
    }

    /**
     * The partitions of the group's subscribed topics whose share state is neither initialized nor being
     * initialized (or was asked for longer than Kafka's retry interval ago), recorded as being initialized
     * ({@code records} gets the group's state partitions); null if there are none.
     */
    private ShareStateInit stateToInitialize(String groupId, int stateEpoch, Map<String, SortedSet<String>> subscriptions,
                                             StatePartitionMetadataValue state, ShareGroup group, TopicIdLookup topicIds,
                                             long now, List<CoordinatorRecord> records) {
        Set<String> topics = new TreeSet<>();
        subscriptions.values().forEach(topics::addAll);
        Map<String, Integer> counts = context.topicPartitionCounts();
        Map<Uuid, SortedSet<Integer>> toInitialize = new TreeMap<>();
        Map<String, Uuid> idsByName = new TreeMap<>();
        Map<Uuid, String> names = new TreeMap<>();
        for (String topic : topics) {
            Integer partitions = counts.get(topic);
            Uuid id = topicIds.idOf(topic);
            if (partitions == null || partitions <= 0 || id == null || Uuid.ZERO_UUID.equals(id)) {
                continue;
            }
            SortedSet<Integer> missing = new TreeSet<>();
            for (int p = 0; p < partitions; p++) {
                missing.add(p);
            }
            TopicPartitions initialized = state.initialized().get(id);
            if (initialized != null) {
                missing.removeAll(initialized.partitions());
            }
            TopicPartitions initializing = state.initializing().get(id);
            Long since = group == null ? null : group.initializingSinceMs(id);
            if (initializing != null && since != null
                    && now - since < ShardContext.SHARE_INITIALIZE_RETRY_INTERVAL_MS) {
                missing.removeAll(initializing.partitions());
            }
            if (!missing.isEmpty()) {
                toInitialize.put(id, missing);
                idsByName.put(topic, id);
                names.put(id, topic);
            }
        }
        if (toInitialize.isEmpty()) {
            return null;
        }
        records.add(new CoordinatorRecord(new ShareGroupRecords.StatePartitionMetadataKey(groupId),
                ShareStatePartitionsUpdate.withInitializing(state, toInitialize, idsByName)));
        return new ShareStateInit(groupId, stateEpoch, toInitialize, names);
    }

    /**
     * A member heartbeats with its epoch or, as Kafka accepts, its previous one: the answer that gave it the
     * current epoch may have been lost. It is then answered its current epoch (and its assignment when the
     * heartbeat names its topics, as any). Any other epoch is FENCED_MEMBER_EPOCH.
     */
    private static void checkEpoch(ShareMember member, int epoch) {
        if (epoch > member.memberEpoch()) {
            throw new FencedMemberEpochException("The share group member has a greater member epoch (" + epoch
                    + ") than the group coordinator knows (" + member.memberEpoch() + "); it must rejoin.");
        }
        if (epoch < member.memberEpoch() && epoch != member.previousMemberEpoch()) {
            throw new FencedMemberEpochException("The share group member has a smaller member epoch (" + epoch
                    + ") than the group coordinator knows (" + member.memberEpoch() + "), and not its previous one ("
                    + member.previousMemberEpoch() + "); it must rejoin.");
        }
    }

    /** The metadata hash of a group without subscribed topics that exist (one AlterShareGroupOffsets made). */
    static final long NO_METADATA_HASH = SubscribedTopicsHash.NONE;

    /** The metadata hash of the topics of {@code subscriptions}, as the cluster has them now. */
    private long metadataHash(Collection<? extends Set<String>> subscriptions) {
        Set<String> topics = new TreeSet<>();
        subscriptions.forEach(topics::addAll);
        return SubscribedTopicsHash.of(topics, context.topicPartitionCounts(), context.topicIds());
    }

    private static ShareGroupHeartbeatResponseData.Assignment toWire(Map<Uuid, SortedSet<Integer>> assigned) {
        ShareGroupHeartbeatResponseData.Assignment out = new ShareGroupHeartbeatResponseData.Assignment();
        assigned.forEach((topicId, partitions) -> out.topicPartitions().add(
                new ShareGroupHeartbeatResponseData.TopicPartitions().setTopicId(topicId)
                        .setPartitions(new ArrayList<>(partitions))));
        return out;
    }

    /**
     * The records that remove a member, in Kafka's order: its current assignment, its target and its
     * metadata go, and the group epoch moves on, with the metadata hash of the other members' topics.
     */
    private List<CoordinatorRecord> removeMemberRecords(ShareGroup group, String memberId) {
        String groupId = group.groupId();
        List<Set<String>> others = new ArrayList<>();
        group.members().stream().filter(m -> !m.memberId().equals(memberId))
                .forEach(m -> others.add(m.subscribedTopics()));
        return List.of(
                new CoordinatorRecord(new ShareGroupRecords.MemberAssignmentKey(groupId, memberId), null),
                new CoordinatorRecord(new ShareGroupRecords.TargetAssignmentMemberKey(groupId, memberId), null),
                new CoordinatorRecord(new ShareGroupRecords.MemberMetadataKey(groupId, memberId), null),
                new CoordinatorRecord(new ShareGroupRecords.GroupMetadataKey(groupId),
                        new ShareGroupRecords.GroupMetadataValue(group.groupEpoch() + 1, metadataHash(others))));
    }

    /** Starts (or restarts) the member's session: it is removed unless heard from within the timeout. */
    void scheduleSession(String groupId, String memberId) {
        context.timer().schedule(sessionKey(groupId, memberId),
                context.nowMs() + context.shareSessionTimeoutMs(groupId), () -> {
                    ShareGroup group = store.shareGroup(groupId);
                    if (group == null || group.member(memberId) == null) {
                        return List.of();
                    }
                    LOG.info("Removing member {} of share group {}: session timed out", memberId, groupId);
                    return removeMemberRecords(group, memberId);
                });
    }

    /** Stops the member's session timer (it left, or its group is gone). */
    void cancelSession(String groupId, String memberId) {
        context.timer().cancel(sessionKey(groupId, memberId));
    }

    private static String sessionKey(String groupId, String memberId) {
        return "share-session/" + groupId + "/" + memberId;
    }

    /**
     * The share state of {@code init}'s partitions was initialized ({@code succeeded}) or could not be: they
     * are recorded initialized (the next heartbeat moves the group to a new epoch and target with them), or
     * no longer being initialized (the next heartbeat asks again). Nothing for a group that is gone.
     */
    CoordinatorResult<Void, CoordinatorRecord> stateInitialized(ShareStateInit init, boolean succeeded) {
        ShareGroup group = store.shareGroup(init.groupId());
        if (group == null || init.partitions().isEmpty()) {
            return CoordinatorResult.response(null);
        }
        StatePartitionMetadataValue state = group.statePartitionMetadata();
        StatePartitionMetadataValue next = ShareStatePartitionsUpdate.afterInitializing(state, init.partitions(),
                init.topicNames(), succeeded);
        if (next.equals(state)) {
            return CoordinatorResult.response(null);
        }
        return CoordinatorResult.of(List.of(new CoordinatorRecord(
                new ShareGroupRecords.StatePartitionMetadataKey(init.groupId()), next)), null);
    }

    /** ShareGroupDescribe of one group: GROUP_ID_NOT_FOUND unless it is a share group. */
    ShareGroupDescribeResponseData.DescribedGroup describe(String groupId, TopicIdLookup topicIds) {
        ShareGroupDescribeResponseData.DescribedGroup out =
                new ShareGroupDescribeResponseData.DescribedGroup().setGroupId(groupId);
        ShareGroup group = store.shareGroup(groupId);
        if (group == null) {
            return out.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code())
                    .setErrorMessage(store.hasOtherGroup(groupId) ? "Group " + groupId + " is not a share group."
                            : "Group " + groupId + " not found.");
        }
        out.setGroupState(group.state().wireName()).setGroupEpoch(group.groupEpoch())
                .setAssignmentEpoch(group.assignmentEpoch()).setAssignorName(ShareGroup.ASSIGNOR_NAME);
        for (ShareMember member : group.members()) {
            ShareGroupDescribeResponseData.Assignment assignment = new ShareGroupDescribeResponseData.Assignment();
            member.assigned().forEach((topicId, partitions) -> {
                String name = topicIds.nameOf(topicId);
                if (name != null) { // a topic deleted since is no longer described
                    assignment.topicPartitions().add(new ShareGroupDescribeResponseData.TopicPartitions()
                            .setTopicId(topicId).setTopicName(name).setPartitions(new ArrayList<>(partitions)));
                }
            });
            out.members().add(new ShareGroupDescribeResponseData.Member().setMemberId(member.memberId())
                    .setRackId(member.rackId()).setMemberEpoch(member.memberEpoch()).setClientId(member.clientId())
                    .setClientHost(member.clientHost())
                    // Kafka keeps them in a HashSet and lists them in its order.
                    .setSubscribedTopicNames(new ArrayList<>(new java.util.HashSet<>(member.subscribedTopics())))
                    .setAssignment(assignment));
        }
        return out;
    }
}
