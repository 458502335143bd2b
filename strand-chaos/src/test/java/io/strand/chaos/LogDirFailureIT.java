package io.strand.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strand.testkit.StrandCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker keeps serving when one of its log directories fails (KIP-858). Three nodes, each with two
 * log directories; the second directory of node {@link #VICTIM} is on a {@link DiskLab} filesystem.
 * Node {@link #VICTIM} is the preferred leader of every partition, so it leads partitions in both of
 * its directories. Under an idempotent acks=all producer, that filesystem starts answering EIO: the
 * node must stay up and keep leading the partitions of its healthy directory, the failed directory's
 * partitions must get other leaders (and lose it from their ISRs), DescribeLogDirs must answer the
 * failed directory with KAFKA_STORAGE_ERROR, and every acknowledged record must read back.
 *
 * <p>Runs in its own lab ({@code -Dchaos.lab.prefix}, default {@code strjb}; {@code -Dchaos.lab.subnet},
 * default 216: 10.213.216.0/24), so it does not collide with another lab on the machine.
 */
class LogDirFailureIT {

    private static final String PREFIX = System.getProperty("chaos.lab.prefix", "strjb");
    private static final int SUBNET = Integer.getInteger("chaos.lab.subnet", 216);
    private static final long SIZE = 256L << 20;
    private static final String TOPIC = "jbod";
    private static final int PARTITIONS = 6;
    private static final int VICTIM = 3;

    @TempDir
    Path dir;

    @Test
    void aNodeServesOnWhenOneOfItsLogDirectoriesFails() throws Exception {
        DiskLabIT.requireDisks();
        FaultScheduleIT.requireLab(PREFIX);
        try (NetworkLab lab = NetworkLab.create(PREFIX, SUBNET, 3);
             DiskLab disks = DiskLab.create(PREFIX, dir.resolve("disks"), 1, SIZE);
             StrandCluster strand = startStrand(lab, disks, dir.resolve("nodes"));
             Admin admin = KafkaChaosClusterIT.admin(new StrandChaosCluster(strand))) {
            ChaosCluster cluster = new StrandChaosCluster(strand);
            Path failingDir = disks.dataDir(1).resolve("logs");
            Map<Integer, List<Integer>> assignment = new TreeMap<>();
            for (int p = 0; p < PARTITIONS; p++) {
                assignment.put(p, List.of(VICTIM, 1 + p % 2, 2 - p % 2));
            }
            admin.createTopics(List.of(new NewTopic(TOPIC, assignment)
                    .configs(Map.of("min.insync.replicas", "2")))).all().get(60, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(60)).until(() -> leaders(admin).values().stream()
                    .allMatch(leader -> leader == VICTIM));
            // The controller names the leaders before the victim has opened their logs: wait for all six.
            await().atMost(Duration.ofSeconds(60)).until(() -> partitionsOf(admin).size() == PARTITIONS);
            Set<Integer> onFailingDir = partitionsIn(admin, failingDir);
            Set<Integer> onHealthyDir = new TreeSet<>();
            for (int p = 0; p < PARTITIONS; p++) {
                if (!onFailingDir.contains(p)) {
                    onHealthyDir.add(p);
                }
            }
            assertThat(onFailingDir).as("partitions of node %d on the failing disk", VICTIM).isNotEmpty();
            assertThat(onHealthyDir).as("partitions of node %d on its healthy disk", VICTIM).isNotEmpty();

            Map<Integer, List<String>> acked = new ConcurrentHashMap<>();
            AtomicReference<Exception> sendFailure = new AtomicReference<>();
            AtomicBoolean producing = new AtomicBoolean(true);
            AtomicInteger ackCount = new AtomicInteger();
            Thread producerThread = new Thread(() -> produce(cluster, producing, acked, ackCount, sendFailure),
                    "jbod-producer");
            producerThread.start();
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> ackCount.get() >= 500);

                disks.shutDown(1);
                System.out.println("node " + VICTIM + " log dir " + failingDir + " now answers EIO; partitions there: "
                        + onFailingDir);

                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                    Map<Integer, TopicPartitionInfo> partitions = describe(admin);
                    for (int p : onFailingDir) {
                        assertThat(partitions.get(p).leader()).as("leader of %d", p).isNotNull();
                        assertThat(partitions.get(p).leader().id()).as("leader of %d", p).isNotEqualTo(VICTIM);
                        assertThat(partitions.get(p).isr()).extracting(Node::id).as("ISR of %d", p)
                                .doesNotContain(VICTIM);
                    }
                    for (int p : onHealthyDir) {
                        assertThat(partitions.get(p).leader()).as("leader of %d", p).isNotNull();
                        assertThat(partitions.get(p).leader().id()).as("leader of %d", p).isEqualTo(VICTIM);
                    }
                });
                int ackedAtMove = ackCount.get();
                // Node VICTIM still takes writes for the partitions it leads, and the moved ones take them elsewhere.
                await().atMost(Duration.ofSeconds(60)).until(() -> ackCount.get() >= ackedAtMove + 500
                        && onHealthyDir.stream().allMatch(p -> acked.getOrDefault(p, List.of()).size() > 0));
                assertThat(cluster.isAlive(VICTIM)).as("node %d alive", VICTIM).isTrue();
                LogDirDescription failed = admin.describeLogDirs(List.of(VICTIM)).descriptions().get(VICTIM)
                        .get(30, TimeUnit.SECONDS).get(failingDir.toString());
                assertThat(failed).as("DescribeLogDirs of %s", failingDir).isNotNull();
                assertThat(failed.error()).isInstanceOf(KafkaStorageException.class);
                assertMetadataListsOffline(cluster, onFailingDir, onHealthyDir);
            } finally {
                producing.set(false);
                producerThread.join(120_000);
            }
            assertThat(sendFailure.get()).as("a send failed").isNull();
            assertThat(cluster.isAlive(VICTIM)).isTrue();

            Map<Integer, List<String>> read = readAll(cluster, ackCount.get());
            for (int p = 0; p < PARTITIONS; p++) {
                assertThat(read.getOrDefault(p, List.of())).as("partition %d", p)
                        .containsExactlyElementsOf(acked.getOrDefault(p, List.of()));
            }
        }
    }

    private static StrandCluster startStrand(NetworkLab lab, DiskLab disks, Path dir) {
        StrandCluster.Builder builder = StrandCluster.builder(dir).nodes(3)
                .property("broker.session.timeout.ms", "3000")
                .property("broker.heartbeat.interval.ms", "500");
        for (int node = 1; node <= 3; node++) {
            // The first directory also holds the metadata log: it stays healthy.
            String second = node == VICTIM ? disks.dataDir(1).resolve("logs").toString()
                    : dir.resolve("n" + node + "-b").toString();
            builder.host(node, lab.address(node)).commandPrefix(node, lab.execPrefix(node))
                    .nodeProperty(node, "log.dirs", dir.resolve("n" + node + "-a") + "," + second);
        }
        return builder.start();
    }

    /**
     * Sends round the partitions in batches of 50, each batch waited for, until told to stop; records
     * each acknowledged value under its partition, in acknowledgement order, and the first failure.
     */
    private static void produce(ChaosCluster cluster, AtomicBoolean producing, Map<Integer, List<String>> acked,
                                AtomicInteger ackCount, AtomicReference<Exception> failure) {
        try (KafkaProducer<String, String> producer = KafkaChaosClusterIT.producer(cluster)) {
            int i = 0;
            while (producing.get() && failure.get() == null) {
                List<Future<?>> batch = new ArrayList<>();
                for (int n = 0; n < 50; n++, i++) {
                    int partition = i % PARTITIONS;
                    String value = "v-" + i;
                    batch.add(producer.send(new ProducerRecord<>(TOPIC, partition, null, value), (metadata, e) -> {
                        if (e != null) {
                            failure.compareAndSet(null, e);
                        } else {
                            acked.computeIfAbsent(partition, p -> Collections.synchronizedList(
                                    new ArrayList<>())).add(value);
                            ackCount.incrementAndGet();
                        }
                    }));
                }
                for (Future<?> send : batch) {
                    try {
                        send.get(90, TimeUnit.SECONDS);
                    } catch (ExecutionException e) {
                        // recorded by the callback
                    }
                }
            }
        } catch (Exception e) {
            failure.compareAndSet(null, e);
        }
    }

    /** The Metadata API, as a consumer's {@code partitionsFor} reads it, names the replicas in the failed directory offline. */
    private static void assertMetadataListsOffline(ChaosCluster cluster, Set<Integer> onFailingDir,
                                                   Set<Integer> onHealthyDir) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()),
                new StringDeserializer(), new StringDeserializer())) {
            Map<Integer, List<Integer>> offline = new TreeMap<>();
            for (PartitionInfo info : consumer.partitionsFor(TOPIC, Duration.ofSeconds(30))) {
                offline.put(info.partition(), Arrays.stream(info.offlineReplicas()).map(Node::id).toList());
            }
            for (int p : onFailingDir) {
                assertThat(offline.get(p)).as("offline replicas of %d in Metadata", p).containsExactly(VICTIM);
            }
            for (int p : onHealthyDir) {
                assertThat(offline.get(p)).as("offline replicas of %d in Metadata", p).isEmpty();
            }
        }
    }

    private static Map<Integer, TopicPartitionInfo> describe(Admin admin) throws Exception {
        TopicDescription topic = admin.describeTopics(List.of(TOPIC)).allTopicNames().get(30, TimeUnit.SECONDS)
                .get(TOPIC);
        Map<Integer, TopicPartitionInfo> out = new TreeMap<>();
        topic.partitions().forEach(p -> out.put(p.partition(), p));
        return out;
    }

    private static Map<Integer, Integer> leaders(Admin admin) throws Exception {
        Map<Integer, Integer> out = new TreeMap<>();
        describe(admin).forEach((p, info) -> out.put(p, info.leader() == null ? -1 : info.leader().id()));
        return out;
    }

    /** The partitions of {@link #TOPIC} that node {@link #VICTIM} keeps in {@code logDir}, by DescribeLogDirs. */
    /** The partitions of the topic whose logs the victim has, in any of its directories. */
    private static Set<Integer> partitionsOf(Admin admin) throws Exception {
        Set<Integer> partitions = new TreeSet<>();
        for (LogDirDescription description : admin.describeLogDirs(List.of(VICTIM)).descriptions().get(VICTIM)
                .get(30, TimeUnit.SECONDS).values()) {
            for (TopicPartition tp : description.replicaInfos().keySet()) {
                if (tp.topic().equals(TOPIC)) {
                    partitions.add(tp.partition());
                }
            }
        }
        return partitions;
    }

    private static Set<Integer> partitionsIn(Admin admin, Path logDir) throws Exception {
        Map<String, LogDirDescription> dirs = admin.describeLogDirs(List.of(VICTIM)).descriptions().get(VICTIM)
                .get(30, TimeUnit.SECONDS);
        LogDirDescription description = dirs.get(logDir.toString());
        assertThat(description).as("log dir %s of node %d in %s", logDir, VICTIM, dirs.keySet()).isNotNull();
        Set<Integer> partitions = new TreeSet<>();
        for (TopicPartition tp : description.replicaInfos().keySet()) {
            if (tp.topic().equals(TOPIC)) {
                partitions.add(tp.partition());
            }
        }
        return partitions;
    }

    /** Every partition read from the start until {@code expected} records came, or a minute passed. */
    private static Map<Integer, List<String>> readAll(ChaosCluster cluster, int expected) {
        Map<Integer, List<String>> values = new TreeMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                partitions.add(new TopicPartition(TOPIC, p));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            int count = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (count < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    values.computeIfAbsent(record.partition(), p -> new ArrayList<>()).add(record.value());
                    count++;
                }
            }
        }
        return values;
    }
}
