package io.strand.broker.api.offsets;

import io.strand.broker.api.RequestChecks;
import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.broker.replica.Partition;
import io.strand.broker.replica.ReplicaManager;
import io.strand.storage.log.PartitionLog;
import io.strand.storage.log.TimestampAndOffset;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsTopicResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.ListOffsetsRequest;

/**
 * ListOffsets (v1–11): per partition the offset for a timestamp. Special timestamps: -2 earliest
 * (log start), -1 latest (high watermark; the last stable offset under read_committed), -3 the
 * record with the largest timestamp, -4 earliest local (= earliest, no tiered storage), -5 latest
 * tiered and -6 earliest pending upload (none: offset -1). For a real timestamp, the first offset
 * at or after it that consumers may read, or -1 if there is none.
 *
 * <p>Who asks decides what is readable and where, as in Kafka's ReplicaManager: a consumer
 * ({@code replica_id} -1) asks the leader (elsewhere NOT_LEADER_OR_FOLLOWER) and reads up to the
 * high watermark — under read_committed up to the last stable offset, which bounds -1 and every
 * timestamp lookup (-3 included) as Kafka's {@code Partition.fetchOffsetForTimestamp} does; a
 * replica ({@code replica_id} ≥ 0, a follower's fetcher) also asks the leader but reads up to the
 * log end, so -1 answers the log end offset; the debugging id -2 may ask any replica
 * hosting the partition and reads up to its log end.
 */
public final class ListOffsetsHandler implements ApiHandler<ListOffsetsRequest> {

    static final short MIN_VERSION = 1;
    static final short MAX_VERSION = 11;

    private static final short FIRST_LEADER_EPOCH_VERSION = 4;

    private final ReplicaManager replicaManager;

    public ListOffsetsHandler(ReplicaManager replicaManager) {
        this.replicaManager = replicaManager;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LIST_OFFSETS;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<ListOffsetsResponseData> handle(RequestContext context, ListOffsetsRequest request) {
        boolean readCommitted = RequestChecks.isolationLevel(request.data().isolationLevel())
                == IsolationLevel.READ_COMMITTED;
        Set<TopicPartition> duplicates = request.duplicatePartitions();
        ListOffsetsResponseData response = new ListOffsetsResponseData();
        for (ListOffsetsTopic topic : request.topics()) {
            ListOffsetsTopicResponse topicResponse = new ListOffsetsTopicResponse().setName(topic.name());
            for (ListOffsetsPartition wanted : topic.partitions()) {
                TopicPartition tp = new TopicPartition(topic.name(), wanted.partitionIndex());
                ListOffsetsPartitionResponse result = new ListOffsetsPartitionResponse()
                        .setPartitionIndex(wanted.partitionIndex());
                if (duplicates.contains(tp)) {
                    result.setErrorCode(Errors.INVALID_REQUEST.code()).setOffset(-1).setTimestamp(-1);
                } else {
                    lookUp(tp, wanted, request.replicaId(), readCommitted, result);
                }
                if (request.version() < FIRST_LEADER_EPOCH_VERSION) {
                    result.setLeaderEpoch(-1);
                }
                topicResponse.partitions().add(result);
            }
            response.topics().add(topicResponse);
        }
        return CompletableFuture.completedFuture(response);
    }

    private void lookUp(TopicPartition tp, ListOffsetsPartition wanted, int replicaId, boolean readCommitted,
                        ListOffsetsPartitionResponse result) {
        try {
            Partition partition = replicaId == ListOffsetsRequest.DEBUGGING_REPLICA_ID
                    ? replicaManager.partition(tp).orElseThrow(
                            () -> new UnknownTopicOrPartitionException("This broker does not host " + tp))
                    : replicaManager.leaderPartition(tp);
            partition.checkLeaderEpoch(wanted.currentLeaderEpoch());
            PartitionLog log = partition.log();
            long readableEnd = replicaId != ListOffsetsRequest.CONSUMER_REPLICA_ID ? log.logEndOffset()
                    : readCommitted ? partition.lastStableOffset() : log.highWatermark();
            long timestamp = wanted.timestamp();
            if (timestamp == ListOffsetsRequest.LATEST_TIMESTAMP) {
                set(result, RecordBatch.NO_TIMESTAMP, readableEnd, log.latestEpoch());
            } else if (timestamp == ListOffsetsRequest.EARLIEST_TIMESTAMP
                    || timestamp == ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP) {
                set(result, RecordBatch.NO_TIMESTAMP, log.logStartOffset(), log.latestEpoch());
            } else if (timestamp == ListOffsetsRequest.MAX_TIMESTAMP) {
                Optional<TimestampAndOffset> max = log.offsetOfMaxTimestamp().filter(t -> t.offset() < readableEnd);
                setOrNone(result, max);
            } else if (timestamp < 0) {
                set(result, RecordBatch.NO_TIMESTAMP, -1, -1);
            } else {
                setOrNone(result, log.offsetForTimestamp(timestamp).filter(t -> t.offset() < readableEnd));
            }
        } catch (ApiException e) {
            result.setErrorCode(Errors.forException(e).code()).setOffset(-1).setTimestamp(-1);
        }
    }

    private static void setOrNone(ListOffsetsPartitionResponse result, Optional<TimestampAndOffset> found) {
        if (found.isPresent()) {
            set(result, found.get().timestampMs(), found.get().offset(), found.get().leaderEpoch());
        } else {
            set(result, RecordBatch.NO_TIMESTAMP, -1, -1);
        }
    }

    private static void set(ListOffsetsPartitionResponse result, long timestamp, long offset, int leaderEpoch) {
        result.setTimestamp(timestamp).setOffset(offset).setLeaderEpoch(leaderEpoch);
    }
}
