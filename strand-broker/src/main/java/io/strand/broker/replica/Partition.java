package io.strand.broker.replica;

import io.strand.storage.checkpoint.EpochEndOffset;
import io.strand.storage.log.LogAppendResult;
import io.strand.storage.log.LogReadResult;
import io.strand.storage.log.PartitionLog;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.FencedLeaderEpochException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.UnknownLeaderEpochException;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * One partition as this broker holds it: its log, whether this broker leads it, the leader epoch,
 * the ISR, and the high watermark it derives from the replicas' positions.
 *
 * <p>Leadership and the effective config are written only by the metadata publisher thread and read
 * by request handlers through volatiles: an append reads {@code min.insync.replicas} from
 * {@link #config()}, resolved once per config change, not per request. Appends are serialized by the log itself (one writer at a time);
 * reads take no lock. With this broker as the only ISR member, the high watermark follows the log
 * end after every append; followers (the cluster issue) will advance it from their fetch positions.
 */
public final class Partition {

    private final TopicPartition topicPartition;
    private final Uuid topicId;
    private final int localBrokerId;
    private final PartitionLog log;
    private volatile PartitionState state;
    private volatile EffectiveLogConfig config;

    /** Leadership as of the latest metadata image. */
    record PartitionState(int leaderId, int leaderEpoch, List<Integer> replicas, List<Integer> isr) {
    }

    Partition(TopicPartition topicPartition, Uuid topicId, int localBrokerId, PartitionLog log, PartitionState state,
              EffectiveLogConfig config) {
        this.topicPartition = topicPartition;
        this.topicId = topicId;
        this.localBrokerId = localBrokerId;
        this.log = log;
        this.state = state;
        this.config = config;
        // After a crash the checkpointed high watermark may trail what recovery kept.
        maybeIncrementHighWatermark();
    }

    public TopicPartition topicPartition() {
        return topicPartition;
    }

    public Uuid topicId() {
        return topicId;
    }

    public PartitionLog log() {
        return log;
    }

    public boolean isLeader() {
        return state.leaderId() == localBrokerId;
    }

    public int leaderId() {
        return state.leaderId();
    }

    public int leaderEpoch() {
        return state.leaderEpoch();
    }

    /** The effective topic config as of the latest applied change. */
    public EffectiveLogConfig config() {
        return config;
    }

    public int minInsyncReplicas() {
        return config.minInsyncReplicas();
    }

    /** Applies a changed topic config (or broker default under it) to this partition and its log. */
    void updateConfig(EffectiveLogConfig newConfig) {
        this.config = newConfig;
        log.updateConfig(newConfig.log());
    }

    void updateState(PartitionState newState) {
        this.state = newState;
        maybeIncrementHighWatermark();
    }

    /**
     * Appends a producer's records as leader.
     *
     * @param requiredAcks -1 (all), 0 or 1; with -1 the ISR must hold at least min.insync.replicas
     */
    public LogAppendResult appendAsLeader(MemoryRecords records, short requiredAcks, int minInsyncReplicas) {
        PartitionState current = state;
        if (current.leaderId() != localBrokerId) {
            throw new NotLeaderOrFollowerException("Broker " + localBrokerId + " does not lead " + topicPartition);
        }
        if (requiredAcks == -1 && current.isr().size() < minInsyncReplicas) {
            throw new NotEnoughReplicasException("ISR of " + topicPartition + " has " + current.isr().size()
                    + " replicas, min.insync.replicas=" + minInsyncReplicas);
        }
        LogAppendResult result = log.appendAsLeader(records, current.leaderEpoch());
        maybeIncrementHighWatermark();
        return result;
    }

    /** Reads for a consumer: up to the high watermark. */
    public LogReadResult readForConsumer(long fetchOffset, int maxBytes, boolean minOneBatch) {
        if (!isLeader()) {
            throw new NotLeaderOrFollowerException("Broker " + localBrokerId + " does not lead " + topicPartition);
        }
        return log.read(fetchOffset, maxBytes, log.highWatermark(), minOneBatch);
    }

    /**
     * Checks the epoch a client believes current: older is fenced, newer means this broker has not
     * seen the metadata yet. An absent epoch (-1) is not checked.
     */
    public void checkLeaderEpoch(int currentLeaderEpoch) {
        int epoch = state.leaderEpoch();
        if (currentLeaderEpoch < 0 || currentLeaderEpoch == epoch) {
            return;
        }
        if (currentLeaderEpoch < epoch) {
            throw new FencedLeaderEpochException("Leader epoch " + currentLeaderEpoch + " of " + topicPartition
                    + " is older than the current " + epoch);
        }
        throw new UnknownLeaderEpochException("Leader epoch " + currentLeaderEpoch + " of " + topicPartition
                + " is newer than the known " + epoch);
    }

    /**
     * The end of the largest epoch not above {@code leaderEpoch}. The current epoch counts as begun
     * at this leader's election even before a batch of it was written, so it ends at the log end.
     */
    public EpochEndOffset endOffsetForEpoch(int leaderEpoch) {
        int current = state.leaderEpoch();
        if (leaderEpoch == current && isLeader()) {
            return new EpochEndOffset(current, log.logEndOffset());
        }
        return log.endOffsetForEpoch(leaderEpoch);
    }

    /** With only this broker in the ISR, everything appended is committed. Synchronized so that the
     *  high watermark never moves back when two appends finish out of order. */
    private synchronized void maybeIncrementHighWatermark() {
        PartitionState current = state;
        if (current.leaderId() == localBrokerId && current.isr().size() == 1 && current.isr().get(0) == localBrokerId) {
            long logEnd = log.logEndOffset();
            if (logEnd > log.highWatermark()) {
                log.updateHighWatermark(logEnd);
            }
        }
    }
}
