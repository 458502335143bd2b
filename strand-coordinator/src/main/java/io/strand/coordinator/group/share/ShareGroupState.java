package io.strand.coordinator.group.share;

/**
 * The state of a share group, derived from its members (never stored): EMPTY without members, STABLE
 * with some (a share group assigns at once, nothing is revoked first). DEAD is what describe calls
 * answer for a group that is gone.
 */
public enum ShareGroupState {
    /** No members. */
    EMPTY("Empty"),
    /** Members, each holding its assignment. */
    STABLE("Stable"),
    /** Removed. */
    DEAD("Dead");

    private final String wireName;

    ShareGroupState(String wireName) {
        this.wireName = wireName;
    }

    /** The name ListGroups and the describe calls report. */
    public String wireName() {
        return wireName;
    }
}
