package io.strand.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A three-node Apache Kafka cluster in the lab ({@link KafkaChaosCluster}): it takes acks=all writes,
 * keeps taking them with its leader killed by the {@link Nemesis}, takes the node back, and every
 * acknowledged record reads back; a node whose disk fails or fills up halts and comes back. Needs root,
 * ip netns and nft, and Kafka's class path ({@code kafka.classpath.file}, written by the build); the disk
 * faults also need a {@link DiskLab}.
 *
 * <p>One cluster for the class (its start is most of the time here), its nodes' data on a disk lab
 * where one can be made; each test has a topic of its own and leaves every node running.
 */
class KafkaChaosClusterIT {

    static final String PREFIX = System.getProperty("chaos.kafka.lab.prefix", "strandkl");
    static final int SUBNET = Integer.getInteger("chaos.kafka.lab.subnet", 4);
    static final String TOPIC = "kafka-chaos";

    @TempDir
    static Path dir;
    private static NetworkLab lab;
    private static DiskLab disks;
    private static KafkaChaosCluster cluster;
    private static Admin admin;

    @BeforeAll
    static void startCluster() throws Exception {
        FaultScheduleIT.requireLab(PREFIX);
        lab = NetworkLab.create(PREFIX, SUBNET, 3);
        disks = DiskLab.unusableBecause() == null ? DiskLab.create(PREFIX, dir.resolve("disks"), 3, 256L << 20) : null;
        KafkaChaosCluster.Builder builder = KafkaChaosCluster.builder(dir.resolve("nodes"), kafkaClassPath(), lab);
        if (disks != null) {
            builder.disks(disks);
        }
        cluster = builder.start();
        admin = admin(cluster);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        try (AutoCloseable l = lab; AutoCloseable d = disks; AutoCloseable c = cluster; AutoCloseable a = admin) {
            // closed in reverse order: the admin client, the cluster, the disks, the lab
        }
    }

    @Test
    void acknowledgedWritesSurviveTheLeadersKill() throws Exception {
        String topic = TOPIC + "-kill";
        assertThat(cluster.system()).isEqualTo("kafka");
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 3))).all().get(60, TimeUnit.SECONDS);
        Nemesis nemesis = new Nemesis(lab, cluster);
        List<String> acked = new ArrayList<>();
        try (KafkaProducer<String, String> producer = producer(cluster)) {
            acked.addAll(send(producer, topic, "before", 50, 0));
            int leader = leaderOf(admin, topic);
            Nemesis.Fault kill = nemesis.kill9(leader);
            kill.start();
            assertThat(cluster.isAlive(leader)).isFalse();
            acked.addAll(send(producer, topic, "during", 50, 0));
            assertThat(leaderOf(admin, topic)).as("the new leader").isNotEqualTo(leader);
            kill.stop();
            assertThat(cluster.isAlive(leader)).isTrue();
            acked.addAll(send(producer, topic, "after", 50, 0));
        }
        assertThat(readAll(cluster, topic, acked.size())).containsExactlyElementsOf(acked);
        Path copied = dir.resolve("copied");
        cluster.copyNodeLogs(copied);
        assertThat(Files.readString(copied.resolve("node-1/kafka.log"), StandardCharsets.UTF_8))
                .contains("Kafka Server started");
    }

    @Test
    void aNodeWhoseDiskFailsHaltsAndComesBack() throws Exception {
        DiskLabIT.requireDisks();
        String topic = TOPIC + "-disk";
        assertThat(cluster.dataDir(1)).isEqualTo(disks.dataDir(1));
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 3))).all().get(60, TimeUnit.SECONDS);
        Nemesis nemesis = new Nemesis(lab, cluster, disks);
        List<String> acked = new ArrayList<>();
        try (KafkaProducer<String, String> producer = producer(cluster)) {
            acked.addAll(send(producer, topic, "before", 50, 0));
            int victim = 1 + leaderOf(admin, topic) % 3; // a follower

            Nemesis.Fault failing = nemesis.diskErrors(victim);
            failing.start();
            acked.addAll(send(producer, topic, "failing", 50, 0));
            // Kafka halts a node whose only log dir (and metadata log) fails.
            await("kafka node " + victim + " halts").atMost(Duration.ofSeconds(60))
                    .until(() -> !cluster.isAlive(victim));
            failing.stop();
            assertThat(cluster.isAlive(victim)).isTrue();

            Nemesis.Fault full = nemesis.diskFull(victim);
            full.start();
            acked.addAll(send(producer, topic, "full", 1_000, 4_096)); // 4 MB: the follower needs new blocks
            // Kafka halts a node whose only log dir fails a write, ENOSPC as much as EIO.
            await("kafka node " + victim + " halts on a full disk").atMost(Duration.ofSeconds(60))
                    .until(() -> !cluster.isAlive(victim));
            full.stop();
            assertThat(cluster.isAlive(victim)).isTrue();
            acked.addAll(send(producer, topic, "after", 50, 0));
        }
        assertThat(readAll(cluster, topic, acked.size())).containsExactlyElementsOf(acked);
        assertThat(nemesis.history()).anyMatch(line -> line.contains("stop: fill the disk of node"));
    }

    /** Kafka's jars and runtime dependencies, as the build wrote them. */
    static String kafkaClassPath() throws Exception {
        String file = System.getProperty("kafka.classpath.file");
        assertThat(file).as("kafka.classpath.file (set by the build)").isNotNull();
        return Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
    }

    static Admin admin(ChaosCluster cluster) {
        return Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000));
    }

    static KafkaProducer<String, String> producer(ChaosCluster cluster) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000),
                new StringSerializer(), new StringSerializer());
    }

    /** Sends {@code count} records named {@code name-i} and waits for each acknowledgement; returns the values. */
    static List<String> send(KafkaProducer<String, String> producer, String name, int count) throws Exception {
        return send(producer, name, count, 0);
    }

    /** As {@link #send(KafkaProducer, String, int)}, each value padded with {@code padBytes} dots (to take disk blocks). */
    static List<String> send(KafkaProducer<String, String> producer, String name, int count, int padBytes)
            throws Exception {
        return send(producer, TOPIC, name, count, padBytes);
    }

    /** As {@link #send(KafkaProducer, String, int, int)}, to partition 0 of {@code topic}. */
    static List<String> send(KafkaProducer<String, String> producer, String topic, String name, int count,
                             int padBytes) throws Exception {
        List<String> values = new ArrayList<>();
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        String pad = ".".repeat(padBytes);
        for (int i = 0; i < count; i++) {
            String value = name + "-" + i + pad;
            values.add(value);
            sends.add(producer.send(new ProducerRecord<>(topic, 0, null, value)));
        }
        for (Future<RecordMetadata> send : sends) {
            send.get(90, TimeUnit.SECONDS);
        }
        return values;
    }

    static int leaderOf(Admin admin) throws Exception {
        return leaderOf(admin, TOPIC);
    }

    static int leaderOf(Admin admin, String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                .get(topic).partitions().get(0).leader().id();
    }

    static List<String> readAll(ChaosCluster cluster, int expected) {
        return readAll(cluster, TOPIC, expected);
    }

    /** Every record of partition 0 of {@code topic} from the beginning, until {@code expected} or 60 s. */
    static List<String> readAll(ChaosCluster cluster, String topic, int expected) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new StringDeserializer())) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    values.add(record.value());
                }
            }
        }
        return values;
    }
}
