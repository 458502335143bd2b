package io.strand.coordinator.group;

import io.strand.coordinator.group.classic.ClassicGroup;
import io.strand.coordinator.group.classic.GroupState;
import io.strand.coordinator.group.consumer.ConsumerGroup;
import io.strand.coordinator.group.share.ShareGroup;
import io.strand.coordinator.group.record.CoordinatorRecord.OffsetValue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;

/**
 * The groups of one shard: classic groups, consumer-protocol groups and share groups (a group id is
 * one kind only), the committed offsets of both and the transactional ones still pending. Durable state here
 * changes only through {@link GroupShard#replay}; the operations read it, and change in place only what
 * is not durable
 * (a classic group's rebalance bookkeeping, a group that so far exists only in memory).
 *
 * <p>Not thread-safe: owned by the shard's thread.
 */
final class GroupStore {

    private final Map<String, ClassicGroup> groups = new HashMap<>();
    private final Map<String, ConsumerGroup> consumerGroups = new HashMap<>();
    /** Share groups (KIP-932), replayed from their records like the others. */
    private final Map<String, ShareGroup> shareGroups = new HashMap<>();
    private final Map<String, Map<TopicPartition, OffsetValue>> offsets = new HashMap<>();
    /** The position in the log of each committed offset's record (see {@link GroupShard#replay}). */
    private final Map<String, Map<TopicPartition, Long>> offsetPositions = new HashMap<>();
    private final PendingTxnOffsets pendingTxnOffsets = new PendingTxnOffsets();
    /**
     * Classic groups that offsets (committed or of an open transaction) brought into being: once those
     * offsets are gone the group stays, Empty, until offset expiry removes it, as Kafka keeps it until
     * its periodic cleanup; a failed join or leave does not drop it.
     */
    private final Set<String> offsetGroups = new HashSet<>();

    ClassicGroup group(String groupId) {
        return groups.get(groupId);
    }

    ClassicGroup getOrCreateGroup(String groupId) {
        return groups.computeIfAbsent(groupId, ClassicGroup::new);
    }

    /** The classic group that offsets of {@code groupId} belong to, created if there is none. */
    ClassicGroup getOrCreateGroupForOffsets(String groupId) {
        offsetGroups.add(groupId);
        return getOrCreateGroup(groupId);
    }

    ClassicGroup removeGroup(String groupId) {
        offsetGroups.remove(groupId);
        return groups.remove(groupId);
    }

    Collection<ClassicGroup> groups() {
        return groups.values();
    }

    ConsumerGroup consumerGroup(String groupId) {
        return consumerGroups.get(groupId);
    }

    void putConsumerGroup(ConsumerGroup group) {
        consumerGroups.put(group.groupId(), group);
    }

    ConsumerGroup removeConsumerGroup(String groupId) {
        return consumerGroups.remove(groupId);
    }

    Collection<ConsumerGroup> consumerGroups() {
        return consumerGroups.values();
    }

    ShareGroup shareGroup(String groupId) {
        return shareGroups.get(groupId);
    }

    void putShareGroup(ShareGroup group) {
        shareGroups.put(group.groupId(), group);
    }

    ShareGroup removeShareGroup(String groupId) {
        return shareGroups.remove(groupId);
    }

    Collection<ShareGroup> shareGroups() {
        return shareGroups.values();
    }

    /** True if {@code groupId} names a classic or consumer-protocol group (one not of the share kind). */
    boolean hasOtherGroup(String groupId) {
        ClassicGroup classic = groups.get(groupId);
        return consumerGroups.containsKey(groupId) || (classic != null && !classic.isInState(GroupState.DEAD));
    }

    /**
     * Forgets a group that exists only in memory: created by a join that then failed or whose
     * member id was never used, with no generation and no offsets ever written for it.
     */
    void maybeDropUnstoredGroup(ClassicGroup group) {
        if (!offsetGroups.contains(group.groupId())) {
            maybeDropUnusedGroup(group);
        }
    }

    /**
     * Forgets an Empty group without generation, members or offsets, whether or not offsets once
     * brought it into being (offset expiry's cleanup).
     */
    void maybeDropUnusedGroup(ClassicGroup group) {
        if (group.isInState(GroupState.EMPTY) && group.generationId() == 0 && group.isEmpty()
                && group.pendingMemberIds().isEmpty() && !offsets.containsKey(group.groupId())
                && !pendingTxnOffsets.hasPending(group.groupId())) {
            if (groups.remove(group.groupId(), group)) {
                offsetGroups.remove(group.groupId());
            }
        }
    }

    /** The group's committed offsets by partition (sorted), empty if none. */
    Map<TopicPartition, OffsetValue> offsets(String groupId) {
        return offsets.getOrDefault(groupId, Map.of());
    }

    /** The groups with committed offsets or offsets an open transaction commits, sorted. */
    java.util.SortedSet<String> groupsWithOffsets() {
        java.util.SortedSet<String> ids = new java.util.TreeSet<>(offsets.keySet());
        ids.addAll(pendingTxnOffsets.groupIds());
        return ids;
    }

    /** Every group's committed offsets, appended to {@code out}. */
    void addCommittedOffsets(List<CommittedOffset> out) {
        for (Map.Entry<String, Map<TopicPartition, OffsetValue>> group : offsets.entrySet()) {
            for (Map.Entry<TopicPartition, OffsetValue> e : group.getValue().entrySet()) {
                out.add(new CommittedOffset(group.getKey(), e.getKey(), e.getValue().committedOffset()));
            }
        }
    }

    /** Stores a committed offset whose record is at {@code logPosition} in the log. */
    void putOffset(String groupId, TopicPartition tp, OffsetValue value, long logPosition) {
        offsets.computeIfAbsent(groupId, g -> new TreeMap<>(
                (a, b) -> a.topic().equals(b.topic()) ? Integer.compare(a.partition(), b.partition())
                        : a.topic().compareTo(b.topic()))).put(tp, value);
        offsetPositions.computeIfAbsent(groupId, g -> new HashMap<>()).put(tp, logPosition);
    }

    /** The log position of the committed offset's record, or -1 if none is committed. */
    long offsetPosition(String groupId, TopicPartition tp) {
        return offsetPositions.getOrDefault(groupId, Map.of()).getOrDefault(tp, -1L);
    }

    void removeOffset(String groupId, TopicPartition tp) {
        Map<TopicPartition, OffsetValue> groupOffsets = offsets.get(groupId);
        if (groupOffsets != null) {
            groupOffsets.remove(tp);
            offsetPositions.get(groupId).remove(tp);
            if (groupOffsets.isEmpty()) {
                offsets.remove(groupId);
                offsetPositions.remove(groupId);
            }
        }
    }

    /** The transactional offset commits that no marker has ended yet. */
    PendingTxnOffsets pendingTxnOffsets() {
        return pendingTxnOffsets;
    }

    List<String> groupIds() {
        List<String> ids = new ArrayList<>(groups.keySet());
        ids.addAll(consumerGroups.keySet());
        ids.addAll(shareGroups.keySet());
        return ids;
    }

    void clear() {
        groups.clear();
        offsetGroups.clear();
        consumerGroups.clear();
        shareGroups.clear();
        offsets.clear();
        offsetPositions.clear();
        pendingTxnOffsets.clear();
    }
}
