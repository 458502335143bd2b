package io.strand.coordinator.group.classic;

/** A classic group was asked to move between two states with no legal transition: a coordinator bug. */
public final class IllegalGroupTransitionException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    public IllegalGroupTransitionException(String groupId, GroupState from, GroupState to) {
        super("Illegal group state transition: groupId=" + groupId + " from=" + from + " to=" + to);
    }
}
