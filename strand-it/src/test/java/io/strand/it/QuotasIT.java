package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.ThrottlingQuotaExceededException;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.quota.ClientQuotaFilter;
import org.apache.kafka.common.quota.ClientQuotaFilterComponent;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Client quotas end to end (the ip quotas' enforcement is in {@link HostileClientsIT}): set, described
 * and deleted with Kafka's {@code kafka-configs} (4.3.1, run
 * as a child JVM as {@code bin/kafka-configs.sh} runs it) and the Admin API, and enforced on the Java
 * producer and consumer, which honour the throttle time they are answered (KIP-219), and on topic
 * creation past a {@code controller_mutation_rate} (KIP-599). An acks=0 producer past its byte rate,
 * answered nothing, has its connection muted all the same (raw socket).
 *
 * <p>Rates are measured over Kafka's default windows (11 of 1 s): until 10 s have passed, a client's
 * rate is its bytes over at least 10 s, so in {@code T} seconds a client under quota Q moves at most about
 * {@code Q · (max(T, 10) + 10)} bytes (the last term: one fetch may be as large as the quota lets
 * through at once). Without throttling, the same loops move tens of times more on loopback.
 *
 * <p>Takes 33–43 s against Strand (the measured 4 s and 3 s loops, feeding the consumer, a 2 s mute, five tool
 * JVMs of 2–3 s each); {@code -Dstrand.it.broker=kafka} runs it against Apache Kafka 4.3.1 (about 40–55 s).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class QuotasIT {

    private static final String CONFIG_COMMAND = "kafka.admin.ConfigCommand";
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(45);
    private static final long QUOTA_BYTES_PER_SECOND = 100_000;
    private static final int RECORD_BYTES = 1_000;

    @RegisterExtension
    static final BrokerUnderTest broker = BrokerUnderTest.chosenForTheRun();

    @AfterEach
    void killLeftoverClients() {
        ChildProcess.killLeftovers();
    }

    @Test
    void kafkaConfigsSetsDescribesAndDeletesQuotas() throws Exception {
        configs("--alter", "--add-config", "producer_byte_rate=1024,consumer_byte_rate=2048",
                "--entity-type", "clients", "--entity-name", "cli-client");
        configs("--alter", "--add-config", "producer_byte_rate=4096", "--entity-type", "users", "--entity-name", "alice",
                "--entity-type", "clients", "--entity-name", "cli-client");
        configs("--alter", "--add-config", "request_percentage=50", "--entity-type", "users", "--entity-default");
        configs("--alter", "--add-config", "connection_creation_rate=50", "--entity-type", "ips", "--entity-name",
                "10.1.2.3");

        Map<ClientQuotaEntity, Map<String, Double>> all =
                broker.admin().describeClientQuotas(ClientQuotaFilter.all()).entities().get();
        assertThat(all).containsEntry(new ClientQuotaEntity(Map.of("user", "alice", "client-id", "cli-client")),
                Map.of("producer_byte_rate", 4096.0));
        assertThat(all).containsEntry(new ClientQuotaEntity(Map.of("client-id", "cli-client")),
                Map.of("producer_byte_rate", 1024.0, "consumer_byte_rate", 2048.0));
        Map<String, String> defaultUser = new HashMap<>();
        defaultUser.put("user", null);
        assertThat(all).containsEntry(new ClientQuotaEntity(defaultUser), Map.of("request_percentage", 50.0));
        assertThat(all).containsEntry(new ClientQuotaEntity(Map.of("ip", "10.1.2.3")),
                Map.of("connection_creation_rate", 50.0));

        configs("--alter", "--delete-config", "producer_byte_rate", "--entity-type", "clients",
                "--entity-name", "cli-client");

        assertThat(configs("--describe", "--entity-type", "clients", "--entity-name", "cli-client").stdout())
                .contains("client-id 'cli-client'").contains("consumer_byte_rate=2048.0")
                .doesNotContain("producer_byte_rate");
        ClientQuotaAlteration unknownKey = new ClientQuotaAlteration(
                new ClientQuotaEntity(Map.of("client-id", "cli-client")),
                List.of(new ClientQuotaAlteration.Op("no_such_quota", 1.0)));
        assertThatThrownBy(() -> broker.admin().alterClientQuotas(List.of(unknownKey)).all().get())
                .hasCauseInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("Invalid configuration key no_such_quota");
    }

    @Test
    void producerIsHeldToItsByteRateUntilTheQuotaIsRemoved() throws Exception {
        String clientId = "quota-producer";
        broker.admin().createTopics(List.of(new NewTopic("quota-produce", 1, (short) 1))).all().get();
        setClientQuota(clientId, "producer_byte_rate", (double) QUOTA_BYTES_PER_SECOND);

        KafkaProducer<byte[], byte[]> producer = producer(clientId);
        try {
            long seconds = 4;
            long acked = produceFor(producer, "quota-produce", Duration.ofSeconds(seconds));

            assertThat(acked).as("bytes acknowledged in %d s under %d B/s", seconds, QUOTA_BYTES_PER_SECOND)
                    .isLessThanOrEqualTo(QUOTA_BYTES_PER_SECOND * (10 + 10))
                    .isGreaterThanOrEqualTo(QUOTA_BYTES_PER_SECOND * seconds / 2);
            assertThat(metric(producer.metrics(), "produce-throttle-time-avg")).isGreaterThan(0.0);

            setClientQuota(clientId, "producer_byte_rate", null);
            // A throttle time answered before the removal may still hold the client back a little.
            long freed = produceFor(producer, "quota-produce", Duration.ofSeconds(3));
            assertThat(freed).as("bytes acknowledged in 3 s without the quota")
                    .isGreaterThan(QUOTA_BYTES_PER_SECOND * 30);
        } finally {
            producer.close(Duration.ZERO);
        }
    }

    @Test
    void consumerIsHeldToItsByteRate() throws Exception {
        String topic = "quota-fetch";
        broker.admin().createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        long produced = 4_000_000;
        try (KafkaProducer<byte[], byte[]> producer = producer("quota-feeder")) {
            for (long sent = 0; sent < produced; sent += RECORD_BYTES) {
                producer.send(new ProducerRecord<>(topic, new byte[RECORD_BYTES]));
            }
            producer.flush();
        }
        String clientId = "quota-consumer";
        setClientQuota(clientId, "consumer_byte_rate", (double) QUOTA_BYTES_PER_SECOND);

        try (KafkaConsumer<byte[], byte[]> consumer = consumer(clientId)) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long seconds = 4;
            long consumed = 0;
            long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() - deadlineNs < 0) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    consumed += record.serializedValueSize();
                }
            }

            assertThat(consumed).as("bytes consumed in %d s under %d B/s", seconds, QUOTA_BYTES_PER_SECOND)
                    .isLessThanOrEqualTo(QUOTA_BYTES_PER_SECOND * (10 + 10))
                    .isGreaterThanOrEqualTo(QUOTA_BYTES_PER_SECOND * seconds / 2);
            assertThat(metric(consumer.metrics(), "fetch-throttle-time-avg")).isGreaterThan(0.0);
        }
    }

    @Test
    void topicCreationPastTheControllerMutationRateIsRefused() throws Exception {
        String clientId = "quota-admin";
        // 1 partition/s over 11 windows of 1 s: a bucket of 11 partitions
        setClientQuota(clientId, "controller_mutation_rate", 1.0);
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        CreateTopicsOptions noRetry = new CreateTopicsOptions().retryOnQuotaViolation(false);
        try (Admin admin = Admin.create(props)) {
            // The first topic takes the bucket to -9, so the second, in the same request, is refused.
            CreateTopicsResult created = admin.createTopics(List.of(new NewTopic("quota-mutation-1", 20, (short) 1),
                    new NewTopic("quota-mutation-2", 1, (short) 1)), noRetry);

            created.values().get("quota-mutation-1").get();
            assertThatThrownBy(() -> created.values().get("quota-mutation-2").get())
                    .hasCauseInstanceOf(ThrottlingQuotaExceededException.class);
            // This client now waits out its throttle time (9 s) before its next request: ask with another.
            assertThat(broker.admin().listTopics().names().get()).contains("quota-mutation-1")
                    .doesNotContain("quota-mutation-2");
        }
    }

    @Test
    void acksZeroProducerPastItsByteRateIsMutedThoughNothingIsAnswered() throws Exception {
        String clientId = "quota-acks0";
        broker.admin().createTopics(List.of(new NewTopic("quota-acks0", 1, (short) 1))).all().get();
        setClientQuota(clientId, "producer_byte_rate", 10_000.0);
        awaitClientQuota(clientId, "producer_byte_rate");
        // 120 kB over the rate's 10 s floor is 12 kB/s: (12 - 10) / 10 of the 10 s window, a 2 s mute.
        // Nothing tells the client; the broker stops reading its connection for that long.
        ProduceRequestData data = new ProduceRequestData().setAcks((short) 0).setTimeoutMs(5_000);
        data.topicData().add(new ProduceRequestData.TopicProduceData().setName("quota-acks0").setPartitionData(List.of(
                new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(MemoryRecords.withRecords(
                        Compression.NONE, new SimpleRecord(new byte[120_000]))))));
        try (RawKafkaConnection connection = new RawKafkaConnection(broker.bootstrapServers(), 15_000)) {
            long sentNs = System.nanoTime();
            connection.send(new ProduceRequest(data, (short) 9), clientId);
            // Requests are pipelined: one read before the produce is handled is answered right after it,
            // mute or not. Its answer is written once the produce has been handled and the mute begun, so
            // the request sent after that answer is read only when the mute ends, 2 s after the produce
            // was handled at the earliest, and so at least 2 s after it was sent.
            connection.roundTrip(new ApiVersionsRequest.Builder().build((short) 3));
            connection.roundTrip(new ApiVersionsRequest.Builder().build((short) 3));
            long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sentNs);

            assertThat(waitedMs).as("the request read after the produce waits out the mute").isBetween(2_000L, 8_000L);
            TopicPartition partition = new TopicPartition("quota-acks0", 0);
            assertThat(broker.admin().listOffsets(Map.of(partition, OffsetSpec.latest())).partitionResult(partition)
                    .get().offset()).as("the acks=0 batch appended").isEqualTo(1L);
        }
    }

    /** Sends 1 kB records for {@code duration}; the bytes of those acknowledged by then. */
    private static long produceFor(KafkaProducer<byte[], byte[]> producer, String topic, Duration duration) {
        AtomicLong acked = new AtomicLong();
        long deadlineNs = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() - deadlineNs < 0) {
            producer.send(new ProducerRecord<>(topic, new byte[RECORD_BYTES]), (metadata, error) -> {
                if (error == null && System.nanoTime() - deadlineNs < 0) {
                    acked.addAndGet(RECORD_BYTES);
                }
            });
        }
        return acked.get();
    }

    private static KafkaProducer<byte[], byte[]> producer(String clientId) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ProducerConfig.ACKS_CONFIG, "1");
        // A small buffer, so send() blocks while the producer is throttled instead of queueing far ahead.
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, "65536");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, "16384");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String clientId) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static double metric(Map<MetricName, ? extends Metric> metrics, String name) {
        return metrics.entrySet().stream()
                .filter(e -> e.getKey().name().equals(name) && !e.getKey().tags().containsKey("node-id"))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue())
                .filter(v -> !Double.isNaN(v))
                .max().orElse(0.0);
    }

    /** Sets (or with a null value removes) a quota of a client id through the Admin API. */
    private static void setClientQuota(String clientId, String key, Double value) throws Exception {
        broker.admin().alterClientQuotas(List.of(new ClientQuotaAlteration(
                new ClientQuotaEntity(Map.of("client-id", clientId)),
                List.of(new ClientQuotaAlteration.Op(key, value))))).all().get();
    }

    /** Until the broker answers {@code key} among the client's quotas: one request must meet the quota. */
    private static void awaitClientQuota(String clientId, String key) throws Exception {
        ClientQuotaFilter filter = ClientQuotaFilter.containsOnly(
                List.of(ClientQuotaFilterComponent.ofEntity("client-id", clientId)));
        long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!broker.admin().describeClientQuotas(filter).entities().get().values().stream()
                .anyMatch(quotas -> quotas.containsKey(key))) {
            assertThat(System.nanoTime() - deadlineNs).as("quota %s of %s visible", key, clientId).isNegative();
            Thread.sleep(20);
        }
    }

    private static ChildProcess.Result configs(String... args) {
        return tool(args).assertSuccess();
    }

    /** Runs kafka-configs in a child JVM on this test's classpath. */
    private static ChildProcess.Result tool(String... args) {
        List<String> command = new ArrayList<>(List.of("--bootstrap-server", broker.bootstrapServers()));
        command.addAll(List.of(args));
        return ChildProcess.javaMain(CONFIG_COMMAND, command).timeout(TOOL_TIMEOUT).run();
    }
}
