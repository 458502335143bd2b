package io.strand.coordinator.group.consumer;

import io.strand.coordinator.group.assignor.Assignments;
import io.strand.coordinator.group.record.CoordinatorRecord.ConsumerMemberAssignmentValue;
import io.strand.coordinator.group.record.CoordinatorRecord.ConsumerMemberMetadataValue;
import io.strand.coordinator.group.record.MemberState;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;

/**
 * A consumer-protocol (KIP-848) group: its group epoch and the topics its members subscribe to as
 * of that epoch, its target assignment and the epoch that was computed for, and its members. Which
 * member owns each partition right now (assigned or pending revocation) is kept as an index, so
 * reconciliation can tell whether a partition is free.
 *
 * <p>Changed only by replaying records (the group shard's replay), so it holds exactly what the log
 * says. Operations read it to compute records (the consumer group heartbeat).
 *
 * <p>Not thread-safe: owned by the shard's thread.
 */
public final class ConsumerGroup {

    /**
     * The epochs of a group no record has moved yet. As Kafka's (since 4.3), a group starts at group and
     * assignment epoch 1 with an empty target, so the first assignment computed is epoch 2 and a member
     * that has to wait for it can be told an epoch above 0 (a join's) and not above the group's.
     */
    public static final int INITIAL_EPOCH = 1;

    private final String groupId;
    private int groupEpoch = INITIAL_EPOCH;
    private Map<String, Integer> subscribedTopicPartitions = Map.of();
    private Map<String, Uuid> subscribedTopicIds = Map.of();
    private Map<String, Long> subscribedTopicRacks = Map.of();
    private int assignmentEpoch = INITIAL_EPOCH;
    private long assignmentTimestampMs;
    private final Map<String, Map<String, Set<Integer>>> targetAssignment = new TreeMap<>();
    private final Map<String, ConsumerMember> members = new TreeMap<>();
    private final Map<TopicPartition, String> owners = new HashMap<>();

    public ConsumerGroup(String groupId) {
        this.groupId = groupId;
    }

    public String groupId() {
        return groupId;
    }

    public int groupEpoch() {
        return groupEpoch;
    }

    public int assignmentEpoch() {
        return assignmentEpoch;
    }

    /** When the target assignment was last computed; 0 if never (or unknown). */
    public long assignmentTimestampMs() {
        return assignmentTimestampMs;
    }

    public Map<String, Integer> subscribedTopicPartitions() {
        return subscribedTopicPartitions;
    }

    /** The ids of the subscribed topics as of the group epoch, where known (see {@link #applyGroupMetadata}). */
    public Map<String, Uuid> subscribedTopicIds() {
        return subscribedTopicIds;
    }

    /** The hash of each subscribed topic's replicas' racks as of the group epoch, for those that have any. */
    public Map<String, Long> subscribedTopicRacks() {
        return subscribedTopicRacks;
    }

    public Map<String, Map<String, Set<Integer>>> targetAssignment() {
        return targetAssignment;
    }

    public Map<String, Set<Integer>> targetOf(String memberId) {
        return targetAssignment.getOrDefault(memberId, Assignments.EMPTY);
    }

    public ConsumerMember member(String memberId) {
        return members.get(memberId);
    }

    public Collection<ConsumerMember> members() {
        return members.values();
    }

    public boolean isEmpty() {
        return members.isEmpty();
    }

    /** The member with this instance id, or null. */
    public ConsumerMember staticMember(String instanceId) {
        if (instanceId == null) {
            return null;
        }
        return members.values().stream().filter(m -> instanceId.equals(m.instanceId())).findFirst().orElse(null);
    }

    /** The member that owns (or still has to revoke) the partition, or null if it is free. */
    public String ownerOf(String topic, int partition) {
        return owners.get(new TopicPartition(topic, partition));
    }

    public ConsumerGroupState state() {
        if (members.isEmpty()) {
            return ConsumerGroupState.EMPTY;
        }
        if (groupEpoch != assignmentEpoch) {
            return ConsumerGroupState.ASSIGNING;
        }
        for (ConsumerMember member : members.values()) {
            if (member.memberEpoch() != assignmentEpoch || member.state() != MemberState.STABLE) {
                return ConsumerGroupState.RECONCILING;
            }
        }
        return ConsumerGroupState.STABLE;
    }

    /**
     * @param topics the partitions of every topic some member subscribes to, by name or regex,
     *               as resolved when the epoch was bumped
     * @param topicIds the ids of those topics then, where known (none in records written before ids were
     *                 kept)
     * @param topicRacks the hash of each of those topics' replicas' racks then, for those that had any
     */
    public void applyGroupMetadata(int newGroupEpoch, Map<String, Integer> topics, Map<String, Uuid> topicIds,
                                   Map<String, Long> topicRacks) {
        this.groupEpoch = newGroupEpoch;
        this.subscribedTopicPartitions = Map.copyOf(topics);
        this.subscribedTopicIds = Map.copyOf(topicIds);
        this.subscribedTopicRacks = Map.copyOf(topicRacks);
    }

    public void applyAssignmentEpoch(int newAssignmentEpoch, long timestampMs) {
        this.assignmentEpoch = newAssignmentEpoch;
        this.assignmentTimestampMs = timestampMs;
    }

    public void applyTarget(String memberId, Map<String, Set<Integer>> partitions) {
        if (partitions == null) {
            targetAssignment.remove(memberId);
        } else {
            targetAssignment.put(memberId, partitions);
        }
    }

    public void applyMemberMetadata(String memberId, ConsumerMemberMetadataValue metadata) {
        if (metadata == null) {
            ConsumerMember removed = members.remove(memberId);
            if (removed != null) {
                index(removed, false);
            }
            return;
        }
        members.merge(memberId, ConsumerMember.newMember(memberId).withMetadata(metadata),
                (old, fresh) -> old.withMetadata(metadata));
    }

    public void applyMemberAssignment(String memberId, ConsumerMemberAssignmentValue assignment) {
        ConsumerMember old = members.get(memberId);
        if (old == null) {
            if (assignment == null) {
                return;
            }
            old = ConsumerMember.newMember(memberId);
        } else {
            index(old, false);
        }
        ConsumerMember updated = old.withAssignment(assignment == null ? ConsumerMember.NO_ASSIGNMENT : assignment);
        members.put(memberId, updated);
        index(updated, true);
    }

    private void index(ConsumerMember member, boolean add) {
        for (Map<String, Set<Integer>> partitions : java.util.List.of(member.assigned(), member.pendingRevocation())) {
            partitions.forEach((topic, set) -> set.forEach(p -> {
                TopicPartition tp = new TopicPartition(topic, p);
                if (add) {
                    owners.put(tp, member.memberId());
                } else {
                    owners.remove(tp, member.memberId());
                }
            }));
        }
    }
}
