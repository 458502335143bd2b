package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.Partitioner;
import org.apache.kafka.common.Cluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Apache Kafka's own command-line tools (4.3.1, from the kafka-tools and kafka_2.13 jars) against
 * one node, each run as a child JVM on this test's classpath, exactly as the {@code bin/} scripts
 * run them: kafka-topics (create with configs, describe, list, alter partitions, delete),
 * kafka-configs (describe, add and delete topic overrides), the console producer and console
 * consumer (by partition and offset, no group), kafka-get-offsets and kafka-features describe.
 *
 * <p>Assertions read the tools' printed output, since that is what their users read.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class KafkaCliToolsIT {

    private static final String TOPIC_COMMAND = "org.apache.kafka.tools.TopicCommand";
    private static final String CONFIG_COMMAND = "kafka.admin.ConfigCommand";
    private static final String CONSOLE_PRODUCER = "org.apache.kafka.tools.ConsoleProducer";
    private static final String CONSOLE_CONSUMER = "org.apache.kafka.tools.consumer.ConsoleConsumer";
    private static final String GET_OFFSETS = "org.apache.kafka.tools.GetOffsetShell";
    private static final String FEATURE_COMMAND = "org.apache.kafka.tools.FeatureCommand";
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(45);

    @RegisterExtension
    static final BrokerUnderTest broker = BrokerUnderTest.chosenForTheRun();

    @AfterEach
    void killLeftoverClients() {
        ChildProcess.killLeftovers();
    }

    @Test
    void topicsCreatesTopicWithConfigsThatDescribeShows() {
        ChildProcess.Result created = topics("--create", "--topic", "cli-create", "--partitions", "2",
                "--replication-factor", "1", "--config", "retention.ms=3600000", "--config", "cleanup.policy=compact");
        assertThat(created.stdout()).contains("Created topic cli-create.");

        List<String> description = topics("--describe", "--topic", "cli-create").stdoutLines();

        assertThat(description).hasSize(3);
        Map<String, String> topic = fields(description.get(0));
        assertThat(topic).containsEntry("Topic", "cli-create")
                .containsEntry("PartitionCount", "2")
                .containsEntry("ReplicationFactor", "1");
        assertThat(topic.get("TopicId")).isNotBlank().isNotEqualTo("AAAAAAAAAAAAAAAAAAAAAA");
        assertThat(topic.get("Configs").split(",")).contains("cleanup.policy=compact", "retention.ms=3600000");
        for (int partition = 0; partition < 2; partition++) {
            Map<String, String> line = fields(description.get(1 + partition));
            assertThat(line).containsEntry("Topic", "cli-create")
                    .containsEntry("Partition", Integer.toString(partition));
            String leader = line.get("Leader");
            assertThat(leader).matches("\\d+");
            assertThat(line).containsEntry("Replicas", leader).containsEntry("Isr", leader);
        }
    }

    @Test
    void featuresDescribeShowsTheFinalizedLevelsOfANewCluster() {
        ChildProcess.Result described = tool(FEATURE_COMMAND, "", "--bootstrap-server", broker.bootstrapServers(),
                "describe").assertSuccess();

        Map<String, Map<String, String>> byFeature = new TreeMap<>();
        for (String line : described.stdoutLines()) {
            // "Feature: transaction.version   SupportedMinVersion: 0   ...": names and values, space-padded
            Map<String, String> feature = new TreeMap<>();
            Matcher field = Pattern.compile("(\\S+): (\\S+)").matcher(line);
            while (field.find()) {
                feature.put(field.group(1), field.group(2));
            }
            byFeature.put(feature.get("Feature"), feature);
        }
        assertThat(byFeature).as(described.describe("kafka-features describe")).containsKey("metadata.version");
        assertThat(byFeature.get("metadata.version")).containsEntry("FinalizedVersionLevel", "4.3-IV0");
        assertThat(byFeature.get("group.version")).containsEntry("FinalizedVersionLevel", "1");
        assertThat(byFeature.get("transaction.version")).containsEntry("FinalizedVersionLevel", "2")
                .containsEntry("SupportedMaxVersion", "2");
        assertThat(byFeature.get("transaction.version").get("Epoch")).matches("\\d+");
        assertThat(byFeature.get("share.version")).as("share groups (KIP-932)")
                .containsEntry("FinalizedVersionLevel", "1").containsEntry("SupportedMaxVersion", "1");
    }

    @Test
    void topicsListShowsCreatedTopicsAndForgetsDeletedOnes() {
        topics("--create", "--topic", "cli-list-kept", "--partitions", "1", "--replication-factor", "1");
        topics("--create", "--topic", "cli-list-deleted", "--partitions", "1", "--replication-factor", "1");
        assertThat(topics("--list").stdoutLines()).contains("cli-list-kept", "cli-list-deleted");

        topics("--delete", "--topic", "cli-list-deleted");

        await("cli-list-deleted gone from --list").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300))
                .untilAsserted(() -> assertThat(topics("--list").stdoutLines())
                        .contains("cli-list-kept")
                        .doesNotContain("cli-list-deleted"));
        ChildProcess.Result describeDeleted = tool(TOPIC_COMMAND, "", "--bootstrap-server", broker.bootstrapServers(),
                "--describe", "--topic", "cli-list-deleted");
        assertThat(describeDeleted.exitCode()).as(describeDeleted.describe("described a deleted topic")).isNotZero();
        assertThat(describeDeleted.stdout()).contains("Topic 'cli-list-deleted' does not exist");
    }

    @Test
    void topicsAlterGrowsThePartitionCount() {
        topics("--create", "--topic", "cli-alter", "--partitions", "1", "--replication-factor", "1");

        topics("--alter", "--topic", "cli-alter", "--partitions", "3");

        await("three partitions described").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300))
                .untilAsserted(() -> {
                    List<String> description = topics("--describe", "--topic", "cli-alter").stdoutLines();
                    assertThat(fields(description.get(0))).containsEntry("PartitionCount", "3");
                    List<String> partitions = new ArrayList<>();
                    description.subList(1, description.size())
                            .forEach(line -> partitions.add(fields(line).get("Partition")));
                    assertThat(partitions).containsExactly("0", "1", "2");
                });
    }

    @Test
    void configsAddsAndDeletesTopicOverrides() {
        topics("--create", "--topic", "cli-configs", "--partitions", "1", "--replication-factor", "1",
                "--config", "cleanup.policy=compact");

        assertThat(describeConfigs("cli-configs")).containsExactlyInAnyOrder(
                "Dynamic configs for topic cli-configs are:",
                "cleanup.policy=compact");

        configs("--entity-type", "topics", "--entity-name", "cli-configs", "--alter",
                "--add-config", "max.message.bytes=2048,retention.ms=1000");
        assertThat(describeConfigs("cli-configs")).containsExactlyInAnyOrder(
                "Dynamic configs for topic cli-configs are:",
                "cleanup.policy=compact", "max.message.bytes=2048", "retention.ms=1000");

        ChildProcess.Result deleted = configs("--entity-type", "topics", "--entity-name", "cli-configs", "--alter",
                "--delete-config", "cleanup.policy,retention.ms");
        assertThat(deleted.stdout()).contains("Completed updating config for topic cli-configs.");
        assertThat(describeConfigs("cli-configs")).containsExactlyInAnyOrder(
                "Dynamic configs for topic cli-configs are:",
                "max.message.bytes=2048");
        // back to the default, which describe --all names as such
        assertThat(configs("--entity-type", "topics", "--entity-name", "cli-configs", "--describe", "--all")
                .stdoutLines())
                .anySatisfy(line -> assertThat(line).startsWith("  cleanup.policy=delete sensitive=false synonyms={"))
                .anySatisfy(line -> assertThat(line).startsWith("  max.message.bytes=2048 sensitive=false"
                        + " synonyms={DYNAMIC_TOPIC_CONFIG:max.message.bytes=2048"));
    }

    @Test
    void consoleProducerAndConsumerRoundTripKeysHeadersAndOffsets() {
        topics("--create", "--topic", "cli-console", "--partitions", "1", "--replication-factor", "1");

        ChildProcess.Result produced = tool(CONSOLE_PRODUCER,
                "src:cli,n:1\tk1\tv1\nsrc:cli,n:2\tk2\tv2\nsrc:cli,n:3\tk3\tv3\n",
                "--bootstrap-server", broker.bootstrapServers(), "--topic", "cli-console",
                "--reader-property", "parse.key=true", "--reader-property", "parse.headers=true")
                .assertSuccess();

        ChildProcess.Result consumed = consume("cli-console", "earliest", 3,
                "--formatter-property", "print.partition=true", "--formatter-property", "print.offset=true",
                "--formatter-property", "print.headers=true", "--formatter-property", "print.key=true",
                "--formatter-property", "key.separator=|");
        assertThat(consumed.stdoutLines()).as(produced.describe("produced")).containsExactly(
                "Partition:0|Offset:0|src:cli,n:1|k1|v1",
                "Partition:0|Offset:1|src:cli,n:2|k2|v2",
                "Partition:0|Offset:2|src:cli,n:3|k3|v3");
        assertThat(consumed.stderr()).contains("Processed a total of 3 messages");
    }

    @Test
    void consoleConsumerStartsAtAChosenOffset() {
        topics("--create", "--topic", "cli-console-offset", "--partitions", "1", "--replication-factor", "1");
        ChildProcess.Result produced = tool(CONSOLE_PRODUCER, "a\nb\nc\nd\n",
                "--bootstrap-server", broker.bootstrapServers(), "--topic", "cli-console-offset")
                .assertSuccess();

        assertThat(consume("cli-console-offset", "2", 2).stdoutLines()).as(produced.describe("produced"))
                .containsExactly("c", "d");
        assertThat(consume("cli-console-offset", "earliest", 1).stdoutLines()).containsExactly("a");
    }

    @Test
    void getOffsetsReportsLatestEarliestAndByTimestamp() {
        topics("--create", "--topic", "cli-offsets", "--partitions", "2", "--replication-factor", "1");
        long beforeProduceMs = System.currentTimeMillis();
        ChildProcess.Result produced = tool(CONSOLE_PRODUCER, "1:one\n2:two\n3:three\n",
                "--bootstrap-server", broker.bootstrapServers(), "--topic", "cli-offsets",
                "--reader-property", "parse.key=true", "--reader-property", "key.separator=:",
                "--producer-property", "partitioner.class=" + PartitionZero.class.getName())
                .assertSuccess();

        assertThat(getOffsets("--topic", "cli-offsets")).as(produced.describe("produced"))
                .containsExactly("cli-offsets:0:3", "cli-offsets:1:0");
        assertThat(getOffsets("--topic", "cli-offsets", "--time", "-1"))
                .containsExactly("cli-offsets:0:3", "cli-offsets:1:0");
        assertThat(getOffsets("--topic", "cli-offsets", "--time", "-2"))
                .containsExactly("cli-offsets:0:0", "cli-offsets:1:0");
        assertThat(getOffsets("--topic-partitions", "cli-offsets:0", "--time", Long.toString(beforeProduceMs)))
                .containsExactly("cli-offsets:0:0");
        // no record at or after a time in the future: the tool prints nothing for the partition
        assertThat(getOffsets("--topic-partitions", "cli-offsets:0",
                "--time", Long.toString(beforeProduceMs + Duration.ofDays(1).toMillis())))
                .isEmpty();
    }

    private static List<String> getOffsets(String... args) {
        List<String> command = new ArrayList<>(List.of("--bootstrap-server", broker.bootstrapServers()));
        command.addAll(List.of(args));
        return tool(GET_OFFSETS, "", command.toArray(String[]::new)).assertSuccess().stdoutLines();
    }

    /** Lines of {@code kafka-configs --describe} for a topic, each config reduced to name=value. */
    private static List<String> describeConfigs(String topic) {
        List<String> lines = new ArrayList<>();
        for (String line : configs("--entity-type", "topics", "--entity-name", topic, "--describe").stdoutLines()) {
            lines.add(line.startsWith("  ") ? line.strip().split(" ", 2)[0] : line);
        }
        return lines;
    }

    private static ChildProcess.Result consume(String topic, String offset, int maxMessages, String... extra) {
        List<String> command = new ArrayList<>(List.of("--bootstrap-server", broker.bootstrapServers(), "--topic", topic,
                "--partition", "0", "--offset", offset, "--max-messages", Integer.toString(maxMessages),
                "--timeout-ms", "20000"));
        command.addAll(List.of(extra));
        return tool(CONSOLE_CONSUMER, "", command.toArray(String[]::new)).assertSuccess();
    }

    private static ChildProcess.Result topics(String... args) {
        List<String> command = new ArrayList<>(List.of("--bootstrap-server", broker.bootstrapServers()));
        command.addAll(List.of(args));
        return tool(TOPIC_COMMAND, "", command.toArray(String[]::new)).assertSuccess();
    }

    private static ChildProcess.Result configs(String... args) {
        List<String> command = new ArrayList<>(List.of("--bootstrap-server", broker.bootstrapServers()));
        command.addAll(List.of(args));
        return tool(CONFIG_COMMAND, "", command.toArray(String[]::new)).assertSuccess();
    }

    /** Runs a tool's main class in a child JVM on this test's classpath ({@link ChildProcess#javaMain}). */
    private static ChildProcess.Result tool(String mainClass, String stdin, String... args) {
        return ChildProcess.javaMain(mainClass, List.of(args)).stdin(stdin).timeout(TOOL_TIMEOUT).run();
    }

    /** Sends every record to partition 0, so the console producer fills just one partition. */
    public static final class PartitionZero implements Partitioner {

        @Override
        public int partition(String topic, Object key, byte[] keyBytes, Object value, byte[] valueBytes,
                Cluster cluster) {
            return 0;
        }

        @Override
        public void configure(Map<String, ?> configs) {
        }

        @Override
        public void close() {
        }
    }

    /** "Key: value" fields of one tab-separated line of kafka-topics --describe. */
    private static Map<String, String> fields(String line) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String field : line.strip().split("\t")) {
            String[] nameAndValue = field.split(":", 2);
            fields.put(nameAndValue[0].strip(), nameAndValue.length > 1 ? nameAndValue[1].strip() : "");
        }
        return fields;
    }
}
