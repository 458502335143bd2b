package io.strand.metadata.quorum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.DescribeQuorumRequestData;
import org.apache.kafka.common.message.DescribeQuorumResponseData;
import org.apache.kafka.common.message.DescribeQuorumResponseData.PartitionData;
import org.apache.kafka.common.message.DescribeQuorumResponseData.ReplicaState;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeQuorumRequest;
import org.junit.jupiter.api.Test;

class QuorumDescriptionTest {

    private final QuorumDescription description = new QuorumDescription(2, 7, 41,
            List.of(new QuorumDescription.Voter(1, 40, 900, -1), new QuorumDescription.Voter(2, 42, 1000, 1000),
                    new QuorumDescription.Voter(3, 42, 990, 990)),
            Map.of(1, InetSocketAddress.createUnresolved("node-1", 9093),
                    2, InetSocketAddress.createUnresolved("node-2", 9093)),
            "CONTROLLER");

    @Test
    void theResponseNamesTheLeaderTermAsEpochHighWatermarkVotersAndTheirEndpoints() {
        DescribeQuorumResponseData response = description.toResponse();

        assertThat(response.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(response.topics()).hasSize(1);
        assertThat(response.topics().get(0).topicName()).isEqualTo(Topic.CLUSTER_METADATA_TOPIC_NAME);
        PartitionData partition = response.topics().get(0).partitions().get(0);
        assertThat(partition.partitionIndex()).isZero();
        assertThat(partition.leaderId()).isEqualTo(2);
        assertThat(partition.leaderEpoch()).isEqualTo(7);
        assertThat(partition.highWatermark()).isEqualTo(41);
        assertThat(partition.currentVoters()).extracting(ReplicaState::replicaId, ReplicaState::logEndOffset,
                        ReplicaState::lastFetchTimestamp, ReplicaState::lastCaughtUpTimestamp)
                .containsExactly(tuple(1, 40L, 900L, -1L), tuple(2, 42L, 1000L, 1000L), tuple(3, 42L, 990L, 990L));
        assertThat(partition.observers()).isEmpty();
        // Node 3's address is unknown: it is left out rather than guessed.
        assertThat(response.nodes()).extracting(DescribeQuorumResponseData.Node::nodeId).containsExactly(1, 2);
        assertThat(response.nodes().find(2).listeners()).singleElement()
                .satisfies(l -> assertThat(List.of(l.name(), l.host(), l.port()))
                        .containsExactly("CONTROLLER", "node-2", 9093));
    }

    @Test
    void onlyTheMetadataPartitionIsDescribed() {
        DescribeQuorumRequestData metadata = DescribeQuorumRequest.singletonRequest(
                Topic.CLUSTER_METADATA_TOPIC_PARTITION);
        DescribeQuorumRequestData other = DescribeQuorumRequest.singletonRequest(new TopicPartition("events", 0));

        assertThat(QuorumDescription.asksForTheMetadataPartition(metadata)).isTrue();
        assertThat(QuorumDescription.asksForTheMetadataPartition(other)).isFalse();
        assertThat(QuorumDescription.error(other, Errors.UNKNOWN_TOPIC_OR_PARTITION).topics().get(0).partitions()
                .get(0).errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
    }
}
