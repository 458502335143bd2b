package io.strand.server;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The workload of the run {@code ./strand} records its class-data archive from: Kafka's own Java
 * clients, in the node's JVM, create a topic, produce, consume in a group, commit and describe
 * what they did, through the node's real listener. The archive then holds the classes and linked
 * lambdas of the request paths too, not only those of start-up, so a node answers its first
 * requests without loading and verifying classes from the jars (about 70 ms for the first
 * Metadata request otherwise). With an HTTP listener it then reads, as Prometheus and the console
 * do, {@code /metrics}, the health endpoints, the console's page and the HTTP API's topics: a
 * node's first scrapes otherwise load and verify the metrics' classes from the jars (a fresh node's
 * first ten scrapes took about 0.4 s of CPU, a warm scrape about 15 ms).
 *
 * <p>Only for a node started on a scratch data directory: it leaves a topic and a group behind.
 */
final class TrainingRun {

    static final String TOPIC = "strand-training";
    private static final int PARTITIONS = 2;
    static final int RECORDS = 200;
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    private TrainingRun() {
    }

    /**
     * Runs the workload against {@code node}, and against its HTTP listener when it has one; throws if
     * a step fails or the deadline passes.
     */
    static void run(InetSocketAddress node, Optional<InetSocketAddress> http)
            throws ExecutionException, InterruptedException, TimeoutException, IOException {
        String bootstrap = node.getHostString() + ":" + node.getPort();
        long deadlineNs = System.nanoTime() + DEADLINE.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            await(admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1))).all(), deadlineNs);
            produce(bootstrap, deadlineNs);
            consume(bootstrap, deadlineNs);
            await(admin.describeCluster().nodes(), deadlineNs);
            await(admin.describeTopics(List.of(TOPIC)).allTopicNames(), deadlineNs);
            ConfigResource topicConfig = new ConfigResource(ConfigResource.Type.TOPIC, TOPIC);
            await(admin.describeConfigs(List.of(topicConfig)).all(), deadlineNs);
            await(admin.listOffsets(Map.of(new TopicPartition(TOPIC, 0), OffsetSpec.latest())).all(), deadlineNs);
            await(admin.listConsumerGroups().all(), deadlineNs);
            await(admin.describeConsumerGroups(List.of(TOPIC)).all(), deadlineNs);
            await(admin.listConsumerGroupOffsets(TOPIC).partitionsToOffsetAndMetadata(), deadlineNs);
        }
        if (http.isPresent()) {
            for (String path : HTTP_PATHS) {
                get(http.get(), path, deadlineNs);
            }
        }
    }

    /** What the HTTP step reads; twice /metrics, as a scraper does, so its second pass is archived too. */
    private static final List<String> HTTP_PATHS = List.of("/metrics", "/metrics", "/health/live", "/health/ready",
            "/ui/index.html", "/v3/clusters");

    /** GETs {@code path} over plain HTTP and reads the whole answer; throws unless it is 200. */
    private static void get(InetSocketAddress http, String path, long deadlineNs) throws IOException, TimeoutException {
        URL url = new URL("http", http.getHostString(), http.getPort(), path);
        HttpURLConnection connection = (HttpURLConnection) url.openConnection();
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE, remainingMs(deadlineNs));
        connection.setConnectTimeout(timeoutMs);
        connection.setReadTimeout(timeoutMs);
        try {
            int status = connection.getResponseCode();
            try (InputStream body = status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
                if (body != null) {
                    body.readAllBytes();
                }
            }
            if (status != 200) {
                throw new IOException("The training run's GET " + path + " answered " + status);
            }
        } finally {
            connection.disconnect();
        }
    }

    private static void produce(String bootstrap, long deadlineNs)
            throws ExecutionException, InterruptedException, TimeoutException {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        try (KafkaProducer<byte[], byte[]> producer =
                     new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<Future<?>> sends = new ArrayList<>();
            for (int i = 0; i < RECORDS; i++) {
                byte[] key = ("key-" + (i % 10)).getBytes(StandardCharsets.UTF_8);
                sends.add(producer.send(new ProducerRecord<>(TOPIC, key, new byte[100])));
            }
            for (Future<?> send : sends) {
                await(send, deadlineNs);
            }
        }
    }

    private static void consume(String bootstrap, long deadlineNs) throws TimeoutException {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, TOPIC);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(Set.of(TOPIC));
            int read = 0;
            while (read < RECORDS) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(remainingMs(deadlineNs)));
                read += records.count();
            }
            consumer.commitSync(Duration.ofMillis(remainingMs(deadlineNs)));
        }
    }

    /** Waits for one step of the workload, within what is left of the deadline. */
    private static <T> T await(Future<T> step, long deadlineNs)
            throws ExecutionException, InterruptedException, TimeoutException {
        return step.get(remainingMs(deadlineNs), TimeUnit.MILLISECONDS);
    }

    private static long remainingMs(long deadlineNs) throws TimeoutException {
        long ms = TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime());
        if (ms <= 0) {
            throw new TimeoutException("The training run did not finish within " + DEADLINE);
        }
        return ms;
    }
}
