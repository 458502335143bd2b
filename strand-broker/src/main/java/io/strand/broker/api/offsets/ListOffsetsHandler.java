package io.strand.broker.api.offsets;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.broker.replica.Partition;
import io.strand.broker.replica.ReplicaManager;
import io.strand.storage.log.PartitionLog;
import io.strand.storage.log.TimestampAndOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidRequestException;
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
 *
 * <p>Refusals as Kafka's: a partition named twice gets INVALID_REQUEST; a negative timestamp that is
 * no special one, or one newer than the request's version, UNSUPPORTED_VERSION. The answer has one
 * entry per topic, however often the request names it, and none for a topic named without
 * partitions. An unknown isolation level fails the whole request (INVALID_REQUEST, every partition)
 * once there is a topic to look up.
 */
public final class ListOffsetsHandler implements ApiHandler<ListOffsetsRequest> {

    static final short MIN_VERSION = 1;
    static final short MAX_VERSION = 11;

    private static final short FIRST_LEADER_EPOCH_VERSION = 4;
    /** The special (negative) timestamps and the version each came with. */
    private static final Map<Long, Short> SPECIAL_TIMESTAMP_SINCE = Map.of(
            ListOffsetsRequest.EARLIEST_TIMESTAMP, (short) 1,
            ListOffsetsRequest.LATEST_TIMESTAMP, (short) 1,
            ListOffsetsRequest.MAX_TIMESTAMP, (short) 7,
            ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP, (short) 8,
            ListOffsetsRequest.LATEST_TIERED_TIMESTAMP, (short) 9,
            ListOffsetsRequest.EARLIEST_PENDING_UPLOAD_TIMESTAMP, (short) 11);

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
        ListOffsetsResponseData response = new ListOffsetsResponseData();
        if (request.topics().isEmpty()) {
            return CompletableFuture.completedFuture(response);
        }
        boolean readCommitted = isolationLevel(request.data().isolationLevel()) == IsolationLevel.READ_COMMITTED;
        Set<TopicPartition> duplicates = request.duplicatePartitions();
        // As Kafka: one answer per topic and partition however often they are named, no topic without one.
        Map<String, Map<Integer, ListOffsetsPartitionResponse>> byTopic = new LinkedHashMap<>();
        for (ListOffsetsTopic topic : request.topics()) {
            for (ListOffsetsPartition wanted : topic.partitions()) {
                TopicPartition tp = new TopicPartition(topic.name(), wanted.partitionIndex());
                ListOffsetsPartitionResponse result = new ListOffsetsPartitionResponse()
                        .setPartitionIndex(wanted.partitionIndex());
                if (duplicates.contains(tp)) {
                    result.setErrorCode(Errors.INVALID_REQUEST.code()).setOffset(-1).setTimestamp(-1);
                } else if (timestampUnsupported(wanted.timestamp(), request.version())) {
                    result.setErrorCode(Errors.UNSUPPORTED_VERSION.code()).setOffset(-1).setTimestamp(-1);
                } else {
                    lookUp(tp, wanted, request.replicaId(), readCommitted, result);
                }
                if (request.version() < FIRST_LEADER_EPOCH_VERSION) {
                    result.setLeaderEpoch(-1);
                }
                byTopic.computeIfAbsent(topic.name(), name -> new LinkedHashMap<>()).put(wanted.partitionIndex(), result);
            }
        }
        byTopic.forEach((name, partitions) -> response.topics().add(new ListOffsetsTopicResponse().setName(name)
                .setPartitions(new ArrayList<>(partitions.values()))));
        return CompletableFuture.completedFuture(response);
    }

    /**
     * Kafka reads the isolation level only once it has a topic to look up, and an unknown one fails the
     * whole request: as UNKNOWN_SERVER_ERROR there (an exception escaping its handler), INVALID_REQUEST
     * here, the code for the input (docs/FIDELITY.md, declared).
     */
    private static IsolationLevel isolationLevel(byte id) {
        if (id != IsolationLevel.READ_UNCOMMITTED.id() && id != IsolationLevel.READ_COMMITTED.id()) {
            throw new InvalidRequestException("Unknown isolation level " + id);
        }
        return IsolationLevel.forId(id);
    }

    /**
     * A negative timestamp is a special one, each from the version that introduced it (-6 from v11);
     * any other negative timestamp, or one older than the version, is UNSUPPORTED_VERSION (Kafka's
     * {@code ReplicaManager.isListOffsetsTimestampUnsupported}).
     */
    static boolean timestampUnsupported(long timestamp, short version) {
        if (timestamp >= 0) {
            return false;
        }
        Short since = SPECIAL_TIMESTAMP_SINCE.get(timestamp);
        return since == null || version < since;
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
