package io.strand.broker.fetcher;

import io.strand.broker.fetcher.PartitionFetchState.Phase;
import java.nio.ByteBuffer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies one partition's part of a leader's Fetch answer to the follower (the rules are listed in
 * {@link ReplicaFetcher}'s class doc): appends and moves the high watermark and log start, cuts the
 * log on {@code diverging_epoch}, or moves the partition's state on an error. A failure to apply is
 * logged and the partition retried from its log end after the backoff; the other partitions go on.
 *
 * <p>No state of its own; called by the fetcher's thread under the fetcher's lock.
 */
final class FetchAnswerApplier {

    private static final Logger LOG = LoggerFactory.getLogger(FetchAnswerApplier.class);

    private final int leaderId;
    private final long backoffMs;
    private final Time time;

    FetchAnswerApplier(int leaderId, long backoffMs, Time time) {
        this.leaderId = leaderId;
        this.backoffMs = backoffMs;
        this.time = time;
    }

    /** Returns true if records were appended. */
    boolean apply(PartitionFetchState state, FetchResponseData.PartitionData data) {
        TopicPartition tp = state.replica().topicPartition();
        Errors error = Errors.forCode(data.errorCode());
        try {
            switch (error) {
                case NONE -> {
                    if (FetchResponse.isDivergingEpoch(data)) {
                        truncateOnDivergence(state, data.divergingEpoch());
                        return false;
                    }
                    return append(state, data);
                }
                case OFFSET_OUT_OF_RANGE -> {
                    LOG.info("Partition {}: fetch offset {} is out of range on leader {}; asking its offsets",
                            tp, state.fetchOffset(), leaderId);
                    state.moveTo(Phase.RESETTING);
                }
                case FENCED_LEADER_EPOCH -> {
                    LOG.info("Partition {}: leader {} has an epoch newer than {}; waiting for the new leader",
                            tp, leaderId, state.leaderEpoch());
                    state.moveTo(Phase.FENCED);
                }
                default -> {
                    LOG.debug("Partition {}: leader {} answered {}; fetching again after the backoff", tp, leaderId,
                            error);
                    state.delayUntil(time.milliseconds() + backoffMs);
                }
            }
        } catch (RuntimeException e) {
            LOG.error("Partition {}: applying the fetch at offset {} from leader {} failed", tp, state.fetchOffset(),
                    leaderId, e);
            state.fetchFromLogEnd();
            state.delayUntil(time.milliseconds() + backoffMs);
        }
        return false;
    }

    private static boolean append(PartitionFetchState state, FetchResponseData.PartitionData data) {
        FollowerReplica replica = state.replica();
        MemoryRecords records = wholeBatches((MemoryRecords) FetchResponse.recordsOrFail(data));
        boolean appended = records.sizeInBytes() > 0;
        if (appended) {
            replica.appendAsFollower(records);
            state.fetchFromLogEnd();
        }
        if (data.highWatermark() >= 0) {
            replica.updateHighWatermark(Math.min(data.highWatermark(), replica.logEndOffset()));
        }
        if (data.logStartOffset() > replica.logStartOffset()) {
            replica.maybeIncrementLogStartOffset(data.logStartOffset());
        }
        return appended;
    }

    /** The records without a batch cut off at the end of the answer (the leader's size limits cut anywhere). */
    private static MemoryRecords wholeBatches(MemoryRecords records) {
        int whole = records.validBytes();
        if (whole == records.sizeInBytes()) {
            return records;
        }
        ByteBuffer buffer = records.buffer().duplicate();
        buffer.limit(buffer.position() + whole);
        return MemoryRecords.readableRecords(buffer.slice());
    }

    private void truncateOnDivergence(PartitionFetchState state, FetchResponseData.EpochEndOffset diverging) {
        FollowerReplica replica = state.replica();
        long logEnd = replica.logEndOffset();
        long cut = TruncationRules.onDivergingEpoch(diverging.epoch(), diverging.endOffset(),
                replica.endOffsetForEpoch(diverging.epoch()), logEnd);
        LOG.info("Partition {}: log diverges from leader {} (its epoch {} ends at {}); truncating from {} to {}",
                replica.topicPartition(), leaderId, diverging.epoch(), diverging.endOffset(), logEnd, cut);
        replica.truncateTo(cut);
        state.fetchFromLogEnd();
    }
}
