package io.strand.broker.sim;

import io.strand.broker.replica.Partition;
import io.strand.storage.checkpoint.EpochEndOffset;
import io.strand.storage.log.LogReadResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.requests.FetchResponse;

/**
 * The leader's side of a follower's Fetch, step for step as the broker's Fetch handler serves one
 * (sessionless, no long poll): the leader epoch checked, the follower's last fetched epoch compared
 * ({@code diverging_epoch}), then a read up to the log end and the follower's position recorded on
 * the {@link Partition}. The records are copied off a file log, as the wire would (an in-memory log reads copies). Stateless.
 *
 * <p>A copy of the handler's few lines rather than the handler itself, which needs the request
 * pipeline, fetch sessions and a metadata cache; keep the two alike.
 */
final class LeaderFetchServing {

    private LeaderFetchServing() {
    }

    static FetchResponseData serve(Map<TopicPartition, Partition> partitions, FetchRequestData request, long nowMs) {
        int replicaId = request.replicaState().replicaId();
        long replicaEpoch = request.replicaState().replicaEpoch();
        FetchResponseData response = new FetchResponseData();
        for (FetchRequestData.FetchTopic topic : request.topics()) {
            FetchResponseData.FetchableTopicResponse answer = new FetchResponseData.FetchableTopicResponse()
                    .setTopic(topic.topic()).setTopicId(topic.topicId());
            for (FetchRequestData.FetchPartition wanted : topic.partitions()) {
                Partition p = partitions.get(new TopicPartition(topic.topic(), wanted.partition()));
                answer.partitions().add(readForFollower(p, wanted, replicaId, replicaEpoch, nowMs));
            }
            response.responses().add(answer);
        }
        return response;
    }

    private static FetchResponseData.PartitionData readForFollower(Partition p, FetchRequestData.FetchPartition wanted,
                                                                   int replicaId, long replicaEpoch, long nowMs) {
        FetchResponseData.PartitionData data = new FetchResponseData.PartitionData()
                .setPartitionIndex(wanted.partition())
                .setHighWatermark(FetchResponse.INVALID_HIGH_WATERMARK)
                .setLastStableOffset(FetchResponse.INVALID_LAST_STABLE_OFFSET)
                .setLogStartOffset(FetchResponse.INVALID_LOG_START_OFFSET)
                .setRecords(MemoryRecords.EMPTY);
        if (p == null) {
            return data.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        try {
            p.checkLeaderEpoch(wanted.currentLeaderEpoch());
            if (wanted.lastFetchedEpoch() >= 0) {
                Optional<EpochEndOffset> diverging = p.divergingEpoch(wanted.lastFetchedEpoch(), wanted.fetchOffset());
                if (diverging.isPresent()) {
                    data.divergingEpoch().setEpoch(diverging.get().leaderEpoch())
                            .setEndOffset(diverging.get().endOffset());
                    return data.setHighWatermark(p.highWatermark()).setLastStableOffset(p.highWatermark())
                            .setLogStartOffset(p.replicaLog().logStartOffset());
                }
            }
            LogReadResult read = p.readForFollower(replicaId, wanted.fetchOffset(), wanted.partitionMaxBytes(), true);
            p.updateFollowerFetchState(replicaId, replicaEpoch, wanted.fetchOffset(), read.logEndOffset(), nowMs);
            long highWatermark = p.highWatermark();
            return data.setHighWatermark(highWatermark).setLastStableOffset(highWatermark)
                    .setLogStartOffset(read.logStartOffset()).setRecords(onTheWire(read.records()));
        } catch (ApiException e) {
            return data.setErrorCode(Errors.forException(e).code()).setHighWatermark(p.highWatermark())
                    .setLastStableOffset(p.highWatermark()).setLogStartOffset(p.replicaLog().logStartOffset());
        }
    }

    /** Records as the follower gets them from the wire: in memory, not a slice of the leader's file. */
    private static MemoryRecords onTheWire(Records records) {
        if (records instanceof MemoryRecords memory) {
            return memory;
        }
        ByteBuffer buffer = ByteBuffer.allocate(records.sizeInBytes());
        try {
            ((FileRecords) records).readInto(buffer, 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return MemoryRecords.readableRecords(buffer); // readInto leaves it flipped
    }
}
