package io.strand.coordinator.group;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.strand.coordinator.group.assignor.Assignments;
import io.strand.coordinator.group.classic.ClassicGroup;
import io.strand.coordinator.group.consumer.ConsumerGroup;
import io.strand.coordinator.group.consumer.ConsumerMember;
import io.strand.coordinator.group.consumer.Reconciler;
import io.strand.coordinator.group.record.CoordinatorRecord.ConsumerMemberAssignmentKey;
import io.strand.coordinator.group.record.CoordinatorRecord.ConsumerMemberAssignmentValue;
import io.strand.coordinator.group.record.CoordinatorRecord.ConsumerMemberMetadataKey;
import io.strand.coordinator.group.record.CoordinatorRecord.ConsumerMemberMetadataValue;
import io.strand.coordinator.group.record.CoordinatorRecord.GroupKey;
import io.strand.coordinator.group.record.CoordinatorRecord.TargetAssignmentMemberKey;
import io.strand.coordinator.group.record.CoordinatorRecord.TargetAssignmentMemberValue;
import io.strand.coordinator.group.record.CoordinatorRecord;
import io.strand.coordinator.group.record.FormerTopics;
import io.strand.coordinator.group.record.MemberState;
import io.strand.coordinator.runtime.CoordinatorResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.FencedMemberEpochException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.InvalidRegularExpression;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.apache.kafka.common.errors.UnreleasedInstanceIdException;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ConsumerGroupHeartbeat (KIP-848) on one shard: joins (member epoch 0), heartbeats, leaves (-1)
 * and static leaves (-2), and the session and rebalance timeouts that fence silent or slow members.
 *
 * <p>A heartbeat validates the member and its epoch (FENCED_MEMBER_EPOCH for an epoch ahead of
 * ours, or behind without being the previous epoch with a subset of its partitions;
 * UNKNOWN_MEMBER_ID for a member we do not know; GROUP_ID_NOT_FOUND for any epoch but a join's when there
 * is no consumer-protocol group of that id), records changed member metadata, lets
 * {@link ConsumerAssignmentPlanner} bump the group epoch and recompute the target when members or
 * subscribed topics changed, and moves the member one step with {@link Reconciler}; the records
 * and the response make the result, applied when the operation returns and answered once committed.
 * The response carries the assignment when it changed, to a join and to a full request (as Kafka).
 *
 * <p>Not thread-safe: runs on the shard's thread.
 */
final class ConsumerHeartbeatOp {

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerHeartbeatOp.class);

    private final ShardContext context;
    private final GroupStore store;
    private final ConsumerAssignmentPlanner planner;

    ConsumerHeartbeatOp(ShardContext context, GroupStore store, ConsumerAssignmentPlanner planner) {
        this.context = context;
        this.store = store;
        this.planner = planner;
    }

    ConsumerAssignmentPlanner planner() {
        return planner;
    }

    CoordinatorResult<ConsumerGroupHeartbeatResponseData, CoordinatorRecord> heartbeat(
            short version, String clientId, String clientHost, ConsumerGroupHeartbeatRequestData request,
            TopicIdLookup topicIds, TopicAccess topicAccess) {
        try {
            validate(version, request);
            int epoch = request.memberEpoch();
            List<CoordinatorRecord> records = new ArrayList<>();
            ConsumerGroupHeartbeatResponseData response =
                    epoch == ConsumerMember.LEAVE_EPOCH || epoch == ConsumerMember.STATIC_LEAVE_EPOCH
                            ? leave(request, records)
                            : join(version, clientId, clientHost, request, topicIds, topicAccess, records);
            return CoordinatorResult.of(records, response);
        } catch (ApiException e) {
            return CoordinatorResult.response(new ConsumerGroupHeartbeatResponseData()
                    .setErrorCode(Errors.forException(e).code()).setErrorMessage(e.getMessage()));
        }
    }

    /**
     * The checks Kafka makes before routing ({@link ConsumerHeartbeatValidation}, made again here for a
     * shard driven directly), then the subscription's regex, which Kafka checks on the shard.
     */
    private void validate(short version, ConsumerGroupHeartbeatRequestData request) {
        ConsumerHeartbeatValidation.validate(version, request, context.config().consumerAssignors());
        String regex = request.subscribedTopicRegex();
        if (regex != null && !regex.isEmpty()) {
            try {
                Pattern.compile(regex);
            } catch (PatternSyntaxException e) {
                throw new InvalidRegularExpression("SubscribedTopicRegex `" + regex + "` is not a valid regular "
                        + "expression: " + e.getDescription() + ".");
            }
        }
    }

    private ConsumerGroupHeartbeatResponseData join(short version, String clientId, String clientHost,
                                                    ConsumerGroupHeartbeatRequestData request,
                                                    TopicIdLookup topicIds, TopicAccess topicAccess,
                                                    List<CoordinatorRecord> records) {
        String groupId = request.groupId();
        int epoch = request.memberEpoch();
        ConsumerGroup group = store.consumerGroup(groupId);
        if (group == null) {
            ClassicGroup classic = store.group(groupId);
            if ((classic != null && !classic.isEmpty()) || store.shareGroup(groupId) != null) {
                throw new GroupIdNotFoundException("Group " + groupId + " is not a consumer group.");
            }
            if (epoch != ConsumerMember.JOIN_EPOCH) {
                // As Kafka: only a join (epoch 0) may create the group; any other epoch names one that is not there.
                throw new GroupIdNotFoundException(classic == null ? "Consumer group " + groupId + " not found."
                        : "Group " + groupId + " is not a consumer group.");
            }
            if (classic != null && classic.generationId() > 0) {
                records.add(new CoordinatorRecord(new GroupKey(groupId), null));
            }
            group = new ConsumerGroup(groupId); // only read here; the replay creates the shard's group
        }
        Map<String, Set<Integer>> owned = owned(request, topicIds);
        String memberId = request.memberId() == null || request.memberId().isEmpty()
                ? new Uuid(context.random().nextLong(), context.random().nextLong()).toString() : request.memberId();
        Map<String, ConsumerMember> members = new TreeMap<>();
        group.members().forEach(m -> members.put(m.memberId(), m));
        Map<String, Map<String, Set<Integer>>> target = new TreeMap<>(group.targetAssignment());
        planner.retireReplacedTopics(group, members, target, records);
        ConsumerMember member;
        boolean newMember = false;
        String replacedId = null;
        if (epoch == ConsumerMember.JOIN_EPOCH) {
            ConsumerMember previousStatic = group.staticMember(request.instanceId());
            ConsumerMember existing = group.member(memberId);
            if (previousStatic != null && !previousStatic.memberId().equals(memberId)) {
                if (previousStatic.memberEpoch() != ConsumerMember.STATIC_LEAVE_EPOCH) {
                    throw new UnreleasedInstanceIdException("Static member " + request.instanceId()
                            + " of group " + groupId + " is still in use by member " + previousStatic.memberId() + ".");
                }
                replacedId = previousStatic.memberId();
                ConsumerAssignmentPlanner.removal(groupId, replacedId, records);
                ConsumerMember retired = members.remove(replacedId);
                target.put(memberId, target.getOrDefault(replacedId, Assignments.EMPTY));
                target.remove(replacedId);
                member = retired.withMemberId(memberId);
            } else if (existing != null) {
                // Rejoining after losing its partitions: it owns nothing any more.
                member = existing.withAssignment(new ConsumerMemberAssignmentValue(ConsumerMember.JOIN_EPOCH,
                        existing.memberEpoch(), MemberState.STABLE, Map.of(), Map.of()));
            } else {
                member = ConsumerMember.newMember(memberId);
                newMember = true;
            }
        } else {
            member = members.get(memberId);
            if (member == null) {
                throw new UnknownMemberIdException("Member " + memberId + " is not a member of group " + groupId + ".");
            }
            checkEpoch(member, epoch, owned);
        }
        ConsumerMember updated = member.withMetadata(metadata(member.metadata(), request, clientId, clientHost));
        if (newMember || replacedId != null || !updated.metadata().equals(member.metadata())) {
            records.add(new CoordinatorRecord(new ConsumerMemberMetadataKey(groupId, memberId), updated.metadata()));
        }
        members.put(memberId, updated);
        planner.onHeartbeat(groupId, memberId, topicAccess);
        // As Kafka, the group epoch moves for a changed subscription (a new member's counts as changed from
        // none), not for a member as such: one joining without topics or regex leaves it where it is.
        ConsumerAssignmentPlanner.Target planned = planner.plan(group, members, target,
                updated.subscriptionDiffers(member), !regexNewToGroup(group, member, updated), records);
        if (replacedId != null && !records.stream().anyMatch(r -> r.key() instanceof TargetAssignmentMemberKey k
                && k.memberId().equals(memberId) && !r.isTombstone())) {
            records.add(new CoordinatorRecord(new TargetAssignmentMemberKey(groupId, memberId),
                    new TargetAssignmentMemberValue(planned.assignment().getOrDefault(memberId, Assignments.EMPTY))));
        }
        ConsumerGroup current = group;
        String renamed = replacedId;
        ConsumerMemberAssignmentValue next = Reconciler.reconcile(updated, planned.assignmentEpoch(),
                planned.assignment().getOrDefault(memberId, Assignments.EMPTY), owned, (topic, partition) -> {
                    String owner = current.ownerOf(topic, partition);
                    if (owner != null && owner.equals(renamed)) {
                        return memberId;
                    }
                    // The group's owners as its records left them; a partition retired just now is free.
                    ConsumerMember holder = owner == null ? null : members.get(owner);
                    return holder == null || holds(holder, topic, partition) ? owner : null;
                });
        if (next != updated.assignment() || newMember || replacedId != null || epoch == ConsumerMember.JOIN_EPOCH) {
            records.add(new CoordinatorRecord(new ConsumerMemberAssignmentKey(groupId, memberId), next));
        }
        scheduleSession(groupId, memberId);
        maybeScheduleRebalanceTimeout(groupId, memberId, next, updated.metadata().rebalanceTimeoutMs());
        ConsumerGroupHeartbeatResponseData response = new ConsumerGroupHeartbeatResponseData().setMemberId(memberId)
                .setMemberEpoch(next.memberEpoch()).setHeartbeatIntervalMs(context.consumerHeartbeatIntervalMs(groupId));
        if (epoch == ConsumerMember.JOIN_EPOCH || isFullRequest(request) || !next.assigned().equals(member.assigned())) {
            response.setAssignment(toWire(next.assigned(), topicIds));
        }
        return response;
    }

    /**
     * Whether the member subscribes to a regex now that no other member of the group subscribes to. Kafka
     * resolves such a regex in the background and computes no target in the heartbeat that brought it (the
     * resolution then bumps the group epoch); so the group's next target waits for a later heartbeat here
     * too, although the regex is resolved at once.
     */
    private static boolean regexNewToGroup(ConsumerGroup group, ConsumerMember before, ConsumerMember after) {
        String regex = after.metadata().subscribedTopicRegex();
        if (regex == null || regex.equals(before.metadata().subscribedTopicRegex())) {
            return false;
        }
        return group.members().stream().noneMatch(m -> !m.memberId().equals(after.memberId())
                && regex.equals(m.metadata().subscribedTopicRegex()));
    }

    private static void checkEpoch(ConsumerMember member, int epoch, Map<String, Set<Integer>> owned) {
        if (epoch > member.memberEpoch()) {
            throw new FencedMemberEpochException("The consumer group member has a greater member epoch (" + epoch
                    + ") than the one known by the group coordinator (" + member.memberEpoch() + ").");
        }
        if (epoch < member.memberEpoch() && (epoch != member.previousMemberEpoch() || owned == null
                || !Assignments.isSubset(owned, member.assigned()))) {
            throw new FencedMemberEpochException("The consumer group member has a smaller member epoch (" + epoch
                    + ") than the one known by the group coordinator (" + member.memberEpoch() + ").");
        }
    }

    private static ConsumerMemberMetadataValue metadata(ConsumerMemberMetadataValue old,
                                                        ConsumerGroupHeartbeatRequestData request,
                                                        String clientId, String clientHost) {
        List<String> names = request.subscribedTopicNames() == null ? old.subscribedTopicNames()
                : new ArrayList<>(new TreeSet<>(request.subscribedTopicNames()));
        String regex = request.subscribedTopicRegex() == null ? old.subscribedTopicRegex()
                : request.subscribedTopicRegex().isEmpty() ? null : request.subscribedTopicRegex();
        return new ConsumerMemberMetadataValue(
                request.instanceId() == null ? old.instanceId() : request.instanceId(),
                request.rackId() == null ? old.rackId() : request.rackId(), clientId, clientHost, names, regex,
                request.serverAssignor() == null ? old.serverAssignor() : request.serverAssignor(),
                request.rebalanceTimeoutMs() < 0 ? old.rebalanceTimeoutMs() : request.rebalanceTimeoutMs());
    }

    /** Leave (-1: the member is removed and the rest rebalance) or static leave (-2: it keeps its partitions). */
    private ConsumerGroupHeartbeatResponseData leave(ConsumerGroupHeartbeatRequestData request,
                                                     List<CoordinatorRecord> records) {
        String groupId = request.groupId();
        ConsumerGroup group = store.consumerGroup(groupId);
        if (group == null) {
            throw new GroupIdNotFoundException(store.group(groupId) == null && store.shareGroup(groupId) == null
                    ? "Consumer group " + groupId + " not found." : "Group " + groupId + " is not a consumer group.");
        }
        ConsumerMember member = group.member(request.memberId());
        if (member == null && request.instanceId() != null) {
            member = group.staticMember(request.instanceId());
        }
        if (member == null) {
            throw new UnknownMemberIdException("Member " + request.memberId() + " is not a member of group "
                    + groupId + ".");
        }
        if (request.memberEpoch() == ConsumerMember.STATIC_LEAVE_EPOCH) {
            records.add(new CoordinatorRecord(new ConsumerMemberAssignmentKey(groupId, member.memberId()),
                    new ConsumerMemberAssignmentValue(ConsumerMember.STATIC_LEAVE_EPOCH, member.memberEpoch(),
                            member.state(), member.assigned(), member.pendingRevocation(),
                            givenAt(member.assignment()))));
            context.timer().cancel(rebalanceKey(groupId, member.memberId()));
            scheduleSession(groupId, member.memberId()); // it has one session to come back
        } else {
            removeMember(group, member.memberId(), records);
        }
        return new ConsumerGroupHeartbeatResponseData().setMemberId(member.memberId())
                .setMemberEpoch(request.memberEpoch());
    }

    /** Each partition's assignment epoch, explicit, so that it outlives a change of the member epoch. */
    private static Map<String, Map<Integer, Integer>> givenAt(ConsumerMemberAssignmentValue assignment) {
        Map<String, Map<Integer, Integer>> out = new TreeMap<>();
        for (Map<String, Set<Integer>> partitions : List.of(assignment.assigned(), assignment.pendingRevocation())) {
            partitions.forEach((topic, set) -> set.forEach(p ->
                    out.computeIfAbsent(topic, t -> new TreeMap<>()).put(p, assignment.assignmentEpochOf(topic, p))));
        }
        return out;
    }

    /**
     * The records that remove a member and bump the group epoch; the others get its partitions with the
     * next target, computed at one of their heartbeats (as Kafka: a leave or fence computes none).
     */
    void removeMember(ConsumerGroup group, String memberId, List<CoordinatorRecord> records) {
        ConsumerAssignmentPlanner.removal(group.groupId(), memberId, records);
        Map<String, ConsumerMember> members = new TreeMap<>();
        group.members().forEach(m -> members.put(m.memberId(), m));
        members.remove(memberId);
        planner.bumpForRemoval(group, members, records);
    }

    /** The records that fence a member whose session or rebalance timeout ran out. */
    private List<CoordinatorRecord> fence(String groupId, String memberId, String reason) {
        ConsumerGroup group = store.consumerGroup(groupId);
        if (group == null || group.member(memberId) == null) {
            return List.of();
        }
        LOG.info("Removing member {} of consumer group {}: {}", memberId, groupId, reason);
        List<CoordinatorRecord> records = new ArrayList<>();
        removeMember(group, memberId, records);
        return records;
    }

    void scheduleSession(String groupId, String memberId) {
        context.timer().schedule(sessionKey(groupId, memberId), context.nowMs() + context.consumerSessionTimeoutMs(groupId),
                () -> fence(groupId, memberId, "session timed out"));
    }

    private void maybeScheduleRebalanceTimeout(String groupId, String memberId, ConsumerMemberAssignmentValue next,
                                               int rebalanceTimeoutMs) {
        String key = rebalanceKey(groupId, memberId);
        if (next.state() != MemberState.UNREVOKED_PARTITIONS) {
            context.timer().cancel(key);
        } else if (!context.timer().isScheduled(key)) {
            int epoch = next.memberEpoch();
            context.timer().schedule(key, context.nowMs() + rebalanceTimeoutMs, () -> {
                ConsumerGroup group = store.consumerGroup(groupId);
                ConsumerMember member = group == null ? null : group.member(memberId);
                if (member != null && member.state() == MemberState.UNREVOKED_PARTITIONS
                        && member.memberEpoch() == epoch) {
                    return fence(groupId, memberId, "partitions not revoked within the rebalance timeout");
                }
                return List.of();
            });
        }
    }

    void cancelTimers(String groupId, String memberId) {
        context.timer().cancel(sessionKey(groupId, memberId));
        context.timer().cancel(rebalanceKey(groupId, memberId));
    }

    private static String sessionKey(String groupId, String memberId) {
        return "consumer-session/" + groupId + "/" + memberId;
    }

    private static String rebalanceKey(String groupId, String memberId) {
        return "consumer-rebalance/" + groupId + "/" + memberId;
    }

    /**
     * As Kafka: a request with everything a client sends when it joins or after an error (a rebalance
     * timeout, a subscription and its owned partitions) is answered with the member's assignment.
     */
    private static boolean isFullRequest(ConsumerGroupHeartbeatRequestData request) {
        return request.rebalanceTimeoutMs() != -1
                && (request.subscribedTopicNames() != null || request.subscribedTopicRegex() != null)
                && request.topicPartitions() != null;
    }

    private static boolean holds(ConsumerMember member, String topic, int partition) {
        return Assignments.contains(member.assigned(), topic, partition)
                || Assignments.contains(member.pendingRevocation(), topic, partition);
    }

    /**
     * The partitions the member reports owning, by topic name (an id no topic has now as its {@link
     * FormerTopics former topic}); null if not sent.
     */
    private static Map<String, Set<Integer>> owned(ConsumerGroupHeartbeatRequestData request, TopicIdLookup ids) {
        if (request.topicPartitions() == null) {
            return null;
        }
        Map<String, Set<Integer>> owned = new HashMap<>();
        for (ConsumerGroupHeartbeatRequestData.TopicPartitions tp : request.topicPartitions()) {
            String name = ids.nameOf(tp.topicId());
            owned.computeIfAbsent(name != null ? name : FormerTopics.name(tp.topicId()), n -> new TreeSet<>())
                    .addAll(tp.partitions());
        }
        return Assignments.copyOf(owned);
    }

    private static ConsumerGroupHeartbeatResponseData.Assignment toWire(Map<String, Set<Integer>> assigned,
                                                                       TopicIdLookup ids) {
        ConsumerGroupHeartbeatResponseData.Assignment out = new ConsumerGroupHeartbeatResponseData.Assignment();
        assigned.forEach((topic, partitions) -> {
            Uuid id = FormerTopics.isFormer(topic) ? FormerTopics.idOf(topic) : ids.idOf(topic);
            if (!Uuid.ZERO_UUID.equals(id)) {
                out.topicPartitions().add(new ConsumerGroupHeartbeatResponseData.TopicPartitions().setTopicId(id)
                        .setPartitions(new ArrayList<>(partitions)));
            }
        });
        return out;
    }
}
