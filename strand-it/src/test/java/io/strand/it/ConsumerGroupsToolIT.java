package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Apache Kafka's {@code kafka-consumer-groups} tool (4.3.1, {@value #GROUP_COMMAND}) against one
 * node, run as a child JVM as {@code bin/kafka-consumer-groups.sh} runs it: {@code --list},
 * {@code --describe} with the lag of every partition, {@code --reset-offsets} to the earliest,
 * the latest, a point in time and by a shift (with {@code --execute}), and {@code --delete}.
 *
 * <p>Each test owns a two-partition topic and a group. Record i of a partition has timestamp
 * {@link #BASE_TIMESTAMP_MS} + i seconds. The group's offsets are committed by a Java consumer that
 * subscribed, committed chosen offsets and left, so that the group is empty (the tool resets and
 * deletes only empty groups) and still a consumer group. What the tool changed is read back with
 * the Java admin client (OffsetFetch), what it reports is read from its printed table.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ConsumerGroupsToolIT {

    private static final String GROUP_COMMAND = "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand";
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(45);
    private static final long BASE_TIMESTAMP_MS = 1_600_000_000_000L;
    private static final int RECORDS_PER_PARTITION = 10;

    @RegisterExtension
    static final BrokerUnderTest broker = BrokerUnderTest.chosenForTheRun()
            .withProperties(Map.of("group.initial.rebalance.delay.ms", "0"));

    @AfterEach
    void killLeftoverClients() {
        ChildProcess.killLeftovers();
    }

    @Test
    void listShowsTheGroupAndDescribeShowsTheLagOfEveryPartition() throws Exception {
        String topic = "cg-describe";
        createTopicWithRecords(topic);
        commit("cg-describe-group", topic, Map.of(0, 4L, 1, 7L));

        assertThat(groups("--list").stdoutLines()).contains("cg-describe-group");

        ChildProcess.Result described = groups("--describe", "--group", "cg-describe-group");
        assertThat(described.stderr()).contains("Consumer group 'cg-describe-group' has no active members.");
        List<Map<String, String>> rows = table(described);
        assertThat(rows).hasSize(2);
        for (Map<String, String> row : rows) {
            assertThat(row).containsEntry("GROUP", "cg-describe-group")
                    .containsEntry("TOPIC", topic)
                    .containsEntry("CONSUMER-ID", "-")
                    .containsEntry("HOST", "-")
                    .containsEntry("CLIENT-ID", "-");
        }
        assertThat(partitionColumns(rows, "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG"))
                .containsExactly("0:4:10:6", "1:7:10:3");
    }

    @Test
    void resetOffsetsToEarliestLatestDatetimeAndShiftCommitsTheNewOffsets() throws Exception {
        String topic = "cg-reset";
        String group = "cg-reset-group";
        createTopicWithRecords(topic);
        commit(group, topic, Map.of(0, 4L, 1, 7L));

        assertThat(reset(group, topic, "--to-earliest")).containsExactly("0:0", "1:0");
        assertThat(committed(group)).containsExactly("cg-reset-0=0", "cg-reset-1=0");

        assertThat(reset(group, topic, "--to-latest")).containsExactly("0:10", "1:10");
        assertThat(committed(group)).containsExactly("cg-reset-0=10", "cg-reset-1=10");

        // the first record at or after the time: record 5 of each partition
        String datetime = Instant.ofEpochMilli(BASE_TIMESTAMP_MS + 4_500).toString();
        assertThat(reset(group, topic, "--to-datetime", datetime)).containsExactly("0:5", "1:5");
        assertThat(committed(group)).containsExactly("cg-reset-0=5", "cg-reset-1=5");

        assertThat(reset(group, topic, "--shift-by", "-2")).containsExactly("0:3", "1:3");
        assertThat(committed(group)).containsExactly("cg-reset-0=3", "cg-reset-1=3");

        // a shift past either end stops at the end
        assertThat(reset(group, topic, "--shift-by", "100")).containsExactly("0:10", "1:10");
        assertThat(committed(group)).containsExactly("cg-reset-0=10", "cg-reset-1=10");
    }

    @Test
    void resetOffsetsWithoutExecuteOnlyShowsThePlan() throws Exception {
        String topic = "cg-dry-run";
        String group = "cg-dry-run-group";
        createTopicWithRecords(topic);
        commit(group, topic, Map.of(0, 4L, 1, 7L));

        ChildProcess.Result planned = groups("--reset-offsets", "--group", group, "--topic", topic, "--to-earliest",
                "--dry-run");

        assertThat(partitionColumns(table(planned), "NEW-OFFSET")).containsExactly("0:0", "1:0");
        assertThat(committed(group)).containsExactly("cg-dry-run-0=4", "cg-dry-run-1=7");
    }

    @Test
    void deleteRemovesTheGroupAndItsOffsets() throws Exception {
        String topic = "cg-delete";
        String group = "cg-delete-group";
        createTopicWithRecords(topic);
        commit(group, topic, Map.of(0, 1L, 1, 2L));
        commit("cg-delete-kept", topic, Map.of(0, 3L));
        assertThat(groups("--list").stdoutLines()).contains(group, "cg-delete-kept");

        ChildProcess.Result deleted = groups("--delete", "--group", group);

        assertThat(deleted.stdout()).contains("Deletion of requested consumer groups ('" + group + "') was successful.");
        await(group + " gone from --list").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300))
                .untilAsserted(() -> assertThat(groups("--list").stdoutLines())
                        .contains("cg-delete-kept")
                        .doesNotContain(group));
        assertThat(committed(group)).isEmpty();
        assertThat(committed("cg-delete-kept")).containsExactly("cg-delete-0=3");
    }

    /** Runs {@code --reset-offsets --execute}; returns partition:NEW-OFFSET as the tool printed them. */
    private static List<String> reset(String group, String topic, String... how) {
        List<String> args = new ArrayList<>(List.of("--reset-offsets", "--group", group, "--topic", topic));
        args.addAll(List.of(how));
        args.add("--execute");
        ChildProcess.Result result = groups(args.toArray(String[]::new));
        List<Map<String, String>> rows = table(result);
        for (Map<String, String> row : rows) {
            assertThat(row).as(result.describe("reset")).containsEntry("GROUP", group).containsEntry("TOPIC", topic);
        }
        return partitionColumns(rows, "NEW-OFFSET");
    }

    private static void createTopicWithRecords(String topic) throws Exception {
        // The records carry 2020 timestamps: without retention.ms=-1 a broker's time retention deletes
        // them as soon as it first runs (Apache Kafka: 30 s after start-up), which a slow run reaches.
        Topics.create(broker.bootstrapServers(), topic, 2, Map.of(TopicConfig.RETENTION_MS_CONFIG, "-1"));
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(), ProducerConfig.LINGER_MS_CONFIG, 0),
                new StringSerializer(), new StringSerializer())) {
            for (int partition = 0; partition < 2; partition++) {
                for (int i = 0; i < RECORDS_PER_PARTITION; i++) {
                    producer.send(new ProducerRecord<>(topic, partition, BASE_TIMESTAMP_MS + i * 1000L,
                            "key-" + i, "value-" + i)).get(30, TimeUnit.SECONDS);
                }
            }
        }
    }

    /**
     * A classic-protocol member subscribes to {@code topic}, commits {@code offsets} (partition to
     * offset) once it owns every partition, and leaves: the group stays, empty, with those offsets.
     */
    private static void commit(String group, String topic, Map<Integer, Long> offsets) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            await(group + " owns " + topic).atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(100));
                return consumer.assignment().size() == 2;
            });
            Map<TopicPartition, OffsetAndMetadata> commits = new LinkedHashMap<>();
            offsets.forEach((partition, offset) ->
                    commits.put(new TopicPartition(topic, partition), new OffsetAndMetadata(offset)));
            consumer.commitSync(commits);
        }
    }

    /** The group's committed offsets as topic-partition=offset, sorted, read with OffsetFetch. */
    private static List<String> committed(String group) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            Map<String, Long> sorted = new TreeMap<>();
            offsets.forEach((tp, offset) -> sorted.put(tp.toString(), offset.offset()));
            List<String> lines = new ArrayList<>();
            sorted.forEach((tp, offset) -> lines.add(tp + "=" + offset));
            return lines;
        }
    }

    /** For each row, sorted by partition: partition:column1:column2... */
    private static List<String> partitionColumns(List<Map<String, String>> rows, String... columns) {
        return rows.stream()
                .sorted((a, b) -> Integer.compare(Integer.parseInt(a.get("PARTITION")), Integer.parseInt(b.get("PARTITION"))))
                .map(row -> {
                    StringBuilder line = new StringBuilder(row.get("PARTITION"));
                    for (String column : columns) {
                        line.append(':').append(row.get(column));
                    }
                    return line.toString();
                })
                .toList();
    }

    /**
     * The rows of the whitespace-aligned table the tool prints (a header line starting with
     * {@code GROUP}, then one line per partition), each as column name to value.
     */
    private static List<Map<String, String>> table(ChildProcess.Result result) {
        List<String> lines = result.stdoutLines();
        int header = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("GROUP ")) {
                header = i;
            }
        }
        assertThat(header).as(result.describe("printed no table")).isNotNegative();
        String[] names = lines.get(header).strip().split("\\s+");
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : lines.subList(header + 1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            String[] values = line.strip().split("\\s+");
            assertThat(values).as(result.describe("printed a row of another width: " + line)).hasSize(names.length);
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < names.length; i++) {
                row.put(names[i], values[i]);
            }
            rows.add(row);
        }
        return rows;
    }

    private static ChildProcess.Result groups(String... args) {
        List<String> command = new ArrayList<>(List.of("--bootstrap-server", broker.bootstrapServers()));
        command.addAll(List.of(args));
        return ChildProcess.javaMain(GROUP_COMMAND, command).timeout(TOOL_TIMEOUT).run().assertSuccess();
    }
}
