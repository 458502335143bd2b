package io.strand.broker.api.offsets;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.broker.replica.Partition;
import io.strand.broker.replica.ReplicaManager;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsPartition;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsTopic;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsPartitionResult;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteRecordsRequest;

/**
 * DeleteRecords (v0–2): moves each partition's log start offset up to the given offset (-1 means
 * the high watermark) and answers with the new low watermark. Offsets past the high watermark get
 * OFFSET_OUT_OF_RANGE. Whole segments below the new start are removed in the background.
 *
 * <p>As Kafka's: an internal topic ({@code __consumer_offsets}, {@code __transaction_state}, …) is
 * refused (INVALID_TOPIC_EXCEPTION) once its partition is known, then a topic whose {@code cleanup.policy}
 * lacks {@code delete} (POLICY_VIOLATION), before the offset is looked at; the answer has one entry per topic
 * and partition however often the request names them (the last offset asked wins), and none for a
 * topic named without partitions.
 */
public final class DeleteRecordsHandler implements ApiHandler<DeleteRecordsRequest> {

    static final short MIN_VERSION = 0;
    static final short MAX_VERSION = 2;

    private final ReplicaManager replicaManager;

    public DeleteRecordsHandler(ReplicaManager replicaManager) {
        this.replicaManager = replicaManager;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_RECORDS;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<DeleteRecordsResponseData> handle(RequestContext context, DeleteRecordsRequest request) {
        // As Kafka's broker keys them: a partition named twice is deleted up to its last offset, once.
        Map<String, Map<Integer, Long>> wantedByTopic = new LinkedHashMap<>();
        for (DeleteRecordsTopic topic : request.data().topics()) {
            for (DeleteRecordsPartition wanted : topic.partitions()) {
                wantedByTopic.computeIfAbsent(topic.name(), name -> new LinkedHashMap<>())
                        .put(wanted.partitionIndex(), wanted.offset());
            }
        }
        DeleteRecordsResponseData response = new DeleteRecordsResponseData();
        wantedByTopic.forEach((topic, offsets) -> {
            DeleteRecordsTopicResult topicResult = new DeleteRecordsTopicResult().setName(topic);
            offsets.forEach((partitionIndex, offset) ->
                    topicResult.partitions().add(delete(new TopicPartition(topic, partitionIndex), offset)));
            response.topics().add(topicResult);
        });
        return CompletableFuture.completedFuture(response);
    }

    private DeleteRecordsPartitionResult delete(TopicPartition tp, long wantedOffset) {
        DeleteRecordsPartitionResult result = new DeleteRecordsPartitionResult()
                .setPartitionIndex(tp.partition()).setLowWatermark(-1);
        try {
            Partition partition = replicaManager.leaderPartition(tp);
            if (Topic.isInternal(tp.topic())) {
                // As Kafka: no client deletes the records of the group or transaction coordinators' logs.
                throw new InvalidTopicException("Cannot delete records of internal topic " + tp.topic());
            }
            if (!partition.log().config().deletePolicy()) {
                // As Kafka: a log kept only by compaction keeps its records; checked before the offset.
                throw new PolicyViolationException("Records of partition " + tp
                        + " can not be deleted due to the configured policy");
            }
            long offset = wantedOffset == DeleteRecordsRequest.HIGH_WATERMARK
                    ? partition.log().highWatermark() : wantedOffset;
            if (offset < 0) {
                result.setErrorCode(Errors.OFFSET_OUT_OF_RANGE.code());
            } else {
                result.setLowWatermark(partition.log().deleteRecordsBefore(offset));
            }
        } catch (ApiException e) {
            result.setErrorCode(Errors.forException(e).code());
        }
        return result;
    }
}
