package io.strand.coordinator.group.classic;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The states of a classic group. Legal transitions (anything else is an
 * {@link IllegalGroupTransitionException}):
 *
 * <pre>
 *   EMPTY                 → PREPARING_REBALANCE, DEAD
 *   PREPARING_REBALANCE   → COMPLETING_REBALANCE, EMPTY, DEAD
 *   COMPLETING_REBALANCE  → STABLE, PREPARING_REBALANCE, DEAD
 *   STABLE                → PREPARING_REBALANCE, DEAD
 *   DEAD                  → DEAD
 * </pre>
 *
 * A group loaded from the log starts in the state its last record implies (EMPTY or STABLE), as
 * after a coordinator failover members simply keep heartbeating the generation they know.
 */
public enum GroupState {
    /** No members; committed offsets may still exist. Only a new member's join leaves this state. */
    EMPTY("Empty"),
    /** A rebalance is under way: members are (re)joining; the join responses wait for them. */
    PREPARING_REBALANCE("PreparingRebalance"),
    /** The join phase is over; the group waits for the leader's SyncGroup with the assignment. */
    COMPLETING_REBALANCE("CompletingRebalance"),
    /** Every member has its assignment and heartbeats; no rebalance is under way. */
    STABLE("Stable"),
    /** The group is being removed (deleted, or empty with no offsets left); no operation applies. */
    DEAD("Dead");

    private final String wireName;

    GroupState(String wireName) {
        this.wireName = wireName;
    }

    /** The name DescribeGroups and ListGroups report (Kafka's spelling). */
    public String wireName() {
        return wireName;
    }

    public Set<GroupState> legalTargets() {
        return switch (this) {
            case EMPTY -> EnumSet.of(PREPARING_REBALANCE, DEAD);
            case PREPARING_REBALANCE -> EnumSet.of(COMPLETING_REBALANCE, EMPTY, DEAD);
            case COMPLETING_REBALANCE -> EnumSet.of(STABLE, PREPARING_REBALANCE, DEAD);
            case STABLE -> EnumSet.of(PREPARING_REBALANCE, DEAD);
            case DEAD -> EnumSet.of(DEAD);
        };
    }

    /** Case-insensitive match of a ListGroups state filter ("Stable", "stable", …); null if unknown. */
    public static GroupState fromWireName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (GroupState state : values()) {
            if (state.wireName.toLowerCase(Locale.ROOT).equals(lower)) {
                return state;
            }
        }
        return null;
    }
}
