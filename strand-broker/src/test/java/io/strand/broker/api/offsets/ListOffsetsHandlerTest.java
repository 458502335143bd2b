package io.strand.broker.api.offsets;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.api.Requests;
import io.strand.broker.replica.ReplicatedPartitionFixture;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broker 1 leads {@code events-0} with replicas 1, 2, 3; three records are written, none yet replicated. */
class ListOffsetsHandlerTest {

    private static final short VERSION = 9;

    @TempDir
    Path dir;

    private ReplicatedPartitionFixture cluster;
    private ListOffsetsHandler handler;

    @BeforeEach
    void setUp() {
        cluster = new ReplicatedPartitionFixture(dir, List.of(1, 2, 3), List.of(1, 2, 3), 1);
        handler = new ListOffsetsHandler(cluster.replicaManager);
        cluster.append(3);
    }

    @AfterEach
    void tearDown() {
        cluster.close();
    }

    @Test
    void aConsumerReadsLatestAsTheHighWatermark() {
        ListOffsetsPartitionResponse latest = listLatest(ListOffsetsRequest.Builder.forConsumer(false,
                IsolationLevel.READ_UNCOMMITTED));

        assertThat(latest.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(latest.offset()).isEqualTo(cluster.partition().log().highWatermark()).isZero();
    }

    @Test
    void aFollowerReplicaReadsLatestAsTheLogEnd() {
        ListOffsetsPartitionResponse latest = listLatest(ListOffsetsRequest.Builder.forReplica(VERSION, 2));

        assertThat(latest.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(latest.offset()).isEqualTo(3);
    }

    @Test
    void aNonLeaderAnswersConsumersAndReplicasNotLeaderButServesTheDebuggingReplica() {
        cluster.publishPartition(List.of(1, 2, 3), List.of(1, 2, 3), 2, 1, 1);

        ListOffsetsPartitionResponse consumer = listLatest(ListOffsetsRequest.Builder.forConsumer(false,
                IsolationLevel.READ_UNCOMMITTED));
        ListOffsetsPartitionResponse replica = listLatest(ListOffsetsRequest.Builder.forReplica(VERSION, 3));
        ListOffsetsPartitionResponse debugging = listLatest(ListOffsetsRequest.Builder.forReplica(VERSION,
                ListOffsetsRequest.DEBUGGING_REPLICA_ID));

        assertThat(consumer.errorCode()).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER.code());
        assertThat(consumer.offset()).isEqualTo(-1);
        assertThat(replica.errorCode()).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER.code());
        assertThat(debugging.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(debugging.offset()).isEqualTo(cluster.partition().log().logEndOffset());
    }

    private ListOffsetsPartitionResponse listLatest(ListOffsetsRequest.Builder builder) {
        ListOffsetsRequest request = builder.setTargetTimes(List.of(new ListOffsetsTopic()
                .setName(ReplicatedPartitionFixture.TOPIC)
                .setPartitions(List.of(new ListOffsetsPartition().setPartitionIndex(0)
                        .setTimestamp(ListOffsetsRequest.LATEST_TIMESTAMP)))))
                .build(VERSION);
        return handler.handle(Requests.context(request), request).join().topics().get(0).partitions().get(0);
    }
}
