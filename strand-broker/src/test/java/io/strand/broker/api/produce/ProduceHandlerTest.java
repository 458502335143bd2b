package io.strand.broker.api.produce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.broker.network.CloseConnectionException;
import io.strand.broker.network.RequestContext;
import io.strand.broker.quota.ClientQuotaManager;
import io.strand.broker.quota.QuotaType;
import io.strand.broker.quota.QuotaWindows;
import io.strand.broker.txn.TransactionVerifier;
import io.strand.common.time.ManualTime;
import io.strand.broker.replica.LogConfigResolver;
import io.strand.broker.replica.ReplicaManager;
import io.strand.common.config.BrokerConfig;
import io.strand.metadata.image.MetadataDelta;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.record.ClientQuotaRecord;
import io.strand.metadata.record.ConfigRecord;
import io.strand.metadata.record.Endpoint;
import io.strand.metadata.record.MetadataRecord;
import io.strand.metadata.record.PartitionRecord;
import io.strand.metadata.record.RegisterBrokerRecord;
import io.strand.metadata.record.TopicRecord;
import io.strand.storage.LogManager;
import io.strand.storage.LogManagerConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.zip.CRC32C;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.BatchIndexAndErrorMessage;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProduceHandlerTest {

    private static final int NODE_ID = 1;
    private static final Uuid OFFSETS_ID = new Uuid(1L, 1L);
    private static final Uuid EVENTS_ID = new Uuid(2L, 2L);
    private static final Uuid COMPACTED_ID = new Uuid(3L, 3L);
    /** Segments of one batch each (by time): the next append with a later timestamp rolls. */
    private static final Uuid SMALL_SEGMENTS_ID = new Uuid(4L, 4L);

    @TempDir
    Path tmp;
    private LogManager logManager;
    private ReplicaManager replicaManager;
    private ProduceHandler handler;
    private MetadataImage image;

    @BeforeEach
    void setUp() {
        List<MetadataRecord> records = new ArrayList<>();
        records.add(new RegisterBrokerRecord(NODE_ID, new Uuid(7L, NODE_ID),
                List.of(new Endpoint("PLAINTEXT", "broker-host", 9092, "PLAINTEXT")), null));
        addTopic(records, Topic.GROUP_METADATA_TOPIC_NAME, OFFSETS_ID);
        addTopic(records, "events", EVENTS_ID);
        addTopic(records, "compacted", COMPACTED_ID);
        records.add(new ConfigRecord(ConfigResource.Type.TOPIC, "compacted", TopicConfig.CLEANUP_POLICY_CONFIG,
                TopicConfig.CLEANUP_POLICY_COMPACT));
        addTopic(records, "small-segments", SMALL_SEGMENTS_ID);
        records.add(new ConfigRecord(ConfigResource.Type.TOPIC, "small-segments", TopicConfig.SEGMENT_MS_CONFIG,
                "1"));
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        delta.replayAll(records);
        delta.replay(ClientQuotaRecord.set(Map.of("client-id", "slow"), QuotaType.PRODUCE.key(), 1));
        image = delta.apply(records.size() + 1);
        logManager = new LogManager(LogManagerConfig.withDefaults(List.of(tmp)), Time.SYSTEM);
        logManager.startup();
        replicaManager = new ReplicaManager(NODE_ID, logManager, new LogConfigResolver(BrokerConfig.defaults()));
        replicaManager.start(image);
        handler = new ProduceHandler(replicaManager, () -> image);
    }

    private static void addTopic(List<MetadataRecord> records, String name, Uuid id) {
        records.add(new TopicRecord(name, id));
        records.add(new PartitionRecord(id, 0, List.of(NODE_ID), List.of(NODE_ID), NODE_ID, 0, 0));
    }

    @AfterEach
    void tearDown() {
        logManager.close();
    }

    private PartitionProduceResponse produce(String clientId, short version, String topic, Uuid topicId,
                                             MemoryRecords records) {
        ProduceResponseData response = produce(handler, (short) -1, clientId, version, topic, topicId, records).join();
        ProduceResponseData read = (ProduceResponseData) AbstractResponse.parseResponse(ApiKeys.PRODUCE,
                MessageUtil.toByteBufferAccessor(response, version), version).data();
        return read.responses().iterator().next().partitionResponses().get(0);
    }

    private static java.util.concurrent.CompletableFuture<ProduceResponseData> produce(
            ProduceHandler handler, short acks, String clientId, short version, String topic, Uuid topicId,
            MemoryRecords records) {
        ProduceRequestData data = new ProduceRequestData().setAcks(acks).setTimeoutMs(1000);
        ProduceRequestData.TopicProduceData topicData = new ProduceRequestData.TopicProduceData()
                .setName(version < 13 ? topic : "").setTopicId(version < 13 ? Uuid.ZERO_UUID : topicId);
        topicData.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records));
        data.topicData().add(topicData);
        // As parsed off the wire: the builder would refuse what the handler must answer.
        ProduceRequest request = new ProduceRequest(data, version);
        RequestContext context = new RequestContext(new RequestHeader(ApiKeys.PRODUCE, version, clientId, 1),
                new InetSocketAddress("127.0.0.1", 40000), "PLAINTEXT", 0L, null);
        return handler.handle(context, request);
    }

    @Test
    void anAcksZeroRequestIsAnsweredUnwrittenWithItsThrottleTimeAndClosesOnError() {
        ProduceHandler throttling = new ProduceHandler(replicaManager, () -> image, TransactionVerifier.NONE,
                Runnable::run, new ClientQuotaManager(QuotaType.PRODUCE, QuotaWindows.DEFAULT, image::clientQuotas,
                        new ManualTime()));

        ProduceResponseData answer = produce(throttling, (short) 0, "slow", (short) 12, "events", EVENTS_ID,
                records("a", "b", "c")).join();

        // The network layer writes nothing for acks=0, but mutes the connection for this long.
        assertThat(answer.throttleTimeMs()).isPositive();
        assertThat(logEndOffset("events")).isEqualTo(3);
        assertThatThrownBy(() -> produce(throttling, (short) 0, "slow", (short) 12, Topic.GROUP_METADATA_TOPIC_NAME,
                OFFSETS_ID, records("k")).join())
                .isInstanceOf(CompletionException.class).hasCauseInstanceOf(CloseConnectionException.class);
    }

    @Test
    void partitionsAreCheckedInKafkasOrderAndEachTopicAnsweredOnce() {
        // acks=2 is refused only for partitions that exist and carry one valid batch; an unknown partition
        // or an empty batch is refused first, and an internal topic only after acks.
        ProduceRequestData data = new ProduceRequestData().setAcks((short) 2).setTimeoutMs(1000);
        data.topicData().add(new ProduceRequestData.TopicProduceData().setName("events").setPartitionData(List.of(
                new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records("a")),
                new ProduceRequestData.PartitionProduceData().setIndex(5).setRecords(records("b")))));
        data.topicData().add(new ProduceRequestData.TopicProduceData().setName("compacted").setPartitionData(List.of(
                new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(MemoryRecords.EMPTY))));
        data.topicData().add(new ProduceRequestData.TopicProduceData().setName(Topic.GROUP_METADATA_TOPIC_NAME)
                .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData().setIndex(0)
                        .setRecords(records("c")))));
        data.topicData().add(new ProduceRequestData.TopicProduceData().setName("events").setPartitionData(List.of()));
        data.topicData().add(new ProduceRequestData.TopicProduceData().setName("nothing").setPartitionData(List.of()));
        ProduceRequest request = new ProduceRequest(data, (short) 9); // as parsed: the builder refuses an empty batch

        ProduceResponseData response = handler.handle(new RequestContext(new RequestHeader(ApiKeys.PRODUCE,
                (short) 9, "c", 1), new InetSocketAddress("127.0.0.1", 40000), "PLAINTEXT", 0L, null), request).join();

        assertThat(response.responses()).extracting(ProduceResponseData.TopicProduceResponse::name)
                .containsExactly("events", "compacted", Topic.GROUP_METADATA_TOPIC_NAME);
        assertThat(response.responses().find("events", Uuid.ZERO_UUID).partitionResponses())
                .extracting(PartitionProduceResponse::errorCode)
                .containsExactly(Errors.INVALID_REQUIRED_ACKS.code(), Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        assertThat(response.responses().find("compacted", Uuid.ZERO_UUID).partitionResponses().get(0).errorCode())
                .isIn(Errors.INVALID_RECORD.code(), Errors.CORRUPT_MESSAGE.code());
        assertThat(response.responses().find(Topic.GROUP_METADATA_TOPIC_NAME, Uuid.ZERO_UUID).partitionResponses()
                .get(0).errorCode()).isEqualTo(Errors.INVALID_REQUIRED_ACKS.code());
        assertThat(logEndOffset("events")).isZero();
    }

    private static MemoryRecords records(String... keys) {
        SimpleRecord[] records = new SimpleRecord[keys.length];
        for (int i = 0; i < keys.length; i++) {
            records[i] = new SimpleRecord(System.currentTimeMillis(),
                    keys[i] == null ? null : keys[i].getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8));
        }
        return MemoryRecords.withRecords(Compression.NONE, records);
    }

    private long logEndOffset(String topic) {
        return replicaManager.partition(new TopicPartition(topic, 0)).orElseThrow().log().logEndOffset();
    }

    @ParameterizedTest
    @ValueSource(strings = {"producer-1", "__admin_client"})
    void refusesClientAppendsToTheOffsetsTopic(String clientId) {
        for (short version : new short[] {3, 8, 12, 13}) {
            PartitionProduceResponse response = produce(clientId, version, Topic.GROUP_METADATA_TOPIC_NAME, OFFSETS_ID,
                    records("k"));

            assertThat(Errors.forCode(response.errorCode())).as("v%d", version).isEqualTo(Errors.INVALID_TOPIC_EXCEPTION);
            assertThat(response.baseOffset()).isEqualTo(-1L);
            if (version >= 8) {
                assertThat(response.errorMessage()).contains("internal topic");
            }
        }
        assertThat(logEndOffset(Topic.GROUP_METADATA_TOPIC_NAME)).isZero();
        assertThat(produce(clientId, (short) 12, "events", EVENTS_ID, records("k")).errorCode())
                .isEqualTo(Errors.NONE.code());
    }

    @Test
    void returnsAnErrorPerRecordWithoutKeyInACompactedTopic() {
        PartitionProduceResponse response = produce("producer-1", (short) 12, "compacted", COMPACTED_ID,
                records("a", null, "c", null));

        assertThat(Errors.forCode(response.errorCode())).isEqualTo(Errors.INVALID_RECORD);
        assertThat(response.recordErrors()).extracting(BatchIndexAndErrorMessage::batchIndex).containsExactly(1, 3);
        assertThat(response.recordErrors()).allSatisfy(e -> assertThat(e.batchIndexErrorMessage()).contains("key"));
        assertThat(response.errorMessage()).isNotBlank();
        assertThat(logEndOffset("compacted")).isZero();
    }

    @Test
    void oldVersionsGetTheErrorCodeWithoutRecordErrors() {
        PartitionProduceResponse response = produce("producer-1", (short) 7, "compacted", COMPACTED_ID,
                records("a", null));

        assertThat(Errors.forCode(response.errorCode())).isEqualTo(Errors.INVALID_RECORD);
        assertThat(response.recordErrors()).isEmpty();
    }

    @Test
    void aBatchLengthNearTwoToThe31IsCorruptMessage() {
        MemoryRecords lying = records("a", "b");
        lying.buffer().putInt(8, Integer.MAX_VALUE); // the batch length, after the base offset

        PartitionProduceResponse response = produce("producer-1", (short) 12, "events", EVENTS_ID, lying);

        assertThat(Errors.forCode(response.errorCode())).isEqualTo(Errors.CORRUPT_MESSAGE);
        assertThat(logEndOffset("events")).isZero();
        assertThat(produce("producer-1", (short) 12, "events", EVENTS_ID, records("k")).errorCode())
                .isEqualTo(Errors.NONE.code());
    }

    @Test
    void aRecordThatLiesIsInvalidRecordWithoutRecordErrors() {
        MemoryRecords poison = records("a", "b");
        ByteBuffer buf = poison.buffer();
        // record 0: length, attributes, timestampDelta, offsetDelta, keyLength 1 ("a"), key, valueLength
        int valueLengthAt = 61 + 6;
        assertThat(buf.get(valueLengthAt)).isEqualTo((byte) 2); // zig-zag 1
        buf.put(valueLengthAt, (byte) 8); // says 4 bytes of value
        CRC32C crc = new CRC32C();
        crc.update(buf.duplicate().position(21));
        buf.putInt(17, (int) crc.getValue());

        PartitionProduceResponse response = produce("producer-1", (short) 12, "events", EVENTS_ID, poison);

        assertThat(Errors.forCode(response.errorCode())).isEqualTo(Errors.INVALID_RECORD);
        assertThat(response.recordErrors()).isEmpty();
        assertThat(logEndOffset("events")).isZero();
    }

    @Test
    void aLogDirectoryThatFailsAnswersKafkaStorageErrorAndIsReported() throws IOException {
        assertThat(produce("producer-1", (short) 12, "small-segments", SMALL_SEGMENTS_ID, records("a", "b", "c"))
                .errorCode()).isEqualTo(Errors.NONE.code());
        Path partitionDir = tmp.resolve("small-segments-0");
        Files.createDirectories(partitionDir.resolve("00000000000000000003.log").resolve("in-the-way"));

        MemoryRecords later = MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord(System.currentTimeMillis() + 10_000, null, "d".getBytes(StandardCharsets.UTF_8)));
        PartitionProduceResponse response = produce("producer-1", (short) 12, "small-segments", SMALL_SEGMENTS_ID,
                later);

        assertThat(Errors.forCode(response.errorCode())).isEqualTo(Errors.KAFKA_STORAGE_ERROR);
        assertThat(response.baseOffset()).isEqualTo(-1L);
        assertThat(logManager.logDirFailureChannel().offlineLogDirs()).containsExactly(tmp);
    }

    @Test
    void acceptsAGoodBatchByTopicId() {
        PartitionProduceResponse response = produce("producer-1", (short) 13, "events", EVENTS_ID, records("a", "b"));

        assertThat(response.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(logEndOffset("events")).isEqualTo(2L);
    }

    /**
     * A producer's retry of a batch already in the log (acks=all) is answered as Kafka answers it: no
     * error, the original base offset, the log start offset and, as the append time, the original batch's
     * max timestamp (on a CreateTime topic too); never DUPLICATE_SEQUENCE_NUMBER and
     * never offset -1 (librdkafka reports offset -1 for DUPLICATE_SEQUENCE_NUMBER).
     */
    @Test
    void aRetriedIdempotentBatchIsAnsweredWithItsOriginalOffset() {
        produce("producer-1", (short) 12, "events", EVENTS_ID, records("x"));
        MemoryRecords firstBatch = idempotent(0, "a", "b");
        long firstMaxTimestamp = firstBatch.batches().iterator().next().maxTimestamp();
        PartitionProduceResponse first = produce("producer-1", (short) 12, "events", EVENTS_ID, firstBatch);
        PartitionProduceResponse second = produce("producer-1", (short) 12, "events", EVENTS_ID, idempotent(2, "c"));

        PartitionProduceResponse retryOfFirst = produce("producer-1", (short) 12, "events", EVENTS_ID,
                idempotent(0, "a", "b"));
        PartitionProduceResponse retryOfSecond = produce("producer-1", (short) 12, "events", EVENTS_ID,
                idempotent(2, "c"));

        assertThat(first.baseOffset()).isEqualTo(1L);
        assertThat(second.baseOffset()).isEqualTo(3L);
        assertThat(retryOfFirst.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(retryOfFirst.baseOffset()).isEqualTo(1L);
        assertThat(retryOfFirst.logStartOffset()).isZero();
        assertThat(first.logAppendTimeMs()).isEqualTo(-1L);
        assertThat(retryOfFirst.logAppendTimeMs()).as("the original batch's max timestamp, as Kafka answers")
                .isEqualTo(firstMaxTimestamp);
        assertThat(retryOfSecond.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(retryOfSecond.baseOffset()).isEqualTo(3L);
        assertThat(logEndOffset("events")).isEqualTo(4L);
    }

    private static MemoryRecords idempotent(int baseSequence, String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = new SimpleRecord(System.currentTimeMillis(), null, values[i].getBytes(StandardCharsets.UTF_8));
        }
        return MemoryRecords.withIdempotentRecords(Compression.NONE, 4_000L, (short) 0, baseSequence, records);
    }
}
