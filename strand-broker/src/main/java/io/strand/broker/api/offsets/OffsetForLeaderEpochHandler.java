package io.strand.broker.api.offsets;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.broker.replica.Partition;
import io.strand.broker.replica.ReplicaManager;
import io.strand.storage.checkpoint.EpochEndOffset;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;

/**
 * OffsetForLeaderEpoch (v2–4): for each partition, the largest leader epoch not above the one asked
 * for and the offset where it ended (the log end for the current epoch). Consumers use it to check
 * their position after a leader change; followers, to find where to truncate. The caller's current
 * leader epoch is checked first (FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH).
 */
public final class OffsetForLeaderEpochHandler implements ApiHandler<OffsetsForLeaderEpochRequest> {

    static final short MIN_VERSION = 2;
    static final short MAX_VERSION = 4;

    private final ReplicaManager replicaManager;

    public OffsetForLeaderEpochHandler(ReplicaManager replicaManager) {
        this.replicaManager = replicaManager;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.OFFSET_FOR_LEADER_EPOCH;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<OffsetForLeaderEpochResponseData> handle(RequestContext context,
                                                                       OffsetsForLeaderEpochRequest request) {
        OffsetForLeaderEpochResponseData response = new OffsetForLeaderEpochResponseData();
        for (OffsetForLeaderTopic topic : request.data().topics()) {
            OffsetForLeaderTopicResult topicResult = new OffsetForLeaderTopicResult().setTopic(topic.topic());
            for (OffsetForLeaderPartition wanted : topic.partitions()) {
                OffsetForLeaderEpochResponseData.EpochEndOffset result = new OffsetForLeaderEpochResponseData.EpochEndOffset()
                        .setPartition(wanted.partition()).setLeaderEpoch(-1).setEndOffset(-1);
                try {
                    Partition partition = replicaManager.leaderPartition(new TopicPartition(topic.topic(), wanted.partition()));
                    partition.checkLeaderEpoch(wanted.currentLeaderEpoch());
                    EpochEndOffset end = partition.endOffsetForEpoch(wanted.leaderEpoch());
                    result.setLeaderEpoch(end.leaderEpoch()).setEndOffset(end.endOffset());
                } catch (ApiException e) {
                    result.setErrorCode(Errors.forException(e).code());
                }
                topicResult.partitions().add(result);
            }
            response.topics().add(topicResult);
        }
        return CompletableFuture.completedFuture(response);
    }
}
