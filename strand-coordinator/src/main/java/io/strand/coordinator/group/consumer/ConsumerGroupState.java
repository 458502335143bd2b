package io.strand.coordinator.group.consumer;

/**
 * The state of a consumer-protocol group, derived from its epochs and members (never stored):
 * EMPTY without members; ASSIGNING while the target assignment lags the group epoch; RECONCILING
 * while some member is not yet STABLE at the target epoch; STABLE otherwise. DEAD is what describe
 * calls are answered with for a group that is gone.
 */
public enum ConsumerGroupState {
    /** No members. */
    EMPTY("Empty"),
    /** The group epoch moved past the target assignment epoch. */
    ASSIGNING("Assigning"),
    /** Members are moving to the target assignment. */
    RECONCILING("Reconciling"),
    /** Every member owns its target assignment. */
    STABLE("Stable"),
    /** Removed. */
    DEAD("Dead");

    private final String wireName;

    ConsumerGroupState(String wireName) {
        this.wireName = wireName;
    }

    /** The name ListGroups and the describe calls report. */
    public String wireName() {
        return wireName;
    }
}
