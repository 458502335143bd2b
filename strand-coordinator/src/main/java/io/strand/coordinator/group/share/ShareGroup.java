package io.strand.coordinator.group.share;

import java.util.Collection;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A share group (KIP-932): members and the group epoch, which grows whenever a member joins, leaves
 * or gets a different assignment. Every member is assigned every partition of the topics it
 * subscribes to (Kafka's {@code simple} assignor gives each partition to all of its subscribers): the
 * brokers leading the partitions share their records out.
 *
 * <p>The group also remembers the share-partitions that may have durable state (its <i>state
 * partitions</i>, by topic name): every partition ever assigned to a member (its leader initializes the
 * state on the first ShareFetch) and every partition whose start offset AlterShareGroupOffsets set, less
 * the topics whose state DeleteShareGroupOffsets deleted. DescribeShareGroupOffsets without topics reads
 * the state of these, and deleting the group deletes theirs (Kafka keeps the same set in its
 * {@code ShareGroupStatePartitionMetadata} record).
 *
 * <p>Not thread-safe: owned by its coordinator shard's thread.
 */
public final class ShareGroup {

    /** The assignor name describe calls report, as Kafka's. */
    public static final String ASSIGNOR_NAME = "simple";

    private final String groupId;
    private final Map<String, ShareMember> members = new TreeMap<>();
    private final Map<String, SortedSet<Integer>> statePartitions = new TreeMap<>();
    private int groupEpoch;

    public ShareGroup(String groupId) {
        this.groupId = groupId;
    }

    public String groupId() {
        return groupId;
    }

    public int groupEpoch() {
        return groupEpoch;
    }

    /** Moves the group epoch on by one and returns it. */
    public int bumpGroupEpoch() {
        return ++groupEpoch;
    }

    public ShareMember member(String memberId) {
        return members.get(memberId);
    }

    public Collection<ShareMember> members() {
        return members.values();
    }

    public void putMember(ShareMember member) {
        members.put(member.memberId(), member);
    }

    public ShareMember removeMember(String memberId) {
        return members.remove(memberId);
    }

    public boolean isEmpty() {
        return members.isEmpty();
    }

    public ShareGroupState state() {
        return members.isEmpty() ? ShareGroupState.EMPTY : ShareGroupState.STABLE;
    }

    /** Remembers that the topic's {@code partitions} may have durable share state. */
    public void addStatePartitions(String topic, Collection<Integer> partitions) {
        if (!partitions.isEmpty()) {
            statePartitions.computeIfAbsent(topic, t -> new TreeSet<>()).addAll(partitions);
        }
    }

    /** The partitions that may have durable share state, by topic name (a copy). */
    public Map<String, SortedSet<Integer>> statePartitions() {
        Map<String, SortedSet<Integer>> copy = new TreeMap<>();
        statePartitions.forEach((topic, partitions) -> copy.put(topic, new TreeSet<>(partitions)));
        return copy;
    }

    /** Forgets the topic's state partitions (their state was deleted). */
    public void removeStatePartitions(String topic) {
        statePartitions.remove(topic);
    }
}
