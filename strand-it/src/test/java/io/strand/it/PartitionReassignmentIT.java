package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strand.testkit.StrandCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.PartitionReassignment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Partition reassignment on three Strand nodes through Kafka's {@code kafka-reassign-partitions}
 * tool, run as its {@code bin/} script runs it: {@code --execute} raises a partition's replication
 * factor from 1 to 3 and moves another from {@code [1, 2]} to {@code [2, 3]}, {@code --verify} is
 * asked until both are done, and every record is then read from each new replica as leader;
 * {@code --cancel} reverts a reassignment (started through the Admin API) that cannot finish because
 * its new replica's node is down.
 */
class PartitionReassignmentIT {

    private static final String REASSIGN = "org.apache.kafka.tools.reassign.ReassignPartitionsCommand";
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(150);
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(120);
    private static final int RECORDS = 500;

    @TempDir
    Path dir;

    @Test
    void reassignPartitionsExecutesVerifiesAndCancelsWithEveryRecordOnTheNewReplicas() throws Exception {
        try (StrandCluster cluster = StrandCluster.builder(dir).nodes(3).start();
             Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", cluster.bootstrapServers(),
                     "default.api.timeout.ms", (int) STEP_TIMEOUT.toMillis()))) {
            admin.createTopics(List.of(new NewTopic("grow", Map.of(0, List.of(1))),
                    new NewTopic("move", Map.of(0, List.of(1, 2))))).all().get();
            produce(cluster, "grow");
            produce(cluster, "move");

            Path plan = Files.writeString(dir.resolve("plan.json"), "{\"version\":1,\"partitions\":["
                    + "{\"topic\":\"grow\",\"partition\":0,\"replicas\":[1,2,3]},"
                    + "{\"topic\":\"move\",\"partition\":0,\"replicas\":[2,3]}]}");
            ChildProcess.Result execute = tool(cluster.node(3).bootstrapServers(), "--reassignment-json-file",
                    plan.toString(), "--execute");
            assertThat(execute.stdout()).contains("Successfully started partition reassignments for", "grow-0", "move-0");

            await().atMost(STEP_TIMEOUT).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                ChildProcess.Result verify = tool(cluster.node(2).bootstrapServers(), "--reassignment-json-file",
                        plan.toString(), "--verify");
                assertThat(verify.stdout()).contains("Reassignment of partition grow-0 is completed.",
                        "Reassignment of partition move-0 is completed.");
            });
            assertThat(admin.listPartitionReassignments().reassignments().get()).isEmpty();
            TopicPartitionInfo grown = partition(admin, "grow");
            assertThat(ids(grown.replicas())).containsExactly(1, 2, 3);
            assertThat(ids(grown.isr())).containsExactlyInAnyOrder(1, 2, 3);
            TopicPartitionInfo moved = partition(admin, "move");
            assertThat(ids(moved.replicas())).containsExactly(2, 3);
            assertThat(ids(moved.isr())).containsExactlyInAnyOrder(2, 3);
            // Node 1 no longer hosts move-0: its log goes, as Kafka deletes a removed replica's.
            await().atMost(STEP_TIMEOUT).untilAsserted(() ->
                    assertThat(cluster.node(1).dir().resolve("logs").resolve("move-0")).doesNotExist());

            for (int newReplica : List.of(2, 3)) {
                readAllFrom(cluster, admin, "grow", newReplica, List.of(1, 2, 3));
                readAllFrom(cluster, admin, "move", newReplica, List.of(2, 3));
            }

            // A reassignment whose new replica's node is down cannot finish: --cancel reverts it.
            admin.createTopics(List.of(new NewTopic("stuck", Map.of(0, List.of(2))))).all().get();
            produce(cluster, "stuck");
            cluster.node(3).stop();
            Path stuck = Files.writeString(dir.resolve("stuck.json"),
                    "{\"version\":1,\"partitions\":[{\"topic\":\"stuck\",\"partition\":0,\"replicas\":[2,3]}]}");
            // The tool's --execute refuses a broker that is not live ("Unknown broker id 3"), as it does
            // against Kafka; the Admin API, as Kafka's controller, accepts any registered broker.
            admin.alterPartitionReassignments(Map.of(new TopicPartition("stuck", 0),
                    Optional.of(new NewPartitionReassignment(List.of(2, 3))))).all().get();
            Map<TopicPartition, PartitionReassignment> ongoing = admin.listPartitionReassignments().reassignments().get();
            assertThat(ongoing).containsOnlyKeys(new TopicPartition("stuck", 0));
            assertThat(ongoing.get(new TopicPartition("stuck", 0)).addingReplicas()).containsExactly(3);
            assertThat(tool(cluster.node(1).bootstrapServers(), "--reassignment-json-file", stuck.toString(),
                    "--verify").stdout()).contains("Reassignment of partition stuck-0 is still in progress.");

            // Without --preserve-throttles the tool then clears throttles on every broker, node 3's
            // included, which times out while node 3 is down, as it would against Kafka.
            ChildProcess.Result cancel = tool(cluster.node(2).bootstrapServers(), "--reassignment-json-file",
                    stuck.toString(), "--cancel", "--preserve-throttles");

            assertThat(cancel.stdout()).contains("Successfully cancelled partition reassignment for: stuck-0");
            assertThat(admin.listPartitionReassignments().reassignments().get()).isEmpty();
            await().atMost(STEP_TIMEOUT).untilAsserted(() ->
                    assertThat(ids(partition(admin, "stuck").replicas())).containsExactly(2));
            assertThat(consume(cluster, "stuck")).isEqualTo(expected("stuck"));
        }
    }

    /** Makes {@code replica} the first replica and the leader, then reads the whole partition from it. */
    private static void readAllFrom(StrandCluster cluster, Admin admin, String topic, int replica,
                                    List<Integer> replicas) throws Exception {
        List<Integer> order = new ArrayList<>(List.of(replica));
        replicas.stream().filter(id -> id != replica).forEach(order::add);
        TopicPartition tp = new TopicPartition(topic, 0);
        admin.alterPartitionReassignments(Map.of(tp, Optional.of(new NewPartitionReassignment(order)))).all().get();
        await().atMost(STEP_TIMEOUT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            TopicPartitionInfo info = partition(admin, topic);
            assertThat(ids(info.replicas())).isEqualTo(order);
            if (info.leader() == null || info.leader().id() != replica) {
                admin.electLeaders(ElectionType.PREFERRED, Set.of(tp)).partitions().get();
            }
            assertThat(partition(admin, topic).leader().id()).isEqualTo(replica);
        });
        assertThat(consume(cluster, topic)).as("%s read from broker %d", topic, replica).isEqualTo(expected(topic));
    }

    private static void produce(StrandCluster cluster, String topic) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.<String, Object>of(
                "bootstrap.servers", cluster.bootstrapServers(), "acks", "all", "linger.ms", 5,
                "delivery.timeout.ms", (int) STEP_TIMEOUT.toMillis()),
                new StringSerializer(), new StringSerializer())) {
            for (String value : expected(topic)) {
                producer.send(new ProducerRecord<>(topic, 0, null, value));
            }
            producer.flush();
            producer.send(new ProducerRecord<>(topic, 0, null, "end")).get();
        }
    }

    private static List<String> expected(String topic) {
        return IntStream.range(0, RECORDS).mapToObj(i -> topic + "-" + i).toList();
    }

    /** Every record of partition 0 before the final "end" marker, read from its current leader. */
    private static List<String> consume(StrandCluster cluster, String topic) {
        TopicPartition tp = new TopicPartition(topic, 0);
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.<String, Object>of(
                "bootstrap.servers", cluster.bootstrapServers(), "enable.auto.commit", false,
                "auto.offset.reset", "earliest"), new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            await().atMost(STEP_TIMEOUT).until(() -> {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    values.add(record.value());
                }
                return values.contains("end");
            });
        }
        return values.subList(0, values.indexOf("end"));
    }

    private static TopicPartitionInfo partition(Admin admin, String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().get(0);
    }

    private static List<Integer> ids(List<Node> nodes) {
        return nodes.stream().map(Node::id).toList();
    }

    private static ChildProcess.Result tool(String bootstrapServers, String... args) {
        List<String> command = new ArrayList<>(List.of("--bootstrap-server", bootstrapServers));
        command.addAll(List.of(args));
        return ChildProcess.javaMain(REASSIGN, command).timeout(TOOL_TIMEOUT).run().assertSuccess();
    }
}
