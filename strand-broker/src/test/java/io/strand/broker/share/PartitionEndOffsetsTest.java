package io.strand.broker.share;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.replica.ReplicatedPartitionFixture;
import io.strand.broker.txn.BrokerRequestSender;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.DisconnectException;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsTopicResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The end offset behind a share group's lag: the local leader's high watermark, else the leader's answer. */
class PartitionEndOffsetsTest {

    @TempDir
    Path dir;

    private ReplicatedPartitionFixture cluster;
    private final List<Integer> askedBrokers = new ArrayList<>();
    private final List<ListOffsetsRequestData> asked = new ArrayList<>();
    private CompletableFuture<ApiMessage> answer = new CompletableFuture<>();

    private final BrokerRequestSender sender = (brokerId, api, minVersion, request) -> {
        assertThat(api).isEqualTo(ApiKeys.LIST_OFFSETS);
        askedBrokers.add(brokerId);
        asked.add((ListOffsetsRequestData) request.apply(ApiKeys.LIST_OFFSETS.latestVersion()));
        return answer;
    };

    @AfterEach
    void tearDown() throws Exception {
        cluster.close();
    }

    private PartitionEndOffsets endOffsets() {
        return new PartitionEndOffsets(cluster.replicaManager, cluster::image, sender);
    }

    @Test
    void theLeaderAnswersItsOwnHighWatermark() {
        cluster = new ReplicatedPartitionFixture(dir, List.of(1), List.of(1), 1);
        cluster.append(3);

        assertThat(endOffsets().apply(ReplicatedPartitionFixture.TP).join()).hasValue(3);
        assertThat(asked).isEmpty();
    }

    @Test
    void aFollowerAsksTheLeaderAsAConsumerWould() {
        cluster = new ReplicatedPartitionFixture(dir, List.of(1, 2), List.of(1, 2), 1);
        cluster.publishPartition(List.of(1, 2), List.of(1, 2), 2, 1, 1);

        CompletableFuture<OptionalLong> end = endOffsets().apply(ReplicatedPartitionFixture.TP);
        assertThat(askedBrokers).containsExactly(2);
        ListOffsetsRequestData request = asked.get(0);
        assertThat(request.replicaId()).as("a consumer's view: the high watermark").isEqualTo(-1);
        assertThat(request.isolationLevel()).isZero();
        assertThat(request.topics().get(0).name()).isEqualTo(ReplicatedPartitionFixture.TOPIC);
        assertThat(request.topics().get(0).partitions().get(0).timestamp())
                .isEqualTo(ListOffsetsRequest.LATEST_TIMESTAMP);

        answer.complete(new ListOffsetsResponseData().setTopics(List.of(new ListOffsetsTopicResponse()
                .setName(ReplicatedPartitionFixture.TOPIC).setPartitions(List.of(new ListOffsetsPartitionResponse()
                        .setPartitionIndex(0).setOffset(42))))));
        assertThat(end.join()).hasValue(42);
    }

    @Test
    void aFailedRequestLeavesTheEndOffsetUnknown() {
        cluster = new ReplicatedPartitionFixture(dir, List.of(1, 2), List.of(1, 2), 1);
        cluster.publishPartition(List.of(1, 2), List.of(1, 2), 2, 1, 1);

        CompletableFuture<OptionalLong> end = endOffsets().apply(ReplicatedPartitionFixture.TP);
        answer.completeExceptionally(new DisconnectException("gone"));

        assertThat(end.join()).isEmpty();
    }

    @Test
    void aPartitionWithoutLeaderHasNoEndOffset() {
        cluster = new ReplicatedPartitionFixture(dir, List.of(1, 2), List.of(1, 2), 1);
        cluster.publishPartition(List.of(1, 2), List.of(1, 2), -1, 1, 1);

        assertThat(endOffsets().apply(ReplicatedPartitionFixture.TP).join()).isEmpty();
        assertThat(asked).isEmpty();
    }
}
