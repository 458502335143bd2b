package io.strand.broker.fetcher;

import io.strand.storage.checkpoint.EpochEndOffset;

/**
 * Kafka's rules for where a follower cuts its log, as pure functions of the offsets involved. Both
 * keep every record the leader has at the same offset and epoch and drop what the leader lacks; a cut
 * too short is repaired by the next fetch, which carries the new last epoch and gets a new answer.
 */
final class TruncationRules {

    private TruncationRules() {
    }

    /**
     * The follower's new log end after a fetch answered with {@code diverging_epoch}: the leader's
     * largest epoch ≤ the follower's last fetched epoch is {@code leaderEpoch} and ends at
     * {@code leaderEndOffset}.
     * <ul>
     *   <li>The follower has that epoch too: cut at the smaller of both ends of it.</li>
     *   <li>The follower's largest epoch ≤ {@code leaderEpoch} is an older one: cut at its end (the
     *       leader never had the follower's later epochs); the next fetch compares that one.</li>
     *   <li>The follower has no epoch ≤ {@code leaderEpoch}: cut at the leader's end.</li>
     * </ul>
     * Never above the follower's log end.
     *
     * @param followerEpochEnd the follower's {@link FollowerReplica#endOffsetForEpoch} for {@code leaderEpoch}
     */
    static long onDivergingEpoch(int leaderEpoch, long leaderEndOffset, EpochEndOffset followerEpochEnd,
                                 long followerLogEnd) {
        long cut;
        if (followerEpochEnd.leaderEpoch() < 0 || followerEpochEnd.endOffset() < 0) {
            cut = leaderEndOffset;
        } else if (followerEpochEnd.leaderEpoch() == leaderEpoch) {
            cut = Math.min(leaderEndOffset, followerEpochEnd.endOffset());
        } else {
            cut = followerEpochEnd.endOffset();
        }
        return Math.max(0, Math.min(cut, followerLogEnd));
    }

    /** What a follower does with its log when the leader answered OFFSET_OUT_OF_RANGE. */
    enum ResetAction {
        /** The follower is ahead of the leader's end: cut back to it. */
        TRUNCATE_TO,
        /** The follower ends before the leader's start: empty the log and start at the leader's start. */
        START_AT,
        /** The follower's end is inside the leader's log now (the leader moved meanwhile): fetch again. */
        KEEP
    }

    record Reset(ResetAction action, long offset) {
    }

    /** Kafka's rule: first compare with the leader's end, then with its start. */
    static Reset onOutOfRange(long followerLogEnd, long leaderLogStart, long leaderLogEnd) {
        if (leaderLogEnd < followerLogEnd) {
            return new Reset(ResetAction.TRUNCATE_TO, leaderLogEnd);
        }
        if (leaderLogStart > followerLogEnd) {
            return new Reset(ResetAction.START_AT, leaderLogStart);
        }
        return new Reset(ResetAction.KEEP, followerLogEnd);
    }
}
