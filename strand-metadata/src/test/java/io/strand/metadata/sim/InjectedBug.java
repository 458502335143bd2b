package io.strand.metadata.sim;

/**
 * Bugs the simulation can plant in its own model of the layers around the controller, to show
 * that its invariants catch them. {@link #NONE} in every real run.
 */
enum InjectedBug {
    /** No bug. */
    NONE,
    /** Node 1, while a follower, drops the last record of every batch of two or more. */
    FOLLOWER_SKIPS_A_RECORD,
    /** The leader's log answers an append as soon as it is written, before it is committed. */
    ACK_BEFORE_COMMIT,
    /** Snapshots leave out config overrides. */
    SNAPSHOT_DROPS_CONFIGS,
    /** A newly elected leader misses the last committed entry. */
    NEW_LEADER_MISSES_LAST_ENTRY
}
