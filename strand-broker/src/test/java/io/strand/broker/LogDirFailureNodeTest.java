package io.strand.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strand.storage.LogManager;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One node with two log directories loses the second (KIP-858): it keeps serving the partitions of
 * the first, the second's partitions lose their leader (their only replica is offline), and
 * DescribeLogDirs answers the second with KAFKA_STORAGE_ERROR. The whole path: the failure channel,
 * the handler, the replica manager, the heartbeat's OfflineLogDirs and the controller.
 */
class LogDirFailureNodeTest {

    private static final String TOPIC = "spread";
    private static final int PARTITIONS = 4;

    @TempDir
    Path dir;

    @Test
    void aNodeServesOnWithOneOfItsTwoLogDirectoriesOffline() throws Exception {
        Path first = dir.resolve("a");
        Path second = dir.resolve("b");
        try (BrokerServer node = TestNodes.start(TestNodes.props(first, TestNodes.freePort(),
                Map.of("log.dirs", first + "," + second, "broker.heartbeat.interval.ms", "200")));
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                     TestNodes.bootstrap(node.clientAddress())));
             KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestNodes.bootstrap(node.clientAddress()),
                     ProducerConfig.ACKS_CONFIG, "all",
                     ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000,
                     ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000),
                     new StringSerializer(), new StringSerializer())) {
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
            for (int p = 0; p < PARTITIONS; p++) {
                producer.send(new ProducerRecord<>(TOPIC, p, null, "before-" + p)).get(30, TimeUnit.SECONDS);
            }
            LogManager logManager = node.logManager();
            List<Integer> inSecond = new ArrayList<>();
            List<Integer> inFirst = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                boolean second0 = logManager.directoryIdOf(new TopicPartition(TOPIC, p)).orElseThrow()
                        .equals(logManager.directoryIds().get(second));
                (second0 ? inSecond : inFirst).add(p);
            }
            assertThat(inSecond).isNotEmpty();
            assertThat(inFirst).isNotEmpty();

            logManager.logDirFailureChannel().onStorageFailure(second, "Append failed",
                    new IOException("Input/output error"));

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                Map<Integer, TopicPartitionInfo> partitions = describe(admin);
                for (int p : inSecond) {
                    assertThat(partitions.get(p).leader()).as("leader of %d", p).isNull();
                }
                for (int p : inFirst) {
                    assertThat(partitions.get(p).leader()).as("leader of %d", p).isNotNull();
                }
            });
            for (int p : inFirst) {
                producer.send(new ProducerRecord<>(TOPIC, p, null, "after-" + p)).get(30, TimeUnit.SECONDS);
            }
            Map<String, LogDirDescription> dirs = admin.describeLogDirs(List.of(1)).descriptions().get(1)
                    .get(30, TimeUnit.SECONDS);
            assertThat(dirs.get(second.toString()).error()).isInstanceOf(KafkaStorageException.class);
            assertThat(dirs.get(first.toString()).error()).isNull();
            assertThat(logManager.onlineLogDirs()).containsExactly(first);
        }
    }

    private static Map<Integer, TopicPartitionInfo> describe(Admin admin) throws Exception {
        TopicDescription topic = admin.describeTopics(List.of(TOPIC)).allTopicNames().get(30, TimeUnit.SECONDS)
                .get(TOPIC);
        Map<Integer, TopicPartitionInfo> out = new java.util.TreeMap<>();
        topic.partitions().forEach(p -> out.put(p.partition(), p));
        return out;
    }
}
