package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.testkit.StrandNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every advertised API, at every advertised version, fed truncated, oversized-count and bit-flipped
 * requests (seeded, so a failure replays). Each answer is a well-formed response or a closed
 * connection; afterwards the broker still serves clients and the log holds what it held.
 */
class EveryHandlerBadInputIT {

    private static final String TOPIC = "fuzz-guarded";
    private static final int MUTATIONS_PER_VERSION = 6;

    @TempDir
    Path dataDir;

    @Test
    void mangledRequestsToEveryHandlerLeaveTheBrokerServingAndTheLogIntact() throws Exception {
        try (StrandNode node = StrandNode.start(dataDir, Map.of("auto.create.topics.enable", "false"))) {
            String bootstrap = node.bootstrapServers();
            try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", bootstrap))) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
            }
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
                    new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < 5; i++) {
                    producer.send(new ProducerRecord<>(TOPIC, 0, "k" + i, "v" + i)).get();
                }
            }
            List<ApiVersion> apis;
            try (RawKafkaConnection raw = new RawKafkaConnection(bootstrap)) {
                ApiVersionsResponse versions = (ApiVersionsResponse) raw.roundTrip(new ApiVersionsRequest(
                        new ApiVersionsRequestData().setClientSoftwareName("fuzz").setClientSoftwareVersion("1"), (short) 3));
                apis = new ArrayList<>(versions.data().apiKeys());
            }
            Random random = new Random(20261123);
            int sent = 0;
            for (ApiVersion api : apis) {
                ApiKeys key = ApiKeys.forId(api.apiKey());
                short min = (short) Math.max(api.minVersion(), key.oldestVersion());
                for (short version = min; version <= api.maxVersion(); version++) {
                    byte[] body = serializedDefault(key, version);
                    for (int m = 0; m < MUTATIONS_PER_VERSION; m++) {
                        sendAndSurvive(bootstrap, key, version, mutate(body, m, random));
                        sent++;
                    }
                }
            }
            assertThat(sent).isGreaterThan(100);
            assertLogIntact(bootstrap);
        }
    }

    private static byte[] serializedDefault(ApiKeys key, short version) {
        ApiMessage message = ApiMessageType.fromApiKey(key.id).newRequest();
        ByteBuffer buffer = MessageUtil.toByteBufferAccessor(message, version).buffer();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    /** Kinds of damage: cut short, huge array/string lengths, random bit flips, random tail garbage. */
    private static byte[] mutate(byte[] body, int kind, Random random) {
        switch (kind % 4) {
            case 0 -> {
                return java.util.Arrays.copyOf(body, body.length == 0 ? 0 : random.nextInt(body.length));
            }
            case 1 -> {
                byte[] result = body.length < 4 ? new byte[8] : body.clone();
                int at = random.nextInt(result.length - 3);
                ByteBuffer.wrap(result, at, 4).putInt(0x7fff_fff0 - random.nextInt(16));
                return result;
            }
            case 2 -> {
                byte[] result = body.length == 0 ? new byte[16] : body.clone();
                for (int i = 0; i < 1 + random.nextInt(4); i++) {
                    result[random.nextInt(result.length)] ^= (byte) (1 << random.nextInt(8));
                }
                return result;
            }
            default -> {
                byte[] tail = new byte[1 + random.nextInt(64)];
                random.nextBytes(tail);
                byte[] result = java.util.Arrays.copyOf(body, body.length + tail.length);
                System.arraycopy(tail, 0, result, body.length, tail.length);
                return result;
            }
        }
    }

    private static void sendAndSurvive(String bootstrap, ApiKeys key, short version, byte[] body) throws IOException {
        try (RawKafkaConnection raw = new RawKafkaConnection(bootstrap, 500)) {
            raw.sendRaw(key, version, body);
            try {
                byte[] frame = raw.readFrame();
                assertThat(frame.length).as("%s v%d answered", key, version).isGreaterThanOrEqualTo(4);
            } catch (java.net.SocketTimeoutException noAnswerYet) {
                // acks=0 produce has no answer, and a long poll answers later: both are legal.
            } catch (IOException closed) {
                // A closed connection is a correct answer to a request that cannot be parsed.
            }
        }
        // The broker still answers a well-formed request on a fresh connection.
        try (RawKafkaConnection probe = new RawKafkaConnection(bootstrap)) {
            ApiVersionsResponse ok = (ApiVersionsResponse) probe.roundTrip(new ApiVersionsRequest(
                    new ApiVersionsRequestData().setClientSoftwareName("probe").setClientSoftwareVersion("1"), (short) 3));
            assertThat(ok.data().errorCode()).as("after %s v%d", key, version).isZero();
        }
    }

    private static void assertLogIntact(String bootstrap) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.currentTimeMillis() + 15_000;
            while (records.size() < 5 && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            assertThat(consumer.endOffsets(List.of(tp))).containsEntry(tp, 5L);
        }
        assertThat(records).extracting(ConsumerRecord::value).containsExactly("v0", "v1", "v2", "v3", "v4");
    }
}
