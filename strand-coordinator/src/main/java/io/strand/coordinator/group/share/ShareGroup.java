package io.strand.coordinator.group.share;

import io.strand.coordinator.group.record.ShareGroupRecords;
import io.strand.coordinator.group.record.ShareGroupRecords.MemberAssignmentValue;
import io.strand.coordinator.group.record.ShareGroupRecords.MemberMetadataValue;
import io.strand.coordinator.group.record.ShareGroupRecords.StatePartitionMetadataValue;
import io.strand.coordinator.group.record.ShareGroupRecords.TopicPartitions;
import java.util.Collection;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;

/**
 * A share group (KIP-932): members, the group epoch (which grows whenever a member joins, leaves or changes
 * its subscription, a subscribed topic is created, deleted or given partitions, or partitions missing from the
 * target are initialized), the target assignment with its
 * epoch and time, and the group's state partitions. Every member is assigned every partition of the topics it
 * subscribes to whose share state is initialized (Kafka's {@code simple} assignor gives each partition to all
 * of its subscribers): the brokers leading the partitions share their records out.
 *
 * <p>The <i>state partitions</i> are the share-partitions that may have durable state, Kafka's
 * {@code ShareGroupStatePartitionMetadata}: every partition of a topic its members subscribed to, being
 * initialized or initialized (the group coordinator has the state initialized with no start offset, which
 * the partition's leader resolves at its first ShareFetch), and every partition whose start offset
 * AlterShareGroupOffsets set, less the topics whose state DeleteShareGroupOffsets deleted.
 * DescribeShareGroupOffsets without topics reads the state of these, and deleting the group deletes theirs.
 *
 * <p>Changes only through the {@code apply…} methods, which replay the group's records
 * ({@link ShareGroupRecords}), live and on load. Not thread-safe: owned by its coordinator shard's thread.
 */
public final class ShareGroup {

    /** The assignor name describe calls report, as Kafka's. */
    public static final String ASSIGNOR_NAME = "simple";

    /**
     * The epochs of a group no record has moved yet. As Kafka's (since 4.3), a share group starts at group
     * and assignment epoch 1 with an empty target, so its first member gets epoch 2, and a group that
     * AlterShareGroupOffsets makes is recorded at epoch 1.
     */
    public static final int INITIAL_EPOCH = 1;

    private final String groupId;
    private final Map<String, ShareMember> members = new TreeMap<>();
    private final Map<String, Map<Uuid, SortedSet<Integer>>> targetAssignment = new TreeMap<>();
    private StatePartitionMetadataValue statePartitionMetadata = StatePartitionMetadataValue.EMPTY;
    private int groupEpoch = INITIAL_EPOCH;
    private int assignmentEpoch = INITIAL_EPOCH;
    private long metadataHash;
    private long assignmentTimestampMs;
    /** Topic id → when it was last recorded as being initialized (memory only, as Kafka's). */
    private final Map<Uuid, Long> initializingSinceMs = new TreeMap<>();

    public ShareGroup(String groupId) {
        this.groupId = groupId;
    }

    public String groupId() {
        return groupId;
    }

    public int groupEpoch() {
        return groupEpoch;
    }

    /** The group epoch the target assignment was computed for. */
    public int assignmentEpoch() {
        return assignmentEpoch;
    }

    public ShareMember member(String memberId) {
        return members.get(memberId);
    }

    public Collection<ShareMember> members() {
        return members.values();
    }

    /** Member id → target partitions by topic id (a copy). */
    public Map<String, Map<Uuid, SortedSet<Integer>>> targetAssignment() {
        return new TreeMap<>(targetAssignment);
    }

    public boolean isEmpty() {
        return members.isEmpty();
    }

    public ShareGroupState state() {
        return members.isEmpty() ? ShareGroupState.EMPTY : ShareGroupState.STABLE;
    }

    /** What the group's {@code ShareGroupStatePartitionMetadata} record holds now (empty if none). */
    public StatePartitionMetadataValue statePartitionMetadata() {
        return statePartitionMetadata;
    }

    /** The partitions that may have durable share state, by topic name (a copy). */
    public Map<String, SortedSet<Integer>> statePartitions() {
        return statePartitionsOf(statePartitionMetadata);
    }

    /** The state partitions {@code value} names, by topic name: those being initialized and initialized. */
    public static Map<String, SortedSet<Integer>> statePartitionsOf(StatePartitionMetadataValue value) {
        Map<String, SortedSet<Integer>> byName = new TreeMap<>();
        for (Map<Uuid, TopicPartitions> topics : java.util.List.of(value.initializing(), value.initialized())) {
            topics.values().forEach(t -> byName.computeIfAbsent(t.topicName(), n -> new TreeSet<>())
                    .addAll(t.partitions()));
        }
        return byName;
    }

    /**
     * The group's epoch and its subscribed topics' metadata hash. The assignment epoch is never above the
     * group epoch: a group recorded before share groups started at epoch 1 (AlterShareGroupOffsets wrote
     * epoch 0, and no target) reads back at epochs 0.
     */
    public void applyGroupMetadata(int epoch, long metadataHash) {
        this.groupEpoch = epoch;
        this.assignmentEpoch = Math.min(assignmentEpoch, epoch);
        this.metadataHash = metadataHash;
    }

    /** The hash of the subscribed topics' metadata as of the last group epoch (0: none, or not recorded). */
    public long metadataHash() {
        return metadataHash;
    }

    public void applyAssignmentEpoch(int epoch) {
        applyAssignmentMetadata(epoch, 0L);
    }

    /** The target assignment's epoch and when it was computed (0: never, or unknown). */
    public void applyAssignmentMetadata(int epoch, long timestampMs) {
        this.assignmentEpoch = epoch;
        this.assignmentTimestampMs = timestampMs;
    }

    /** When the target assignment was last computed (0: never). */
    public long assignmentTimestampMs() {
        return assignmentTimestampMs;
    }

    /** When {@code topicId}'s state partitions were last recorded as being initialized; null if they are not. */
    public Long initializingSinceMs(Uuid topicId) {
        return initializingSinceMs.get(topicId);
    }

    /** The member's metadata, or (null) the member is gone. */
    public void applyMemberMetadata(String memberId, MemberMetadataValue value) {
        if (value == null) {
            members.remove(memberId);
        } else {
            members.put(memberId, members.getOrDefault(memberId, ShareMember.unknown(memberId)).withMetadata(value));
        }
    }

    /** The member's epochs and assignment, or (null) its assignment is gone: the member is leaving. */
    public void applyMemberAssignment(String memberId, MemberAssignmentValue value) {
        ShareMember member = members.get(memberId);
        if (member == null) {
            if (value == null) {
                return;
            }
            member = ShareMember.unknown(memberId);
        }
        members.put(memberId, value == null
                ? member.withAssignment(ShareMember.LEAVE_EPOCH, ShareMember.LEAVE_EPOCH, Map.of())
                : member.withAssignment(value.memberEpoch(), value.previousMemberEpoch(), value.assigned()));
    }

    /** The member's target partitions, or (null) it has none. */
    public void applyTarget(String memberId, Map<Uuid, SortedSet<Integer>> partitions) {
        if (partitions == null) {
            targetAssignment.remove(memberId);
        } else {
            targetAssignment.put(memberId, ShareGroupRecords.copyOf(partitions));
        }
    }

    /** The group's state partitions, or (null) none. */
    public void applyStatePartitionMetadata(StatePartitionMetadataValue value) {
        applyStatePartitionMetadata(value, 0L);
    }

    /**
     * As above, {@code nowMs} the time the record is applied: a topic newly among those being initialized is
     * taken as being initialized since then, and one whose partitions being initialized changed too.
     */
    public void applyStatePartitionMetadata(StatePartitionMetadataValue value, long nowMs) {
        StatePartitionMetadataValue next = value == null ? StatePartitionMetadataValue.EMPTY : value;
        initializingSinceMs.keySet().retainAll(next.initializing().keySet());
        next.initializing().forEach((topicId, topic) -> {
            TopicPartitions before = statePartitionMetadata.initializing().get(topicId);
            if (before == null || !before.equals(topic)) {
                initializingSinceMs.put(topicId, nowMs);
            }
        });
        this.statePartitionMetadata = next;
    }
}
