package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.strand.testkit.StrandCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
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
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster whose roles are apart: node 1 is the only controller (a voter, no client listener),
 * nodes 2 and 3 are broker-only nodes that follow the metadata log as observers. They serve an
 * RF 2 topic to the Java producer (acks=all) and a consumer group; a broker-only node killed with
 * SIGKILL and restarted catches up on the metadata, rejoins the ISRs and can then lead alone.
 */
class BrokerOnlyNodesIT {

    private static final String METADATA_QUORUM = "org.apache.kafka.tools.MetadataQuorumCommand";
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(150);
    private static final Duration AWAIT = Duration.ofSeconds(120);
    private static final String TOPIC = "apart";
    private static final int PARTITIONS = 2;
    private static final int BATCH = 100;

    @TempDir
    Path dir;

    @Test
    void brokerOnlyNodesServeClientsAndOneRejoinsAfterKill9() throws Exception {
        assumeFalse("kafka".equals(System.getProperty(BrokerUnderTest.BROKER_PROPERTY)), "a Strand cluster only");
        try (StrandCluster cluster = StrandCluster.builder(dir).nodes(3)
                .roles(1, "controller").roles(2, "broker").roles(3, "broker")
                .property("broker.session.timeout.ms", "6000")
                .property("broker.heartbeat.interval.ms", "500")
                .property("replica.lag.time.max.ms", "5000")
                .start();
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                     AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000))) {
            assertThat(cluster.bootstrapServers()).doesNotContain(cluster.node(1).bootstrapServers());
            // The answering broker lists a node once its own metadata has it unfenced, after the node's ready line.
            await("both brokers registered").atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(admin.describeCluster().nodes().get(10, TimeUnit.SECONDS)).extracting(Node::id)
                            .as("the controller-only node is no broker").containsExactlyInAnyOrder(2, 3));

            ChildProcess.Result status = ChildProcess.javaMain(METADATA_QUORUM, new ArrayList<>(List.of(
                    "--bootstrap-server", cluster.node(2).bootstrapServers(), "describe", "--status")))
                    .timeout(TOOL_TIMEOUT).run().assertSuccess();
            assertThat(field(status.stdoutLines(), "LeaderId")).isEqualTo("1");
            assertThat(field(status.stdoutLines(), "CurrentVoters")).contains("\"id\": 1")
                    .doesNotContain("\"id\": 2", "\"id\": 3");
            assertThat(field(status.stdoutLines(), "CurrentObservers")).contains("\"id\": 2", "\"id\": 3");

            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 2))).all().get(60, TimeUnit.SECONDS);
            awaitIsrOfTwo(admin);
            produce(cluster, 0);
            assertThat(consumeAll(cluster, "readers-1")).hasSize(BATCH);

            // Node 3 dies without a word; acks=all goes on once the controller fenced it.
            cluster.node(3).kill9();
            produce(cluster, BATCH);
            cluster.node(3).restart();
            awaitIsrOfTwo(admin);

            // Node 3 caught up on the log and the metadata: alone, it serves everything acknowledged.
            cluster.node(2).kill9();
            await("node 3 leads every partition").atMost(AWAIT).pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions().untilAsserted(() -> assertThat(partitions(admin))
                            .allSatisfy(p -> assertThat(p.leader().id()).isEqualTo(3)));
            List<String> values = consumeAll(cluster, "readers-2");
            assertThat(values).hasSize(2 * BATCH)
                    .containsExactlyInAnyOrderElementsOf(IntStream.range(0, 2 * BATCH)
                            .mapToObj(Integer::toString).toList());
        }
    }

    private static void awaitIsrOfTwo(Admin admin) {
        await("an ISR of 2 on every partition").atMost(AWAIT).pollInterval(Duration.ofMillis(200))
                .ignoreExceptions().untilAsserted(() -> assertThat(partitions(admin)).hasSize(PARTITIONS)
                        .allSatisfy(p -> {
                            assertThat(p.leader()).isNotNull();
                            assertThat(p.isr()).extracting(Node::id).containsExactlyInAnyOrder(2, 3);
                        }));
    }

    private static List<TopicPartitionInfo> partitions(Admin admin) throws Exception {
        return admin.describeTopics(List.of(TOPIC)).allTopicNames().get(10, TimeUnit.SECONDS).get(TOPIC).partitions();
    }

    /** {@link #BATCH} records with values first..first+BATCH-1, acks=all, each acknowledged. */
    private static void produce(StrandCluster cluster, int first) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) AWAIT.toMillis(),
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000), new StringSerializer(), new StringSerializer())) {
            List<Future<RecordMetadata>> sends = new ArrayList<>();
            for (int i = first; i < first + BATCH; i++) {
                sends.add(producer.send(new ProducerRecord<>(TOPIC, Integer.toString(i), Integer.toString(i))));
            }
            for (Future<RecordMetadata> send : sends) {
                send.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    /** Every value of the topic, read by a new member of {@code group} from the earliest offset. */
    private static List<String> consumeAll(StrandCluster cluster, String group) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(TOPIC));
            Set<String> seen = new HashSet<>();
            await(group + " reads the topic").atMost(AWAIT).pollInterval(Duration.ofMillis(10)).until(() -> {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    values.add(record.value());
                    seen.add(record.value());
                }
                return !seen.isEmpty() && consumer.assignment().size() == PARTITIONS
                        && consumer.assignment().stream().allMatch(tp -> {
                            Long end = consumer.endOffsets(Set.of(tp)).get(tp);
                            return consumer.position(tp) >= end;
                        });
            });
            consumer.commitSync(Duration.ofSeconds(60));
        }
        return values;
    }

    /** The value of a {@code Name: value} line of kafka-metadata-quorum's status. */
    private static String field(List<String> lines, String name) {
        return lines.stream().filter(line -> line.startsWith(name + ":")).findFirst()
                .map(line -> line.substring(name.length() + 1).strip())
                .orElseThrow(() -> new AssertionError("no " + name + " in " + lines));
    }
}
