package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strand.testkit.StrandNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Idempotent produce at the protocol level: a retried batch is acknowledged with its original offset
 * and stored once, also after a restart; a sequence gap gets OUT_OF_ORDER_SEQUENCE_NUMBER.
 */
class IdempotenceIT {

    private static final String TOPIC = "idempotent-raw";

    @TempDir
    Path dataDir;

    @Test
    void retriesAreDeduplicatedAndGapsRejectedAcrossARestart() throws Exception {
        try (StrandNode node = StrandNode.start(dataDir, Map.of())) {
            try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", node.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
            }
            long producerId;
            try (RawKafkaConnection raw = new RawKafkaConnection(node.bootstrapServers())) {
                InitProducerIdResponse init = initProducerId(raw);
                producerId = init.data().producerId();
                assertThat(producerId).isNotNegative();

                assertThat(produce(raw, producerId, 0, "a", "b").baseOffset()).isEqualTo(0);
                assertThat(produce(raw, producerId, 2, "c").baseOffset()).isEqualTo(2);
                PartitionProduceResponse retry = produce(raw, producerId, 0, "a", "b");
                assertThat(Errors.forCode(retry.errorCode())).isEqualTo(Errors.NONE);
                assertThat(retry.baseOffset()).isEqualTo(0);
                PartitionProduceResponse gap = produce(raw, producerId, 7, "x");
                assertThat(Errors.forCode(gap.errorCode())).isEqualTo(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);
            }

            node.restart();
            awaitLeader(node);

            try (RawKafkaConnection raw = new RawKafkaConnection(node.bootstrapServers())) {
                PartitionProduceResponse retry = produce(raw, producerId, 2, "c");
                assertThat(Errors.forCode(retry.errorCode())).isEqualTo(Errors.NONE);
                assertThat(retry.baseOffset()).isEqualTo(2);
                PartitionProduceResponse next = produce(raw, producerId, 3, "d");
                assertThat(next.baseOffset()).isEqualTo(3);
                InitProducerIdResponse another = initProducerId(raw);
                assertThat(another.data().producerId()).isNotNegative().isNotEqualTo(producerId);
            }
        }
    }

    /**
     * After a restart the node leads its partitions again only once it is unfenced and the controller has
     * elected it (until then a produce gets NOT_LEADER_OR_FOLLOWER, which a client retries, as from Kafka).
     */
    /**
     * An idempotent InitProducerId, sent again while the broker has no producer id at hand
     * (COORDINATOR_LOAD_IN_PROGRESS until its first block arrives), as a client does.
     */
    private static InitProducerIdResponse initProducerId(RawKafkaConnection raw) {
        return await("a producer id").atMost(Duration.ofSeconds(30)).until(
                () -> (InitProducerIdResponse) raw.roundTrip(new InitProducerIdRequest.Builder(
                        new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(60_000))
                        .build((short) 4)),
                init -> init.error() == Errors.NONE);
    }

    private static void awaitLeader(StrandNode node) {
        try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", node.bootstrapServers()))) {
            await("a leader for " + TOPIC + "-0").atMost(Duration.ofSeconds(30)).until(() -> admin
                    .describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC).partitions().get(0).leader() != null);
        }
    }

    private static PartitionProduceResponse produce(RawKafkaConnection raw, long producerId, int firstSequence,
                                                    String... values) throws Exception {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = new SimpleRecord(values[i].getBytes(StandardCharsets.UTF_8));
        }
        MemoryRecords batch = MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, (short) 0,
                firstSequence, records);
        ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(10_000);
        ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData().setName(TOPIC);
        topic.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(batch));
        data.topicData().add(topic);
        ProduceResponse response = (ProduceResponse) raw.roundTrip(new ProduceRequest(data, (short) 11));
        return response.data().responses().iterator().next().partitionResponses().get(0);
    }
}
