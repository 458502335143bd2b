package io.strand.coordinator.group.share;

import java.util.Map;
import java.util.Set;
import java.util.SortedSet;

/**
 * One member of a share group as its coordinator knows it: immutable, replaced on every change.
 *
 * @param memberEpoch      the group epoch of the member's current assignment
 * @param rackId           null if the client gave none
 * @param subscribedTopics the topic names it subscribes to
 * @param assigned         topic name → partitions: every partition of its subscribed topics
 */
public record ShareMember(String memberId, int memberEpoch, String clientId, String clientHost, String rackId,
                          SortedSet<String> subscribedTopics, Map<String, Set<Integer>> assigned) {

    /** The epoch a member joins with. */
    public static final int JOIN_EPOCH = 0;
    /** The epoch a member leaves with. */
    public static final int LEAVE_EPOCH = -1;

    public ShareMember {
        subscribedTopics = java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(subscribedTopics));
        assigned = Map.copyOf(assigned);
    }
}
