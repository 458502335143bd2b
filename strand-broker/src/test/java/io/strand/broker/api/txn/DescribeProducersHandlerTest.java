package io.strand.broker.api.txn;

import static io.strand.broker.replica.ReplicatedPartitionFixture.TOPIC;
import static io.strand.broker.replica.ReplicatedPartitionFixture.TOPIC_ID;
import static io.strand.broker.replica.ReplicatedPartitionFixture.TP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.strand.broker.api.Requests;
import io.strand.broker.replica.ReplicatedPartitionFixture;
import io.strand.metadata.record.PartitionRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.DescribeProducersRequestData.TopicRequest;
import org.apache.kafka.common.message.DescribeProducersResponseData;
import org.apache.kafka.common.message.DescribeProducersResponseData.PartitionResponse;
import org.apache.kafka.common.message.DescribeProducersResponseData.ProducerState;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.DescribeProducersRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DescribeProducers on broker 1, which hosts {@code events-0}: the producers of its log as Kafka reports
 * them, and Kafka's errors for partitions it cannot describe.
 */
class DescribeProducersHandlerTest {

    private static final short EPOCH = 3;
    private static final long TIMESTAMP_MS = 1_700_000_000_000L;

    @TempDir
    Path dir;

    private ReplicatedPartitionFixture cluster;
    private DescribeProducersHandler handler;

    @BeforeEach
    void setUp() {
        cluster = new ReplicatedPartitionFixture(dir, List.of(1), List.of(1), 1);
        handler = new DescribeProducersHandler(cluster.replicaManager, cluster::image);
    }

    @AfterEach
    void tearDown() {
        cluster.close();
    }

    private void append(MemoryRecords records) {
        cluster.partition().appendAsLeader(records, (short) 1, 1);
    }

    private static SimpleRecord[] records(int count) {
        SimpleRecord[] out = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            out[i] = new SimpleRecord(TIMESTAMP_MS + i, null, ("v" + i).getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    private DescribeProducersResponseData describe(TopicRequest... topics) {
        DescribeProducersRequest request = new DescribeProducersRequest.Builder(
                new DescribeProducersRequestData().setTopics(List.of(topics))).build((short) 0);
        return Requests.overWire(ApiKeys.DESCRIBE_PRODUCERS, handler.handle(Requests.context(request), request).join(),
                (short) 0);
    }

    private static TopicRequest topic(String name, Integer... partitions) {
        return new TopicRequest().setName(name).setPartitionIndexes(List.of(partitions));
    }

    @Test
    void reportsIdempotentAndTransactionalProducersOfThePartition() {
        append(MemoryRecords.withIdempotentRecords(Compression.NONE, 7L, EPOCH, 0, records(3)));
        append(MemoryRecords.withTransactionalRecords(Compression.NONE, 8L, EPOCH, 0, records(2)));

        PartitionResponse partition = describe(topic(TOPIC, 0)).topics().get(0).partitions().get(0);

        assertThat(partition.errorCode()).isZero();
        assertThat(partition.activeProducers()).extracting(ProducerState::producerId, ProducerState::producerEpoch,
                        ProducerState::lastSequence, ProducerState::lastTimestamp, ProducerState::coordinatorEpoch,
                        ProducerState::currentTxnStartOffset)
                .containsExactly(
                        tuple(7L, (int) EPOCH, 2, TIMESTAMP_MS + 2, -1, -1L),
                        tuple(8L, (int) EPOCH, 1, TIMESTAMP_MS + 1, -1, 3L));
    }

    @Test
    void aMarkerEndsTheTransactionAndRecordsTheCoordinatorEpoch() {
        append(MemoryRecords.withTransactionalRecords(Compression.NONE, 8L, EPOCH, 0, records(1)));
        cluster.partition().appendMarkerAsLeader(8L, EPOCH, 5, false, (short) 0);

        ProducerState producer = describe(topic(TOPIC, 0)).topics().get(0).partitions().get(0).activeProducers().get(0);

        assertThat(producer.coordinatorEpoch()).isEqualTo(5);
        assertThat(producer.currentTxnStartOffset()).isEqualTo(-1L);
    }

    @Test
    void aFollowerAnswersFromItsOwnLogAsKafkaDoes() {
        append(MemoryRecords.withIdempotentRecords(Compression.NONE, 7L, EPOCH, 0, records(1)));
        cluster.publishPartition(List.of(1, 2), List.of(1, 2), 2, 1, 1);

        PartitionResponse partition = describe(topic(TOPIC, 0)).topics().get(0).partitions().get(0);

        assertThat(partition.errorCode()).isZero();
        assertThat(partition.activeProducers()).extracting(ProducerState::producerId).containsExactly(7L);
    }

    @Test
    void answersKafkasErrorsForWhatItCannotDescribe() {
        cluster.publish(new PartitionRecord(TOPIC_ID, 1, List.of(2, 3), List.of(2, 3), 2, 0, 0));

        DescribeProducersResponseData response = describe(topic(TOPIC, 1, 9, 0), topic("missing", 0, 1),
                topic("bad/name", 0));

        assertThat(response.topics()).extracting(DescribeProducersResponseData.TopicResponse::name)
                .containsExactly(TOPIC, "missing", "bad/name");
        assertThat(response.topics().get(0).partitions()).extracting(PartitionResponse::partitionIndex,
                        p -> Errors.forCode(p.errorCode()))
                .containsExactly(tuple(1, Errors.NOT_LEADER_OR_FOLLOWER), tuple(9, Errors.UNKNOWN_TOPIC_OR_PARTITION),
                        tuple(0, Errors.NONE));
        assertThat(response.topics().get(1).partitions()).extracting(PartitionResponse::partitionIndex,
                        p -> Errors.forCode(p.errorCode()))
                .containsExactly(tuple(0, Errors.UNKNOWN_TOPIC_OR_PARTITION), tuple(1, Errors.UNKNOWN_TOPIC_OR_PARTITION));
        PartitionResponse invalid = response.topics().get(2).partitions().get(0);
        assertThat(Errors.forCode(invalid.errorCode())).isEqualTo(Errors.INVALID_TOPIC_EXCEPTION);
        assertThat(invalid.errorMessage()).contains("bad/name");
    }

    @Test
    void aPartitionInAFailedLogDirectoryIsAStorageError() {
        cluster.replicaManager.markOffline(Set.of(TP));

        PartitionResponse partition = describe(topic(TOPIC, 0)).topics().get(0).partitions().get(0);

        assertThat(Errors.forCode(partition.errorCode())).isEqualTo(Errors.KAFKA_STORAGE_ERROR);
    }
}
