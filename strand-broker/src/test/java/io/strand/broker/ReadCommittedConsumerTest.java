package io.strand.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarker;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarkerTopic;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest;
import org.apache.kafka.common.requests.WriteTxnMarkersResponse;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Java consumer with {@code isolation.level=read_committed} against a whole node, the transactions
 * written as a coordinator and a transactional producer would write them: transactional batches by
 * raw Produce requests, their ends by raw WriteTxnMarkers requests. It reads committed records and
 * plain ones, never aborted ones, and stops at an open transaction until its marker comes.
 */
class ReadCommittedConsumerTest {

    private static final String TOPIC = "txn-events";
    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);
    private static final long ABORTED = 100L;
    private static final long COMMITTED = 200L;
    private static final long OPEN = 300L;

    @TempDir
    Path dataDir;

    private int correlationId;

    @Test
    void aReadCommittedConsumerSeesCommittedRecordsAndNeverAbortedOnes() throws Exception {
        try (BrokerServer node = TestNodes.start(TestNodes.props(dataDir, TestNodes.freePort(),
                // the transactions here are written by raw requests, without a coordinator to verify them
                Map.of("transaction.partition.verification.enable", "false")))) {
            String bootstrap = TestNodes.bootstrap(node.clientAddress());
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
            }
            try (Socket socket = new Socket(node.clientAddress().getAddress(), node.clientAddress().getPort())) {
                socket.setSoTimeout(30_000);
                await("the partition's leader").atMost(Duration.ofSeconds(30)).until(() ->
                        produce(socket, null, MemoryRecords.withRecords(Compression.NONE, record("p0")))
                                == Errors.NONE);
                assertThat(produce(socket, "tx-a", transactional(ABORTED, 0, "a1"))).isEqualTo(Errors.NONE);
                assertThat(produce(socket, "tx-c", transactional(COMMITTED, 0, "c1"))).isEqualTo(Errors.NONE);
                assertThat(produce(socket, "tx-a", transactional(ABORTED, 1, "a2"))).isEqualTo(Errors.NONE);
                assertThat(produce(socket, "tx-c", transactional(COMMITTED, 1, "c2"))).isEqualTo(Errors.NONE);
                assertThat(produce(socket, null, MemoryRecords.withRecords(Compression.NONE, record("p1"))))
                        .isEqualTo(Errors.NONE);
                assertThat(writeMarker(socket, ABORTED, false)).isEqualTo(Errors.NONE);
                assertThat(writeMarker(socket, COMMITTED, true)).isEqualTo(Errors.NONE);
                assertThat(produce(socket, "tx-o", transactional(OPEN, 0, "o1"))).isEqualTo(Errors.NONE);
                assertThat(produce(socket, null, MemoryRecords.withRecords(Compression.NONE, record("p2"))))
                        .isEqualTo(Errors.NONE);
                // p0=0 a1=1 c1=2 a2=3 c2=4 p1=5 abort=6 commit=7 o1=8 p2=9: the open transaction holds at 8.

                try (KafkaConsumer<String, String> committed = consumer(bootstrap, IsolationLevel.READ_COMMITTED);
                     KafkaConsumer<String, String> uncommitted = consumer(bootstrap, IsolationLevel.READ_UNCOMMITTED)) {
                    assertThat(committed.endOffsets(List.of(PARTITION))).containsEntry(PARTITION, 8L);
                    assertThat(uncommitted.endOffsets(List.of(PARTITION))).containsEntry(PARTITION, 10L);

                    List<String> readCommitted = new ArrayList<>();
                    await("read_committed reaches the open transaction").atMost(Duration.ofSeconds(30))
                            .untilAsserted(() -> {
                                poll(committed, readCommitted);
                                assertThat(committed.position(PARTITION)).isEqualTo(8L);
                            });
                    assertThat(readCommitted).containsExactly("p0", "c1", "c2", "p1");
                    List<String> readUncommitted = new ArrayList<>();
                    await("read_uncommitted reads all").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                        poll(uncommitted, readUncommitted);
                        assertThat(readUncommitted).hasSize(8);
                    });
                    assertThat(readUncommitted).containsExactly("p0", "a1", "c1", "a2", "c2", "p1", "o1", "p2");

                    assertThat(writeMarker(socket, OPEN, true)).isEqualTo(Errors.NONE);
                    await("the committed transaction and what follows it").atMost(Duration.ofSeconds(30))
                            .untilAsserted(() -> {
                                poll(committed, readCommitted);
                                assertThat(readCommitted).containsExactly("p0", "c1", "c2", "p1", "o1", "p2");
                            });
                    assertThat(committed.endOffsets(List.of(PARTITION))).containsEntry(PARTITION, 11L);
                }
            }
        }
    }

    private static KafkaConsumer<String, String> consumer(String bootstrap, IsolationLevel isolation) {
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation.toString().toLowerCase(java.util.Locale.ROOT),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class));
        consumer.assign(List.of(PARTITION));
        consumer.seekToBeginning(List.of(PARTITION));
        return consumer;
    }

    private static void poll(KafkaConsumer<String, String> consumer, List<String> values) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
            values.add(record.value());
        }
    }

    private static SimpleRecord record(String value) {
        return new SimpleRecord(System.currentTimeMillis(), null, value.getBytes(StandardCharsets.UTF_8));
    }

    private static MemoryRecords transactional(long producerId, int sequence, String value) {
        return MemoryRecords.withTransactionalRecords(Compression.NONE, producerId, (short) 0, sequence, record(value));
    }

    private Errors produce(Socket socket, String transactionalId, MemoryRecords records) throws Exception {
        ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(10_000)
                .setTransactionalId(transactionalId);
        ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData().setName(TOPIC);
        topic.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records));
        data.topicData().add(topic);
        short version = 11;
        ProduceResponse response = (ProduceResponse) send(socket,
                new ProduceRequest.Builder(version, version, data).build(version));
        ProduceResponseData.PartitionProduceResponse partition =
                response.data().responses().iterator().next().partitionResponses().get(0);
        return Errors.forCode(partition.errorCode());
    }

    private Errors writeMarker(Socket socket, long producerId, boolean commit) throws Exception {
        WriteTxnMarkersRequestData data = new WriteTxnMarkersRequestData();
        data.markers().add(new WritableTxnMarker().setProducerId(producerId).setProducerEpoch((short) 0)
                .setTransactionResult(commit).setCoordinatorEpoch(0)
                .setTopics(List.of(new WritableTxnMarkerTopic().setName(TOPIC).setPartitionIndexes(List.of(0)))));
        WriteTxnMarkersResponse response = (WriteTxnMarkersResponse) send(socket,
                new WriteTxnMarkersRequest.Builder(data).build((short) 2));
        WriteTxnMarkersResponseData.WritableTxnMarkerResult marker = response.data().markers().get(0);
        assertThat(marker.producerId()).isEqualTo(producerId);
        return Errors.forCode(marker.topics().get(0).partitions().get(0).errorCode());
    }

    private AbstractResponse send(Socket socket, AbstractRequest request) throws Exception {
        RequestHeader header = new RequestHeader(request.apiKey(), request.version(), "coordinator", ++correlationId);
        ByteBuffer frame = request.serializeWithHeader(header);
        DataOutputStream out = new DataOutputStream(socket.getOutputStream());
        out.writeInt(frame.remaining());
        out.write(frame.array(), frame.arrayOffset() + frame.position(), frame.remaining());
        out.flush();
        DataInputStream in = new DataInputStream(socket.getInputStream());
        byte[] body = new byte[in.readInt()];
        in.readFully(body);
        return AbstractResponse.parseResponse(ByteBuffer.wrap(body), header);
    }
}
