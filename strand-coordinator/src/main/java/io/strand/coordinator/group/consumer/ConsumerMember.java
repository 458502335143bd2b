package io.strand.coordinator.group.consumer;

import io.strand.coordinator.group.record.CoordinatorRecord.ConsumerMemberAssignmentValue;
import io.strand.coordinator.group.record.CoordinatorRecord.ConsumerMemberMetadataValue;
import io.strand.coordinator.group.record.MemberState;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One member of a consumer-protocol group: what it told the coordinator ({@link #metadata}) and
 * where it stands in reconciliation ({@link #assignment}: member epoch, state, the partitions it
 * owns and those it must still revoke). Immutable; a change is a new instance, and each half is
 * stored as its own record.
 *
 * <p>Member epochs: a positive epoch is the target assignment epoch the member last reached; 0 is
 * a member (re)joining; {@value #LEAVE_EPOCH} a member that left; {@value #STATIC_LEAVE_EPOCH} a
 * static member that left temporarily and keeps its assignment until its session ends.
 */
public record ConsumerMember(String memberId, ConsumerMemberMetadataValue metadata, ConsumerMemberAssignmentValue assignment) {

    public static final int JOIN_EPOCH = 0;
    public static final int LEAVE_EPOCH = -1;
    public static final int STATIC_LEAVE_EPOCH = -2;

    public static final ConsumerMemberMetadataValue NO_METADATA =
            new ConsumerMemberMetadataValue(null, null, "", "", List.of(), null, null, 0);
    public static final ConsumerMemberAssignmentValue NO_ASSIGNMENT =
            new ConsumerMemberAssignmentValue(0, 0, MemberState.STABLE, Map.of(), Map.of());

    public static ConsumerMember newMember(String memberId) {
        return new ConsumerMember(memberId, NO_METADATA, NO_ASSIGNMENT);
    }

    public int memberEpoch() {
        return assignment.memberEpoch();
    }

    public int previousMemberEpoch() {
        return assignment.previousMemberEpoch();
    }

    public MemberState state() {
        return assignment.state();
    }

    public Map<String, Set<Integer>> assigned() {
        return assignment.assigned();
    }

    public Map<String, Set<Integer>> pendingRevocation() {
        return assignment.pendingRevocation();
    }

    public String instanceId() {
        return metadata.instanceId();
    }

    public ConsumerMember withMetadata(ConsumerMemberMetadataValue newMetadata) {
        return new ConsumerMember(memberId, newMetadata, assignment);
    }

    public ConsumerMember withAssignment(ConsumerMemberAssignmentValue newAssignment) {
        return new ConsumerMember(memberId, metadata, newAssignment);
    }

    /** The same member under another id: a static member replaced by its new incarnation. */
    public ConsumerMember withMemberId(String newMemberId) {
        return new ConsumerMember(newMemberId, metadata, assignment);
    }

    /** True if the subscriptions (names or regex) differ: that bumps the group epoch. */
    public boolean subscriptionDiffers(ConsumerMember other) {
        return !metadata.subscribedTopicNames().equals(other.metadata.subscribedTopicNames())
                || !java.util.Objects.equals(metadata.subscribedTopicRegex(), other.metadata.subscribedTopicRegex());
    }
}
