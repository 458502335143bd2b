package io.strand.broker.replica;

/**
 * What the leader knows of one follower replica of a partition, from the follower's fetches (Kafka's
 * {@code ReplicaState}). Not thread-safe: read and written only under its {@link Partition}'s lock.
 *
 * <p>{@code lastCaughtUpTimeMs} is the latest time the follower was known to hold everything the
 * leader had: a fetch at or past the leader's log end then, or a fetch at or past the leader's log
 * end as of the follower's previous fetch (it had caught up with that by the time of the previous
 * fetch). The ISR drops a follower whose last catch-up is older than {@code replica.lag.time.max.ms}.
 */
final class FollowerReplica {

    /** The log end offset of a follower that has not fetched since this broker became leader. */
    static final long UNKNOWN_OFFSET = -1L;

    final int brokerId;
    long logEndOffset = UNKNOWN_OFFSET;
    long lastCaughtUpTimeMs;
    long lastFetchTimeMs;
    /** The leader's log end offset when the follower last fetched. */
    long lastFetchLeaderLogEndOffset = UNKNOWN_OFFSET;
    /** The follower's broker epoch from its latest fetch (Fetch v15+), -1 if unknown. */
    long brokerEpoch = -1L;

    FollowerReplica(int brokerId, long lastCaughtUpTimeMs) {
        this.brokerId = brokerId;
        this.lastCaughtUpTimeMs = lastCaughtUpTimeMs;
    }

    /** Records a fetch at {@code fetchOffset}, the follower's log end, at {@code nowMs}. */
    void onFetch(long fetchOffset, long leaderLogEndOffset, long brokerEpoch, long nowMs) {
        if (fetchOffset >= leaderLogEndOffset) {
            lastCaughtUpTimeMs = Math.max(lastCaughtUpTimeMs, nowMs);
        } else if (fetchOffset >= lastFetchLeaderLogEndOffset) {
            lastCaughtUpTimeMs = Math.max(lastCaughtUpTimeMs, lastFetchTimeMs);
        }
        logEndOffset = fetchOffset;
        lastFetchLeaderLogEndOffset = leaderLogEndOffset;
        lastFetchTimeMs = nowMs;
        if (brokerEpoch >= 0) {
            this.brokerEpoch = brokerEpoch;
        }
    }

    boolean isCaughtUpSince(long nowMs, long replicaLagTimeMaxMs) {
        return nowMs - lastCaughtUpTimeMs <= replicaLagTimeMaxMs;
    }
}
