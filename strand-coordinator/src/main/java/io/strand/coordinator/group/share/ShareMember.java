package io.strand.coordinator.group.share;

import io.strand.coordinator.group.record.ShareGroupRecords;
import io.strand.coordinator.group.record.ShareGroupRecords.MemberMetadataValue;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;

/**
 * One member of a share group as its coordinator knows it: immutable, replaced on every change. What the
 * member told the coordinator comes from its {@code ShareGroupMemberMetadata} record, its epochs and
 * assignment from its {@code ShareGroupCurrentMemberAssignment} record.
 *
 * @param memberEpoch         the group epoch of the member's current assignment
 * @param previousMemberEpoch the member epoch before the last change (0 for a new member)
 * @param rackId              null if the client gave none
 * @param subscribedTopics    the topic names it subscribes to
 * @param assigned            topic id → partitions: every partition of its subscribed topics
 */
public record ShareMember(String memberId, int memberEpoch, int previousMemberEpoch, String clientId,
                          String clientHost, String rackId, SortedSet<String> subscribedTopics,
                          Map<Uuid, SortedSet<Integer>> assigned) {

    /** The epoch a member joins with. */
    public static final int JOIN_EPOCH = 0;
    /** The epoch a member leaves with. */
    public static final int LEAVE_EPOCH = -1;

    public ShareMember {
        subscribedTopics = Collections.unmodifiableSortedSet(new TreeSet<>(subscribedTopics));
        assigned = ShareGroupRecords.copyOf(assigned);
    }

    /** A member known so far only by its id: no metadata, no assignment. */
    static ShareMember unknown(String memberId) {
        return new ShareMember(memberId, JOIN_EPOCH, JOIN_EPOCH, "", "", null, new TreeSet<>(), Map.of());
    }

    /** What its {@code ShareGroupMemberMetadata} record holds. */
    public MemberMetadataValue metadata() {
        return new MemberMetadataValue(rackId, clientId, clientHost, List.copyOf(subscribedTopics));
    }

    ShareMember withMetadata(MemberMetadataValue value) {
        return new ShareMember(memberId, memberEpoch, previousMemberEpoch, value.clientId(), value.clientHost(),
                value.rackId(), new TreeSet<>(value.subscribedTopicNames()), assigned);
    }

    ShareMember withAssignment(int epoch, int previousEpoch, Map<Uuid, SortedSet<Integer>> partitions) {
        return new ShareMember(memberId, epoch, previousEpoch, clientId, clientHost, rackId, subscribedTopics,
                partitions);
    }
}
