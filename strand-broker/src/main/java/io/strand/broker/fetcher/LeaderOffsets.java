package io.strand.broker.fetcher;

import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * ListOffsets of one partition to its leader: as a follower asks it, as replica {@code replicaId} (so a
 * Kafka leader answers LATEST with its log end, not its high watermark), fenced by the leader epoch; or, with
 * replica id -1 and leader epoch -1, as a consumer asks it (LATEST is the high watermark), as the share
 * group lag asks it.
 */
public final class LeaderOffsets {

    private LeaderOffsets() {
    }

    public static ListOffsetsRequestData request(int replicaId, TopicPartition tp, int leaderEpoch, long timestamp) {
        return new ListOffsetsRequestData()
                .setReplicaId(replicaId)
                .setIsolationLevel((byte) 0)
                .setTopics(List.of(new ListOffsetsTopic().setName(tp.topic()).setPartitions(List.of(
                        new ListOffsetsPartition().setPartitionIndex(tp.partition())
                                .setCurrentLeaderEpoch(leaderEpoch)
                                .setTimestamp(timestamp)))));
    }

    /**
     * The offset answered for {@code tp}.
     *
     * @throws org.apache.kafka.common.errors.ApiException the partition's error, or UNKNOWN_SERVER_ERROR
     *     if the answer lacks it
     */
    public static long offsetIn(ListOffsetsResponseData response, TopicPartition tp, long timestamp) {
        for (ListOffsetsResponseData.ListOffsetsTopicResponse topic : response.topics()) {
            for (ListOffsetsResponseData.ListOffsetsPartitionResponse partition : topic.partitions()) {
                if (topic.name().equals(tp.topic()) && partition.partitionIndex() == tp.partition()) {
                    Errors error = Errors.forCode(partition.errorCode());
                    if (error != Errors.NONE) {
                        throw error.exception("ListOffsets for " + tp + " at timestamp " + timestamp);
                    }
                    return partition.offset();
                }
            }
        }
        throw Errors.UNKNOWN_SERVER_ERROR.exception("ListOffsets answer lacks " + tp);
    }
}
