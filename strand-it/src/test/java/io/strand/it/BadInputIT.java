package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.testkit.StrandProcess;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.ByteUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Truncated, oversized and nonsensical requests: each gets Kafka's error code or a closed
 * connection, the broker keeps serving everyone else, and the log keeps exactly what was acknowledged.
 * The node runs in a JVM of its own with a small heap that exits on {@code OutOfMemoryError}, so an
 * allocation a request provokes shows as a dead node. {@link RequestFuzzIT} mutates real client
 * requests at random; these are the cases worth naming.
 */
class BadInputIT {

    private static final String TOPIC = "guarded";
    private static final int MAX_REQUEST_BYTES = 1024 * 1024;
    private static final int MAX_MESSAGE_BYTES = 10_000;

    @RegisterExtension
    static final BrokerUnderTest broker = BrokerUnderTest
            .strandProcess(List.of("-Xmx" + RequestFuzzIT.HEAP_MIB + "m", "-XX:+ExitOnOutOfMemoryError"))
            .withProperties(Map.of(
                    "socket.request.max.bytes", Integer.toString(MAX_REQUEST_BYTES),
                    "message.max.bytes", Integer.toString(MAX_MESSAGE_BYTES)));

    @BeforeAll
    static void writeTenGoodRecords() throws Exception {
        broker.admin().createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", broker.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, "k" + i, "v" + i)).get();
            }
        }
    }

    /** After every abuse: the broker still answers, and the log holds exactly the 10 good records. */
    @AfterEach
    void brokerStillServesAndLogIsIntact() {
        StrandProcess node = broker.process();
        assertThat(node.isAlive()).as("node process alive (exit code %s)", node.exitCode()).isTrue();
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
                Map.of("bootstrap.servers", broker.bootstrapServers()), new StringDeserializer(), new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(TOPIC, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.currentTimeMillis() + 15_000;
            while (records.size() < 10 && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            assertThat(consumer.endOffsets(List.of(tp))).containsEntry(tp, 10L);
        }
        assertThat(records).extracting(ConsumerRecord::value)
                .containsExactly("v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9");
    }

    @Test
    void oversizedFrameClosesTheConnectionWithoutReadingIt() throws Exception {
        try (RawKafkaConnection raw = new RawKafkaConnection(broker.bootstrapServers())) {
            raw.sendBytes(ByteBuffer.allocate(4).putInt(MAX_REQUEST_BYTES + 1).array());
            assertThat(raw.isClosedByBroker()).isTrue();
        }
        try (RawKafkaConnection raw = new RawKafkaConnection(broker.bootstrapServers())) {
            raw.sendBytes(ByteBuffer.allocate(4).putInt(Integer.MAX_VALUE).array());
            assertThat(raw.isClosedByBroker()).isTrue();
        }
        try (RawKafkaConnection raw = new RawKafkaConnection(broker.bootstrapServers())) {
            raw.sendBytes(ByteBuffer.allocate(4).putInt(-5).array());
            assertThat(raw.isClosedByBroker()).isTrue();
        }
    }

    @Test
    void garbageFramesCloseTheConnection() throws Exception {
        Random random = new Random(42);
        for (int i = 0; i < 20; i++) {
            byte[] garbage = new byte[1 + random.nextInt(200)];
            random.nextBytes(garbage);
            try (RawKafkaConnection raw = new RawKafkaConnection(broker.bootstrapServers())) {
                raw.sendFrame(ByteBuffer.wrap(garbage));
                // Either an answer (garbage that happens to parse) or a close; never a hang or crash.
                boolean closed = raw.isClosedByBroker();
                assertThat(closed).as("garbage %d", i).isTrue();
            }
        }
    }

    @Test
    void unknownApiKeyAndUnsupportedVersionCloseTheConnection() throws Exception {
        try (RawKafkaConnection raw = new RawKafkaConnection(broker.bootstrapServers())) {
            raw.sendFrame(ByteBuffer.wrap(new byte[]{0x27, 0x0f, 0, 0, 0, 0, 0, 1, -1, -1}));
            assertThat(raw.isClosedByBroker()).isTrue();
        }
        try (RawKafkaConnection raw = new RawKafkaConnection(broker.bootstrapServers())) {
            raw.sendRaw(ApiKeys.METADATA, (short) 99, new byte[0]);
            assertThat(raw.isClosedByBroker()).isTrue();
        }
    }

    @Test
    void newerApiVersionsRequestGetsV0AnswerWithSupportedVersions() throws Exception {
        try (RawKafkaConnection raw = new RawKafkaConnection(broker.bootstrapServers())) {
            raw.sendRaw(ApiKeys.API_VERSIONS, (short) 99, new byte[]{0, 0, 0});
            ByteBuffer frame = ByteBuffer.wrap(raw.readFrame());
            frame.getInt(); // correlation id; v0 header has nothing else
            ApiVersionsResponse response = (ApiVersionsResponse) ApiVersionsResponse.parseResponse(ApiKeys.API_VERSIONS,
                    new org.apache.kafka.common.protocol.ByteBufferAccessor(frame), (short) 0);
            assertThat(Errors.forCode(response.data().errorCode())).isEqualTo(Errors.UNSUPPORTED_VERSION);
            assertThat(response.data().apiKeys().find(ApiKeys.API_VERSIONS.id).maxVersion()).isEqualTo((short) 4);
        }
    }

    @Test
    void truncatedRequestBodyClosesTheConnection() throws Exception {
        ProduceRequest request = produceRequest(MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord("k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8))));
        ByteBuffer body = request.serialize().buffer();
        byte[] half = new byte[body.remaining() / 2];
        body.get(half);
        try (RawKafkaConnection raw = new RawKafkaConnection(broker.bootstrapServers())) {
            raw.sendRaw(ApiKeys.PRODUCE, request.version(), half);
            assertThat(raw.isClosedByBroker()).isTrue();
        }
    }

    @Test
    void truncatedAndOverlongTransactionRequestsCloseTheConnection() throws Exception {
        for (TransactionRequests.Sample sample : TransactionRequests.all(TOPIC)) {
            byte[] body = sample.body();
            Map<String, byte[]> damaged = new LinkedHashMap<>();
            damaged.put("no body", new byte[0]);
            damaged.put("half the body", Arrays.copyOf(body, body.length / 2));
            damaged.put("all but the last byte", Arrays.copyOf(body, body.length - 1));
            damaged.put("first length or count huge", withHugeFirstLength(body));
            for (Map.Entry<String, byte[]> request : damaged.entrySet()) {
                try (RawKafkaConnection raw = new RawKafkaConnection(broker.bootstrapServers())) {
                    raw.sendRaw(sample.apiKey(), sample.version(), request.getValue());
                    assertThat(raw.isClosedByBroker()).as("%s v%d, %s", sample.apiKey(), sample.version(),
                            request.getKey()).isTrue();
                }
            }
        }
    }

    /**
     * {@code body} with its first field's length (every sample's body starts with a compact string or
     * array, whose length is an unsigned varint) replaced by one far beyond what follows.
     */
    private static byte[] withHugeFirstLength(byte[] body) {
        int varintBytes = 1;
        while ((body[varintBytes - 1] & 0x80) != 0) {
            varintBytes++;
        }
        ByteBuffer out = ByteBuffer.allocate(body.length + 5);
        ByteUtils.writeUnsignedVarint(Integer.MAX_VALUE - 1, out);
        out.put(body, varintBytes, body.length - varintBytes);
        return Arrays.copyOf(out.array(), out.position());
    }

    @Test
    void batchWithWrongCrcIsRejectedAsCorrupt() throws Exception {
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord("k".getBytes(StandardCharsets.UTF_8), "bad".getBytes(StandardCharsets.UTF_8)));
        ByteBuffer buffer = records.buffer();
        int last = buffer.limit() - 1;
        buffer.put(last, (byte) (buffer.get(last) ^ 0x5a));
        assertThat(produceError(MemoryRecords.readableRecords(buffer))).isEqualTo(Errors.CORRUPT_MESSAGE);
    }

    @Test
    void batchOverMaxMessageBytesIsRejected() throws Exception {
        byte[] big = new byte[MAX_MESSAGE_BYTES + 100];
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(null, big));
        assertThat(produceError(records)).isEqualTo(Errors.MESSAGE_TOO_LARGE);
    }

    @Test
    void recordFormatBelowV2IsRejected() throws Exception {
        MemoryRecords records = MemoryRecords.withRecords(RecordBatch.MAGIC_VALUE_V1, Compression.NONE,
                new SimpleRecord("k".getBytes(StandardCharsets.UTF_8), "old".getBytes(StandardCharsets.UTF_8)));
        // As Kafka (ProduceRequest.validateRecords): a batch that is not magic 2 is an invalid record.
        assertThat(produceError(records)).isEqualTo(Errors.INVALID_RECORD);
    }

    @Test
    void produceToUnknownTopicGetsUnknownTopicOrPartition() throws Exception {
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord("k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8)));
        assertThat(produceError("no-such-topic", records)).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
    }

    @Test
    void invalidTopicNamesAndPartitionCountsAreRejected() {
        Admin admin = broker.admin();
        assertThat(admin.createTopics(List.of(new NewTopic("bad/name", 1, (short) 1))).all())
                .failsWithin(Duration.ofSeconds(10)).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(InvalidTopicException.class);
        assertThat(admin.createTopics(List.of(new NewTopic("x".repeat(250), 1, (short) 1))).all())
                .failsWithin(Duration.ofSeconds(10)).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(InvalidTopicException.class);
        assertThat(admin.createTopics(List.of(new NewTopic("zero-partitions", 0, (short) 1))).all())
                .failsWithin(Duration.ofSeconds(10)).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(InvalidPartitionsException.class);
        assertThat(admin.createTopics(List.of(new NewTopic("three-replicas", 1, (short) 3))).all())
                .failsWithin(Duration.ofSeconds(10)).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(InvalidReplicationFactorException.class);
    }

    @Test
    void apiVersionsListsEveryServedApi() throws Exception {
        try (RawKafkaConnection raw = new RawKafkaConnection(broker.bootstrapServers())) {
            ApiVersionsResponse response = (ApiVersionsResponse) raw.roundTrip(
                    new ApiVersionsRequest(new ApiVersionsRequestData()
                            .setClientSoftwareName("raw-test").setClientSoftwareVersion("1.0"), (short) 3));
            assertThat(response.data().apiKeys()).extracting(k -> ApiKeys.forId(k.apiKey())).contains(
                    ApiKeys.PRODUCE, ApiKeys.FETCH, ApiKeys.LIST_OFFSETS, ApiKeys.METADATA, ApiKeys.API_VERSIONS,
                    ApiKeys.CREATE_TOPICS, ApiKeys.DELETE_TOPICS, ApiKeys.INIT_PRODUCER_ID);
            assertThat(response.data().apiKeys().find(ApiKeys.PRODUCE.id).minVersion()).isZero();
        }
    }

    private static Errors produceError(MemoryRecords records) throws Exception {
        return produceError(TOPIC, records);
    }

    private static Errors produceError(String topic, MemoryRecords records) throws Exception {
        try (RawKafkaConnection raw = new RawKafkaConnection(broker.bootstrapServers())) {
            ProduceResponse response = (ProduceResponse) raw.roundTrip(produceRequest(topic, records));
            ProduceResponseData.PartitionProduceResponse partition =
                    response.data().responses().iterator().next().partitionResponses().get(0);
            return Errors.forCode(partition.errorCode());
        }
    }

    private static ProduceRequest produceRequest(MemoryRecords records) {
        return produceRequest(TOPIC, records);
    }

    private static ProduceRequest produceRequest(String topic, MemoryRecords records) {
        ProduceRequestData data = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(10_000);
        ProduceRequestData.TopicProduceData topicData = new ProduceRequestData.TopicProduceData().setName(topic);
        topicData.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records));
        data.topicData().add(topicData);
        return new ProduceRequest(data, (short) 12);
    }
}
