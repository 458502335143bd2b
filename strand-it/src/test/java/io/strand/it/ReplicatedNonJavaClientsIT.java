package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strand.testkit.StrandCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * kcat, confluent-kafka-python and kafkajs against a {@link StrandCluster} of three combined nodes:
 * each writes with acks=all to a topic of replication factor 3 through one node and reads back
 * exactly what it wrote through another, the python and kafkajs clients as consumer groups.
 *
 * <p>One cluster serves every test; each test owns its topic. The tools are found by {@link Tools}
 * (a missing one fails on CI and skips the test elsewhere).
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ReplicatedNonJavaClientsIT {

    private static final int NODES = 3;
    private static final int PARTITIONS = 3;
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(45);
    private static final Path PYTHON_SCRIPTS = Path.of(System.getProperty("strand.it.pythonDir", "src/test/python"));
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private static StrandCluster cluster;

    @BeforeAll
    static void startCluster() {
        // Each group here has one member: nothing to wait for before its first rebalance.
        cluster = StrandCluster.builder(dir).nodes(NODES).property("group.initial.rebalance.delay.ms", "0").start();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @AfterEach
    void killLeftoverClients() {
        ChildProcess.killLeftovers();
    }

    @Test
    void kcatProducesWithAcksAllThroughOneNodeAndReadsBackThroughAnother() {
        Path kcat = Tools.requireKcat();
        String topic = "replicated-kcat";
        createReplicatedTopic(topic);
        List<String> lines = IntStream.range(0, 30).mapToObj(i -> "key-" + i + ":value-" + i).toList();

        ChildProcess.of(kcat.toString(), "-b", cluster.node(1).bootstrapServers(), "-P", "-t", topic, "-K:",
                        "-X", "acks=all")
                .stdin(String.join("\n", lines) + "\n").timeout(CLIENT_TIMEOUT).run().assertSuccess();

        List<String> read = ChildProcess.of(kcat.toString(), "-b", cluster.node(2).bootstrapServers(), "-C",
                        "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%k:%s\\n")
                .timeout(CLIENT_TIMEOUT).run().assertSuccess().stdoutLines();
        assertThat(read).containsExactlyInAnyOrderElementsOf(lines);
    }

    @Test
    void confluentKafkaPythonProducesWithAcksAllAndAGroupReadsItBackThroughAnotherNode() {
        Path python = Tools.requirePython();
        String topic = "replicated-python";
        createReplicatedTopic(topic);
        List<String> written = new ArrayList<>();
        for (int partition = 0; partition < PARTITIONS; partition++) {
            JsonNode report = script(List.of(python.toString(), PYTHON_SCRIPTS.resolve("produce.py").toString(),
                    cluster.node(1).bootstrapServers(), topic, Integer.toString(partition), "10", "1600000000000"));
            assertThat(report.get("errors")).as("delivery errors").isEmpty();
            assertThat(report.get("delivered")).hasSize(10);
            for (int i = 0; i < 10; i++) {
                written.add(partition + "/" + i + " value-" + i);
            }
        }

        JsonNode consumed = script(List.of(python.toString(), PYTHON_SCRIPTS.resolve("group_consume.py").toString(),
                cluster.node(3).bootstrapServers(), topic, "py-replicated-group", "-1"));

        assertThat(consumed.get("errors")).as("consumer errors").isEmpty();
        assertThat(partitionOffsetValues(consumed)).containsExactlyInAnyOrderElementsOf(written);
    }

    @Test
    void kafkajsProducesWithAcksMinusOneAndAGroupReadsItBackThroughAnotherNode() {
        Path node = Tools.requireNode();
        Path scripts = Tools.requireKafkajs();
        String topic = "replicated-kafkajs";
        createReplicatedTopic(topic);
        List<String> written = new ArrayList<>();
        for (int partition = 0; partition < PARTITIONS; partition++) {
            // produce.js sends with acks: -1
            JsonNode sent = script(List.of(node.toString(), scripts.resolve("produce.js").toString(),
                    cluster.node(2).bootstrapServers(), topic, Integer.toString(partition), "10", "none"));
            assertThat(sent.get("metadata").get(0).get("errorCode").asInt()).as("send result %s", sent).isZero();
            for (int i = 0; i < 10; i++) {
                written.add(partition + "/" + i + " value-" + i);
            }
        }

        JsonNode consumed = script(List.of(node.toString(), scripts.resolve("consume-group.js").toString(),
                cluster.node(1).bootstrapServers(), topic, "js-replicated-group", Integer.toString(written.size())));

        assertThat(partitionOffsetValues(consumed)).containsExactlyInAnyOrderElementsOf(written);
    }

    private static List<String> partitionOffsetValues(JsonNode consumed) {
        List<String> records = new ArrayList<>();
        for (JsonNode record : consumed.get("records")) {
            records.add(record.get("partition").asInt() + "/" + record.get("offset").asLong() + " "
                    + record.get("value").asText());
        }
        return records;
    }

    /** Creates {@code topic} with replication factor 3 and min.insync.replicas 2, and waits for every ISR to be full. */
    private static void createReplicatedTopic(String topic) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
            Topics.createReplicated(admin, topic, PARTITIONS, NODES, Map.of("min.insync.replicas", "2"),
                    Duration.ofSeconds(60));
        }
    }

    /** Runs {@code command}, expects exit code 0 and returns the JSON it printed. */
    private static JsonNode script(List<String> command) {
        ChildProcess.Result result = ChildProcess.of(command).timeout(CLIENT_TIMEOUT).run().assertSuccess();
        try {
            return JSON.readTree(result.stdout());
        } catch (IOException e) {
            throw new UncheckedIOException(result.describe("printed no JSON"), e);
        }
    }
}
