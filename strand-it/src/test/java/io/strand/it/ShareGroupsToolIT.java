package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.SharePartitionOffsetInfo;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.tools.consumer.group.ShareGroupCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Share group administration (KIP-932) with Kafka's own tools against one broker: {@code kafka-share-groups}
 * ({@link ShareGroupCommand}, run in this JVM: its {@code bin/} script only starts it) lists and describes a
 * share group with its members, start offsets and lag, resets the offsets of the empty group, deletes its
 * offsets and the group; the Java Admin lists, alters and deletes share group offsets and deletes share groups,
 * and gets Kafka's errors for a group with members, an unknown group and an unknown partition.
 */
class ShareGroupsToolIT {

    private static final int RECORDS = 10;

    @RegisterExtension
    static final BrokerUnderTest broker = BrokerUnderTest.chosenForTheRun();

    @Test
    void theToolDescribesResetsAndDeletesAShareGroup() throws Exception {
        String topic = "tool-share";
        String group = "tool";
        TopicPartition tp = new TopicPartition(topic, 0);
        createTopicWithRecords(topic);
        startAtEarliest(group);

        try (KafkaShareConsumer<String, String> consumer = consumer(group, topic)) {
            assertThat(pollAll(consumer)).hasSize(RECORDS);
            consumer.commitSync();

            assertThat(shareGroups("--list")).contains(group);
            List<Map<String, String>> members = table(shareGroups("--describe", "--group", group, "--members"));
            assertThat(members).singleElement().satisfies(row -> {
                assertThat(row).containsEntry("GROUP", group).containsEntry("#PARTITIONS", "1")
                        .containsEntry("ASSIGNMENT", topic + ":0");
            });
            assertThat(table(shareGroups("--describe", "--group", group, "--offsets"))).singleElement()
                    .satisfies(row -> assertThat(row).containsEntry("TOPIC", topic).containsEntry("PARTITION", "0")
                            .containsEntry("START-OFFSET", String.valueOf(RECORDS)).containsEntry("LAG", "0"));
        }

        // Empty now: back to the start; the next consumer gets every record again.
        assertThat(table(shareGroups("--reset-offsets", "--group", group, "--topic", topic, "--to-earliest",
                "--execute"))).singleElement().satisfies(row -> assertThat(row).containsEntry("NEW-OFFSET", "0"));
        assertThat(offsets(group)).containsOnlyKeys(tp);
        assertThat(offsets(group).get(tp).startOffset()).isZero();
        assertThat(offsets(group).get(tp).lag()).contains((long) RECORDS);
        try (KafkaShareConsumer<String, String> consumer = consumer(group, topic)) {
            List<ConsumerRecord<String, String>> again = pollAll(consumer);
            assertThat(again).extracting(ConsumerRecord::offset).containsExactlyElementsOf(
                    java.util.stream.LongStream.range(0, RECORDS).boxed().toList());
            consumer.commitSync();
        }

        assertThat(shareGroups("--delete-offsets", "--group", group, "--topic", topic))
                .containsPattern(topic + "\\s+Successful");
        assertThat(offsets(group)).doesNotContainKey(tp);
        assertThat(shareGroups("--delete", "--group", group))
                .contains("Deletion of requested share groups ('" + group + "') was successful.");
        assertThat(broker.admin().listGroups(ListGroupsOptions.forShareGroups()).all().get(10, TimeUnit.SECONDS))
                .extracting(GroupListing::groupId).doesNotContain(group);
    }

    @Test
    void theJavaAdminAltersListsAndDeletesShareGroupOffsets() throws Exception {
        String topic = "admin-share";
        String group = "admin";
        TopicPartition tp = new TopicPartition(topic, 0);
        createTopicWithRecords(topic);

        // A group that does not exist yet is created by the alter, as Kafka does.
        broker.admin().alterShareGroupOffsets(group, Map.of(tp, 4L)).all().get(10, TimeUnit.SECONDS);
        SharePartitionOffsetInfo altered = offsets(group).get(tp);
        assertThat(altered.startOffset()).isEqualTo(4);
        assertThat(altered.lag()).contains((long) RECORDS - 4);
        assertThat(broker.admin().alterShareGroupOffsets(group, Map.of(new TopicPartition(topic, 7), 1L))
                .partitionResult(new TopicPartition(topic, 7)))
                .failsWithin(Duration.ofSeconds(10)).withThrowableThat().havingCause()
                .isInstanceOf(UnknownTopicOrPartitionException.class);

        try (KafkaShareConsumer<String, String> consumer = consumer(group, topic)) {
            assertThat(pollAll(consumer, RECORDS - 4)).extracting(ConsumerRecord::offset).first().isEqualTo(4L);
            consumer.commitSync();
            // Not while it has a member.
            assertCause(() -> broker.admin().alterShareGroupOffsets(group, Map.of(tp, 0L)).all()
                    .get(10, TimeUnit.SECONDS), GroupNotEmptyException.class);
            assertCause(() -> broker.admin().deleteShareGroupOffsets(group, Set.of(topic)).all()
                    .get(10, TimeUnit.SECONDS), GroupNotEmptyException.class);
            assertCause(() -> broker.admin().deleteShareGroups(List.of(group)).all().get(10, TimeUnit.SECONDS),
                    GroupNotEmptyException.class);
        }

        broker.admin().deleteShareGroupOffsets(group, Set.of(topic)).all().get(10, TimeUnit.SECONDS);
        assertThat(offsets(group)).isEmpty();
        broker.admin().deleteShareGroups(List.of(group)).all().get(10, TimeUnit.SECONDS);
        assertCause(() -> broker.admin().deleteShareGroupOffsets(group, Set.of(topic)).all()
                .get(10, TimeUnit.SECONDS), GroupIdNotFoundException.class);
        assertCause(() -> broker.admin().deleteShareGroups(List.of(group)).all().get(10, TimeUnit.SECONDS),
                GroupIdNotFoundException.class);
    }

    private static void assertCause(org.assertj.core.api.ThrowableAssert.ThrowingCallable call,
                                    Class<? extends Throwable> cause) {
        assertThatThrownBy(call).isInstanceOf(ExecutionException.class).cause().isInstanceOf(cause);
    }

    /** The group's share-partition offsets the Admin lists (every share-partition with state). */
    private static Map<TopicPartition, SharePartitionOffsetInfo> offsets(String group) throws Exception {
        Map<TopicPartition, SharePartitionOffsetInfo> listed = broker.admin()
                .listShareGroupOffsets(Map.of(group, new ListShareGroupOffsetsSpec()))
                .partitionsToOffsetInfo(group).get(10, TimeUnit.SECONDS);
        Map<TopicPartition, SharePartitionOffsetInfo> known = new LinkedHashMap<>();
        listed.forEach((tp, info) -> {
            if (info != null) {
                known.put(tp, info);
            }
        });
        return known;
    }

    private static void createTopicWithRecords(String topic) throws Exception {
        broker.admin().createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        Properties props = new Properties();
        props.put("bootstrap.servers", broker.bootstrapServers());
        try (KafkaProducer<String, String> producer =
                     new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < RECORDS; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "r" + i));
            }
            producer.flush();
        }
    }

    /** The group starts at the log start, so its first consumer gets the records already produced. */
    private static void startAtEarliest(String group) throws Exception {
        broker.admin().incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, group),
                List.of(new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"),
                        AlterConfigOp.OpType.SET)))).all().get(10, TimeUnit.SECONDS);
    }

    private static KafkaShareConsumer<String, String> consumer(String group, String topic) {
        Properties props = new Properties();
        props.put("bootstrap.servers", broker.bootstrapServers());
        props.put("group.id", group);
        props.put("share.acknowledgement.mode", "implicit");
        KafkaShareConsumer<String, String> consumer =
                new KafkaShareConsumer<>(props, new StringDeserializer(), new StringDeserializer());
        consumer.subscribe(List.of(topic));
        return consumer;
    }

    private static List<ConsumerRecord<String, String>> pollAll(KafkaShareConsumer<String, String> consumer) {
        return pollAll(consumer, RECORDS);
    }

    /** Polls until {@code count} records came. */
    private static List<ConsumerRecord<String, String>> pollAll(KafkaShareConsumer<String, String> consumer,
                                                                int count) {
        List<ConsumerRecord<String, String>> polled = new ArrayList<>();
        await().atMost(20, TimeUnit.SECONDS).until(() -> {
            consumer.poll(Duration.ofMillis(100)).forEach(polled::add);
            return polled.size() >= count;
        });
        return polled;
    }

    /**
     * Runs {@code kafka-share-groups} with {@code args} in this JVM and returns what it printed; a tool that
     * would exit the JVM (a usage error, a group that is not empty) fails the test instead.
     */
    private static synchronized String shareGroups(String... args) {
        List<String> command = new ArrayList<>(List.of("--bootstrap-server", broker.bootstrapServers()));
        command.addAll(List.of(args));
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        Exit.setExitProcedure((code, message) -> {
            throw new AssertionError("kafka-share-groups " + command + " exited " + code + ": " + message
                    + "\n" + printed.toString(StandardCharsets.UTF_8));
        });
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            ShareGroupCommand.main(command.toArray(String[]::new));
        } finally {
            System.setOut(stdout);
            Exit.resetExitProcedure();
        }
        return printed.toString(StandardCharsets.UTF_8);
    }

    /** The rows of the table the tool printed last (a header line starting with {@code GROUP}). */
    private static List<Map<String, String>> table(String printed) {
        List<String> lines = printed.lines().toList();
        int header = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("GROUP ")) {
                header = i;
            }
        }
        assertThat(header).as("a table in:\n" + printed).isNotNegative();
        String[] names = lines.get(header).strip().split("\\s+");
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : lines.subList(header + 1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            String[] values = line.strip().split("\\s+");
            assertThat(values).as("a row as wide as the header: " + line).hasSize(names.length);
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < names.length; i++) {
                row.put(names[i], values[i]);
            }
            rows.add(row);
        }
        return rows;
    }
}
