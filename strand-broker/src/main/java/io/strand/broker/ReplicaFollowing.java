package io.strand.broker;

import io.strand.broker.fetcher.FollowerReplica;
import io.strand.broker.fetcher.ReplicaFetcherManager;
import io.strand.broker.replica.FollowerFetching;
import io.strand.broker.replica.Partition;
import io.strand.storage.checkpoint.EpochEndOffset;
import io.strand.storage.log.PartitionLog;
import java.util.OptionalInt;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * Connects the replica manager's role changes to the replica fetcher: {@link FollowerFetching} over a
 * {@link ReplicaFetcherManager}, each followed {@link Partition} seen by the fetcher as a
 * {@link FollowerReplica}. The two packages do not know each other; this is the only place they meet.
 *
 * <p>Thread-safe as the manager is; the partitions' follower methods are called only from the fetcher
 * that follows them.
 */
final class ReplicaFollowing implements FollowerFetching {

    private final ReplicaFetcherManager fetchers;

    ReplicaFollowing(ReplicaFetcherManager fetchers) {
        this.fetchers = fetchers;
    }

    @Override
    public void follow(Partition partition, int leaderId, int leaderEpoch) {
        fetchers.follow(new Follower(partition), leaderId, leaderEpoch);
    }

    @Override
    public void unfollow(TopicPartition tp) {
        fetchers.unfollow(tp);
    }

    /** A partition this broker follows, as the fetcher writes it. */
    private record Follower(Partition partition) implements FollowerReplica {

        private PartitionLog log() {
            return partition.log();
        }

        @Override
        public TopicPartition topicPartition() {
            return partition.topicPartition();
        }

        @Override
        public Uuid topicId() {
            return partition.topicId();
        }

        @Override
        public long logStartOffset() {
            return log().logStartOffset();
        }

        @Override
        public long logEndOffset() {
            return log().logEndOffset();
        }

        @Override
        public OptionalInt latestEpoch() {
            int epoch = log().latestEpoch();
            return epoch < 0 ? OptionalInt.empty() : OptionalInt.of(epoch);
        }

        @Override
        public EpochEndOffset endOffsetForEpoch(int leaderEpoch) {
            return log().endOffsetForEpoch(leaderEpoch);
        }

        @Override
        public void appendAsFollower(MemoryRecords records) {
            partition.appendRecordsAsFollower(records);
        }

        @Override
        public void truncateTo(long offset) {
            partition.truncateTo(offset);
        }

        @Override
        public void truncateFullyAndStartAt(long offset) {
            partition.truncateFullyAndStartAt(offset);
        }

        @Override
        public void updateHighWatermark(long highWatermark) {
            partition.updateFollowerHighWatermark(highWatermark);
        }

        @Override
        public void maybeIncrementLogStartOffset(long leaderLogStartOffset) {
            PartitionLog log = log();
            long target = Math.min(leaderLogStartOffset, log.highWatermark());
            if (target > log.logStartOffset()) {
                log.deleteRecordsBefore(target);
            }
        }
    }
}
