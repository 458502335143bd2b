package io.strand.broker.fetcher;

/**
 * Where one followed partition stands in its {@link ReplicaFetcher}: the replica, the leader epoch it
 * follows, the next offset to fetch and its phase. A new leader or epoch gives a new state object, so
 * an answer to a request sent for an older one is recognised by identity and dropped.
 *
 * <p>Not thread-safe: read and written only under the fetcher's lock.
 *
 * <p>Transitions: FETCHING → RESETTING (the leader answered OFFSET_OUT_OF_RANGE), RESETTING → FETCHING
 * (the leader's offsets were applied), FETCHING → FENCED (the leader has a newer epoch). FENCED is
 * final: only the manager's next {@code follow} (a new state) fetches this partition again.
 */
final class PartitionFetchState {

    enum Phase {
        /** Fetching at {@link #fetchOffset}. */
        FETCHING,
        /** The fetch offset is outside the leader's log: its log start and end are asked for first. */
        RESETTING,
        /** The leader is at a newer epoch than this follower knows: nothing is fetched until a new follow. */
        FENCED
    }

    private final FollowerReplica replica;
    private final int leaderEpoch;
    private Phase phase = Phase.FETCHING;
    private long fetchOffset;
    private long delayedUntilMs;

    PartitionFetchState(FollowerReplica replica, int leaderEpoch) {
        this.replica = replica;
        this.leaderEpoch = leaderEpoch;
        this.fetchOffset = replica.logEndOffset();
    }

    FollowerReplica replica() {
        return replica;
    }

    int leaderEpoch() {
        return leaderEpoch;
    }

    Phase phase() {
        return phase;
    }

    long fetchOffset() {
        return fetchOffset;
    }

    /** After an append or a truncation: the fetch goes on at the log end. */
    void fetchFromLogEnd() {
        fetchOffset = replica.logEndOffset();
    }

    boolean isReady(long nowMs, Phase wanted) {
        return phase == wanted && nowMs >= delayedUntilMs;
    }

    long delayedUntilMs() {
        return delayedUntilMs;
    }

    void delayUntil(long untilMs) {
        delayedUntilMs = untilMs;
    }

    void moveTo(Phase next) {
        boolean legal = switch (phase) {
            case FETCHING -> next == Phase.RESETTING || next == Phase.FENCED;
            case RESETTING -> next == Phase.FETCHING;
            case FENCED -> false;
        };
        if (!legal) {
            throw new IllegalStateException("partition=" + replica.topicPartition() + " cannot move from "
                    + phase + " to " + next);
        }
        phase = next;
    }

    @Override
    public String toString() {
        return replica.topicPartition() + "(epoch=" + leaderEpoch + ", " + phase + ", fetchOffset=" + fetchOffset + ")";
    }
}
