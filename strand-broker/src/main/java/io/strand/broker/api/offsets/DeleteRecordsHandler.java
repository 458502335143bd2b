package io.strand.broker.api.offsets;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.broker.replica.Partition;
import io.strand.broker.replica.ReplicaManager;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
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
        DeleteRecordsResponseData response = new DeleteRecordsResponseData();
        for (DeleteRecordsTopic topic : request.data().topics()) {
            DeleteRecordsTopicResult topicResult = new DeleteRecordsTopicResult().setName(topic.name());
            for (DeleteRecordsPartition wanted : topic.partitions()) {
                DeleteRecordsPartitionResult result = new DeleteRecordsPartitionResult()
                        .setPartitionIndex(wanted.partitionIndex()).setLowWatermark(-1);
                try {
                    Partition partition = replicaManager.leaderPartition(new TopicPartition(topic.name(), wanted.partitionIndex()));
                    long offset = wanted.offset() == DeleteRecordsRequest.HIGH_WATERMARK
                            ? partition.log().highWatermark() : wanted.offset();
                    if (offset < 0) {
                        result.setErrorCode(Errors.OFFSET_OUT_OF_RANGE.code());
                    } else {
                        result.setLowWatermark(partition.log().deleteRecordsBefore(offset));
                    }
                } catch (ApiException e) {
                    result.setErrorCode(Errors.forException(e).code());
                }
                if (topicResult.partitions().find(wanted.partitionIndex()) == null) {
                    topicResult.partitions().add(result);
                }
            }
            response.topics().add(topicResult);
        }
        return CompletableFuture.completedFuture(response);
    }
}
