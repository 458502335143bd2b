package io.strand.coordinator.group.share;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * A share group (KIP-932): members and the group epoch, which grows whenever a member joins, leaves
 * or gets a different assignment. Every member is assigned every partition of the topics it
 * subscribes to (Kafka's {@code simple} assignor gives each partition to all of its subscribers): the
 * brokers leading the partitions share their records out.
 *
 * <p>Not thread-safe: owned by its coordinator shard's thread.
 */
public final class ShareGroup {

    /** The assignor name describe calls report, as Kafka's. */
    public static final String ASSIGNOR_NAME = "simple";

    private final String groupId;
    private final Map<String, ShareMember> members = new TreeMap<>();
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
}
