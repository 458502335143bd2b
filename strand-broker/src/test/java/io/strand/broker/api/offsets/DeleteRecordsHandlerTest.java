package io.strand.broker.api.offsets;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.api.Requests;
import io.strand.broker.replica.ReplicatedPartitionFixture;
import io.strand.metadata.record.ConfigRecord;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsPartition;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsTopic;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsPartitionResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteRecordsRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broker 1 alone leads {@code events-0}; four records are written (high watermark 4). */
class DeleteRecordsHandlerTest {

    @TempDir
    Path dir;

    private ReplicatedPartitionFixture cluster;
    private DeleteRecordsHandler handler;

    @BeforeEach
    void setUp() {
        cluster = new ReplicatedPartitionFixture(dir, List.of(1), List.of(1), 1);
        handler = new DeleteRecordsHandler(cluster.replicaManager);
        cluster.append(4);
    }

    @AfterEach
    void tearDown() {
        cluster.close();
    }

    @Test
    void aTopicKeptOnlyByCompactionRefusesTheDeletionBeforeTheOffsetIsLookedAt() {
        assertThat(cluster.partition().log().highWatermark()).isEqualTo(4);
        assertThat(delete(1).lowWatermark()).isEqualTo(1);

        setCleanupPolicy("compact");
        DeleteRecordsPartitionResult compacted = delete(2);
        DeleteRecordsPartitionResult negative = delete(-5);

        assertThat(compacted.errorCode()).isEqualTo(Errors.POLICY_VIOLATION.code());
        assertThat(compacted.lowWatermark()).isEqualTo(-1);
        assertThat(negative.errorCode()).as("the policy before the offset").isEqualTo(Errors.POLICY_VIOLATION.code());
        assertThat(cluster.partition().log().logStartOffset()).isEqualTo(1);

        setCleanupPolicy("compact,delete");
        DeleteRecordsPartitionResult both = delete(DeleteRecordsRequest.HIGH_WATERMARK);

        assertThat(both.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(both.lowWatermark()).isEqualTo(4);
    }

    private void setCleanupPolicy(String policy) {
        cluster.publish(new ConfigRecord(ConfigResource.Type.TOPIC, ReplicatedPartitionFixture.TOPIC,
                TopicConfig.CLEANUP_POLICY_CONFIG, policy));
    }

    private DeleteRecordsPartitionResult delete(long offset) {
        DeleteRecordsRequest request = new DeleteRecordsRequest.Builder(new DeleteRecordsRequestData().setTimeoutMs(1000)
                .setTopics(List.of(new DeleteRecordsTopic().setName(ReplicatedPartitionFixture.TOPIC)
                        .setPartitions(List.of(new DeleteRecordsPartition().setPartitionIndex(0).setOffset(offset))))))
                .build((short) 2);
        return handler.handle(Requests.context(request), request).join().topics().iterator().next().partitions()
                .iterator().next();
    }
}
