package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.BatchIndexAndErrorMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.ByteBufferOutputStream;
import org.apache.kafka.common.utils.ByteUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What a hostile client can send the produce path, and that the log and the groups survive it, seen
 * by real clients: a batch with a valid CRC whose record lies about its value length (uncompressed and
 * in every codec), a record without key in a compacted topic, and client writes to
 * {@code __consumer_offsets}.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class PoisonRecordIT {

    private static final short PRODUCE_VERSION = 12;
    private static final int RECORDS_OFFSET = 61;

    @RegisterExtension
    static final BrokerUnderTest broker = BrokerUnderTest.chosenForTheRun();

    @AfterEach
    void killLeftoverClients() {
        ChildProcess.killLeftovers();
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void aRecordThatLiesIsRefusedAndThePartitionStaysReadable(CompressionType codec) throws Exception {
        String topic = "poison-" + codec.name;
        Topics.create(broker.bootstrapServers(), topic, 1);
        TopicPartition tp = new TopicPartition(topic, 0);
        produce(topic, codec, "before-0", "before-1");

        ProduceResponseData.PartitionProduceResponse response = rawProduce(topic, poisonBatch(codec));

        assertThat(Errors.forCode(response.errorCode())).isEqualTo(Errors.INVALID_RECORD);
        assertThat(response.recordErrors()).isEmpty();
        produce(topic, codec, "after-0", "after-1");
        assertThat(readWithJavaConsumer(tp, 4)).containsExactly("before-0", "before-1", "after-0", "after-1");
        assertThat(endOffset(tp)).isEqualTo(4L);
        String kcatPath = Tools.requireKcat().toString();
        ChildProcess.Result kcat = ChildProcess.of(kcatPath, "-b", broker.bootstrapServers(), "-C", "-t", topic, "-p", "0", "-o", "beginning",
                "-e", "-q", "-f", "%s\\n").timeout(Duration.ofSeconds(30)).run().assertSuccess();
        assertThat(kcat.stdout().lines().toList()).containsExactly("before-0", "before-1", "after-0", "after-1");
    }

    @Test
    void aRecordWithoutKeyInACompactedTopicIsNamedInTheResponse() throws Exception {
        String topic = "poison-compacted";
        Topics.create(broker.bootstrapServers(), topic, 1, Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord(System.currentTimeMillis(), bytes("k"), bytes("v")),
                new SimpleRecord(System.currentTimeMillis(), null, bytes("v")));

        ProduceResponseData.PartitionProduceResponse response = rawProduce(topic, records);

        assertThat(Errors.forCode(response.errorCode())).isEqualTo(Errors.INVALID_RECORD);
        assertThat(response.recordErrors()).extracting(BatchIndexAndErrorMessage::batchIndex).containsExactly(1);
        assertThat(response.errorMessage()).isNotBlank();
        assertThat(endOffset(new TopicPartition(topic, 0))).isZero();
    }

    @Test
    void clientsCannotWriteToTheOffsetsTopicAndGroupsKeepWorking() throws Exception {
        String topic = "poison-groups";
        Topics.create(broker.bootstrapServers(), topic, 1);
        TopicPartition tp = new TopicPartition(topic, 0);
        produce(topic, CompressionType.NONE, "a", "b", "c");
        commit("poison-group", tp, 1);

        try (KafkaProducer<String, String> producer = producer(CompressionType.NONE)) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(Topic.GROUP_METADATA_TOPIC_NAME, 0, "junk", "junk"))
                    .get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(InvalidTopicException.class);
        }
        String kcatPath = Tools.requireKcat().toString();
        ChildProcess.Result kcat = ChildProcess.of(kcatPath, "-b", broker.bootstrapServers(), "-P", "-t", Topic.GROUP_METADATA_TOPIC_NAME,
                "-p", "0").stdin("junk\n").timeout(Duration.ofSeconds(30)).run();
        assertThat(kcat.exitCode()).as("kcat: %s", kcat.stderr()).isNotZero();
        assertThat(kcat.stderr()).containsIgnoringCase("invalid topic");

        assertThat(committed("poison-group", tp)).isEqualTo(1L);
        commit("poison-group", tp, 3);
        commit("poison-group-2", tp, 2);
        assertThat(committed("poison-group", tp)).isEqualTo(3L);
        assertThat(committed("poison-group-2", tp)).isEqualTo(2L);
    }

    /**
     * Three records "poison-0..2" in {@code codec}, the middle one's value length four bytes longer than
     * its value; the batch's length and CRC are those of the bytes as sent.
     */
    private static MemoryRecords poisonBatch(CompressionType codec) {
        long now = System.currentTimeMillis();
        ByteBuffer plain = MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord(now, bytes("k0"), bytes("poison-0")),
                new SimpleRecord(now, bytes("k1"), bytes("poison-1")),
                new SimpleRecord(now, bytes("k2"), bytes("poison-2"))).buffer();
        byte[] records = new byte[plain.remaining() - RECORDS_OFFSET];
        plain.duplicate().position(RECORDS_OFFSET).get(records);
        ByteBuffer section = ByteBuffer.wrap(records);
        section.position(ByteUtils.readVarint(section) + section.position()); // past record 0
        ByteUtils.readVarint(section); // record 1's length
        section.get(); // attributes
        ByteUtils.readVarlong(section); // timestamp delta
        ByteUtils.readVarint(section); // offset delta
        int keyLength = ByteUtils.readVarint(section);
        section.position(section.position() + keyLength);
        int valueLengthAt = section.position();
        int valueLength = ByteUtils.readVarint(section);
        records[valueLengthAt] = (byte) ((valueLength + 4) << 1); // one-byte zig-zag varint
        byte[] body = codec == CompressionType.NONE ? records : compress(codec, records);
        ByteBuffer batch = ByteBuffer.allocate(RECORDS_OFFSET + body.length);
        batch.put(plain.duplicate().limit(RECORDS_OFFSET)).put(body).flip();
        batch.putInt(8, batch.limit() - 12);
        batch.putShort(21, (short) ((batch.getShort(21) & ~0x07) | codec.id));
        CRC32C crc = new CRC32C();
        crc.update(batch.duplicate().position(21));
        batch.putInt(17, (int) crc.getValue());
        MemoryRecords poison = MemoryRecords.readableRecords(batch);
        poison.batches().iterator().next().ensureValid();
        return poison;
    }

    private static byte[] compress(CompressionType codec, byte[] bytes) {
        ByteBufferOutputStream sink = new ByteBufferOutputStream(1024);
        try (OutputStream out = Compression.of(codec).build().wrapForOutput(sink, RecordBatch.MAGIC_VALUE_V2)) {
            out.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ByteBuffer compressed = sink.buffer().flip();
        byte[] result = new byte[compressed.remaining()];
        compressed.get(result);
        return result;
    }

    private static ProduceResponseData.PartitionProduceResponse rawProduce(String topic, MemoryRecords records)
            throws IOException {
        ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(10_000);
        ProduceRequestData.TopicProduceData topicData = new ProduceRequestData.TopicProduceData().setName(topic);
        topicData.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records));
        data.topicData().add(topicData);
        try (RawKafkaConnection connection = new RawKafkaConnection(broker.bootstrapServers())) {
            ProduceResponse response = (ProduceResponse) connection.roundTrip(
                    new ProduceRequest.Builder(PRODUCE_VERSION, PRODUCE_VERSION, data).build(PRODUCE_VERSION));
            return response.data().responses().iterator().next().partitionResponses().get(0);
        }
    }

    private static KafkaProducer<String, String> producer(CompressionType codec) {
        Properties props = new Properties();
        props.put("bootstrap.servers", broker.bootstrapServers());
        props.put("acks", "all");
        props.put("compression.type", codec.name);
        props.put("delivery.timeout.ms", "30000");
        props.put("request.timeout.ms", "10000");
        props.put("max.block.ms", "30000");
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    private static void produce(String topic, CompressionType codec, String... values) throws Exception {
        try (KafkaProducer<String, String> producer = producer(codec)) {
            for (String value : values) {
                producer.send(new ProducerRecord<>(topic, 0, "k", value)).get(30, TimeUnit.SECONDS);
            }
        }
    }

    private static KafkaConsumer<String, String> consumer(String groupId) {
        Properties props = new Properties();
        props.put("bootstrap.servers", broker.bootstrapServers());
        props.put("enable.auto.commit", "false");
        props.put("auto.offset.reset", "earliest");
        props.put("check.crcs", "true");
        if (groupId != null) {
            props.put("group.id", groupId);
        }
        return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    }

    /** Every value of {@code tp} from offset 0, read by the Java consumer, which fails on a record it cannot parse. */
    private static List<String> readWithJavaConsumer(TopicPartition tp, int expected) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = consumer(null)) {
            consumer.assign(List.of(tp));
            consumer.seek(tp, 0);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    values.add(r.value());
                }
            }
            assertThat(consumer.poll(Duration.ofMillis(500))).isEmpty();
        }
        return values;
    }

    private static long endOffset(TopicPartition tp) {
        try (KafkaConsumer<String, String> consumer = consumer(null)) {
            return consumer.endOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
        }
    }

    private static void commit(String groupId, TopicPartition tp, long offset) {
        try (KafkaConsumer<String, String> consumer = consumer(groupId)) {
            consumer.commitSync(Map.of(tp, new OffsetAndMetadata(offset)), Duration.ofSeconds(30));
        }
    }

    private static long committed(String groupId, TopicPartition tp) {
        try (KafkaConsumer<String, String> consumer = consumer(groupId)) {
            OffsetAndMetadata committed = consumer.committed(Set.of(tp), Duration.ofSeconds(30)).get(tp);
            return committed == null ? -1L : committed.offset();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
