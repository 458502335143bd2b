package io.strand.broker.replica;

import org.apache.kafka.common.TopicPartition;

/**
 * The follower's side of replication as the {@link ReplicaManager} drives it on role changes: start
 * fetching a partition from its leader, or stop. Implemented by the replica fetcher.
 *
 * <p>Called on the metadata publisher thread, in the order of the metadata changes; implementations
 * must not block on I/O (hand the work to the fetcher's own threads). {@code follow} for a partition
 * already followed replaces the leader and epoch it fetches from; {@code unfollow} of a partition not
 * followed does nothing. When {@code unfollow} returns, no append of the partition's fetched records
 * is in progress or will start (it may wait for one in progress): the partition is about to be led
 * here, and its new epoch starts at the log end.
 */
public interface FollowerFetching {

    /** Nothing fetches: a broker alone in its cluster. */
    FollowerFetching NONE = new FollowerFetching() {
        @Override
        public void follow(Partition partition, int leaderId, int leaderEpoch) {
        }

        @Override
        public void unfollow(TopicPartition tp) {
        }
    };

    /**
     * Fetch {@code partition} from broker {@code leaderId} in {@code leaderEpoch}, appending through
     * the partition's follower methods ({@link Partition#appendRecordsAsFollower},
     * {@link Partition#truncateTo}, {@link Partition#updateFollowerHighWatermark}).
     */
    void follow(Partition partition, int leaderId, int leaderEpoch);

    /** Stop fetching {@code tp}: this broker leads it now, or no longer hosts it. */
    void unfollow(TopicPartition tp);
}
