package io.strand.broker.sim;

import io.strand.broker.fetcher.FollowerReplica;
import io.strand.broker.replica.Partition;
import io.strand.storage.checkpoint.EpochEndOffset;
import io.strand.storage.log.ReplicaLog;
import java.util.OptionalInt;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * A followed partition as the fetcher writes it (as the broker's adapter does), with every write
 * also read back into the broker's {@link ReplicaView} of it. Called only by the broker's fetcher, on
 * the simulation's event loop.
 */
final class SimFollowerReplica implements FollowerReplica {
    private final Partition partition;
    private final ReplicaView view;
    private final InjectedBug bug;

    SimFollowerReplica(Partition partition, ReplicaView view, InjectedBug bug) {
        this.partition = partition;
        this.view = view;
        this.bug = bug;
    }

    private ReplicaLog log() {
        return partition.replicaLog();
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
        view.syncAppended(log());
    }

    @Override
    public void truncateTo(long offset) {
        if (bug == InjectedBug.FOLLOWER_SKIPS_TRUNCATION) {
            return;
        }
        partition.truncateTo(offset);
        view.truncateTo(log().logEndOffset());
    }

    @Override
    public void truncateFullyAndStartAt(long offset) {
        throw new AssertionError("No log starts above 0 in this simulation: " + partition.topicPartition()
                + " asked to start at " + offset);
    }

    @Override
    public void updateHighWatermark(long highWatermark) {
        partition.updateFollowerHighWatermark(highWatermark);
    }

    @Override
    public void maybeIncrementLogStartOffset(long leaderLogStartOffset) {
        // No retention or DeleteRecords in this simulation: every log starts at 0.
    }
}
