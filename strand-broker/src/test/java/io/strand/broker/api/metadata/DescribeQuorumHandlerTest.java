package io.strand.broker.api.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.api.Requests;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.DescribeQuorumRequestData;
import org.apache.kafka.common.message.DescribeQuorumResponseData;
import org.apache.kafka.common.message.DescribeQuorumResponseData.Listener;
import org.apache.kafka.common.message.DescribeQuorumResponseData.Node;
import org.apache.kafka.common.message.DescribeQuorumResponseData.PartitionData;
import org.apache.kafka.common.message.DescribeQuorumResponseData.ReplicaState;
import org.apache.kafka.common.message.DescribeQuorumResponseData.TopicData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeQuorumRequest;
import org.junit.jupiter.api.Test;

class DescribeQuorumHandlerTest {

    private final List<ApiMessage> forwarded = new ArrayList<>();
    private CompletableFuture<ApiMessage> answer = new CompletableFuture<>();
    private final DescribeQuorumHandler handler = new DescribeQuorumHandler((api, request) -> {
        assertThat(api).isEqualTo(ApiKeys.DESCRIBE_QUORUM);
        forwarded.add(request);
        return answer;
    });

    @Test
    void theControllersDescriptionIsAnsweredInEveryVersion() {
        for (short version = 0; version <= 2; version++) {
            answer = CompletableFuture.completedFuture(described());
            DescribeQuorumRequest request = request(version);

            DescribeQuorumResponseData read = Requests.overWire(ApiKeys.DESCRIBE_QUORUM,
                    handler.handle(Requests.context(request), request).join(), version);

            PartitionData partition = read.topics().get(0).partitions().get(0);
            assertThat(partition.leaderId()).isEqualTo(2);
            assertThat(partition.leaderEpoch()).isEqualTo(5);
            assertThat(partition.highWatermark()).isEqualTo(30);
            assertThat(partition.currentVoters()).extracting(ReplicaState::replicaId).containsExactly(1, 2);
            assertThat(read.nodes()).hasSize(version >= 2 ? 1 : 0);
            assertThat(partition.currentVoters().get(0).lastFetchTimestamp()).isEqualTo(version >= 1 ? 100L : -1L);
        }
        assertThat(forwarded).hasSize(3);
        DescribeQuorumRequestData sent = (DescribeQuorumRequestData) forwarded.get(0);
        assertThat(sent.topics().get(0).topicName()).isEqualTo(Topic.CLUSTER_METADATA_TOPIC_NAME);
    }

    @Test
    void noControllerInTimeIsATopLevelError() {
        answer.completeExceptionally(new TimeoutException("no controller"));
        DescribeQuorumRequest request = request((short) 1);

        DescribeQuorumResponseData response = handler.handle(Requests.context(request), request).join();

        assertThat(response.errorCode()).isEqualTo(Errors.REQUEST_TIMED_OUT.code());
        Requests.overWire(ApiKeys.DESCRIBE_QUORUM, response, (short) 1);
    }

    private static DescribeQuorumRequest request(short version) {
        return new DescribeQuorumRequest.Builder(DescribeQuorumRequest.singletonRequest(
                Topic.CLUSTER_METADATA_TOPIC_PARTITION)).build(version);
    }

    private static DescribeQuorumResponseData described() {
        PartitionData partition = new PartitionData().setPartitionIndex(0).setLeaderId(2).setLeaderEpoch(5)
                .setHighWatermark(30).setErrorMessage(null)
                .setCurrentVoters(List.of(
                        new ReplicaState().setReplicaId(1).setLogEndOffset(31).setLastFetchTimestamp(100)
                                .setLastCaughtUpTimestamp(100),
                        new ReplicaState().setReplicaId(2).setLogEndOffset(31).setLastFetchTimestamp(110)
                                .setLastCaughtUpTimestamp(110)));
        DescribeQuorumResponseData response = new DescribeQuorumResponseData()
                .setTopics(List.of(new TopicData().setTopicName(Topic.CLUSTER_METADATA_TOPIC_NAME)
                        .setPartitions(List.of(partition))));
        Node node = new Node().setNodeId(2);
        node.listeners().add(new Listener().setName("CONTROLLER").setHost("node-2").setPort(9093));
        response.nodes().add(node);
        return response;
    }
}
