package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strand.testkit.StrandProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker JVM killed with SIGKILL while a consumer group is at work (its member joined, owns
 * every partition and has committed, twice), then restarted on the same data: the group's last
 * committed offsets and their metadata are there, a new member of the group resumes exactly at them
 * (nothing re-read, nothing skipped), and a group deleted and offsets deleted before the kill stay
 * deleted.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class GroupCrashIT {

    private static final String TOPIC = "group-crash";
    private static final int PARTITIONS = 3;
    private static final int RECORDS_PER_PARTITION = 20;
    private static final int SESSION_TIMEOUT_MS = 6000;

    @TempDir
    Path workDir;
    private StrandProcess broker;

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void committedOffsetsSurviveKill9InTheMiddleOfAGroupsWork() throws Exception {
        broker = StrandProcess.start(workDir.resolve("data"), Map.of("group.initial.rebalance.delay.ms", "0"));
        Topics.create(broker.bootstrapServers(), TOPIC, PARTITIONS);
        produce(broker.bootstrapServers());
        // two groups whose deletions must survive too
        commitWithoutJoining(broker.bootstrapServers(), "crash-deleted-group", Map.of(0, 5L));
        commitWithoutJoining(broker.bootstrapServers(), "crash-offset-deleted-group", Map.of(0, 4L, 1, 6L));
        try (Admin admin = admin(broker.bootstrapServers())) {
            admin.deleteConsumerGroups(List.of("crash-deleted-group")).all().get(30, TimeUnit.SECONDS);
            admin.deleteConsumerGroupOffsets("crash-offset-deleted-group", Set.of(tp(0))).all()
                    .get(30, TimeUnit.SECONDS);
        }

        KafkaConsumer<String, String> member = consumer(broker.bootstrapServers(), "crash-group");
        try {
            member.subscribe(List.of(TOPIC));
            List<ConsumerRecord<String, String>> consumed = new ArrayList<>();
            await("member owns every partition and has read everything").atMost(Duration.ofSeconds(30)).until(() -> {
                member.poll(Duration.ofMillis(100)).forEach(consumed::add);
                return member.assignment().size() == PARTITIONS && consumed.size() == PARTITIONS * RECORDS_PER_PARTITION;
            });
            member.commitSync(Map.of(tp(0), new OffsetAndMetadata(3, "first"), tp(1), new OffsetAndMetadata(3, "first"),
                    tp(2), new OffsetAndMetadata(3, "first")));
            member.commitSync(Map.of(tp(0), new OffsetAndMetadata(7, "meta-0"), tp(1), new OffsetAndMetadata(13, "meta-1"),
                    tp(2), new OffsetAndMetadata(RECORDS_PER_PARTITION, "meta-2")));
            assertThat(committed(broker.bootstrapServers(), "crash-group"))
                    .containsExactly("0=7/meta-0", "1=13/meta-1", "2=20/meta-2");

            broker.kill9();
        } finally {
            member.close(CloseOptions.timeout(Duration.ZERO));
        }
        broker = broker.restart();

        assertThat(committed(broker.bootstrapServers(), "crash-group"))
                .containsExactly("0=7/meta-0", "1=13/meta-1", "2=20/meta-2");
        assertThat(committed(broker.bootstrapServers(), "crash-deleted-group")).isEmpty();
        assertThat(committed(broker.bootstrapServers(), "crash-offset-deleted-group")).containsExactly("1=6/");
        try (Admin admin = admin(broker.bootstrapServers())) {
            assertThat(admin.listGroups().all().get(30, TimeUnit.SECONDS)).extracting(GroupListing::groupId)
                    .contains("crash-group", "crash-offset-deleted-group")
                    .doesNotContain("crash-deleted-group");
        }

        // the killed member's session runs out, then the new member owns everything
        try (KafkaConsumer<String, String> resumed = consumer(broker.bootstrapServers(), "crash-group")) {
            resumed.subscribe(List.of(TOPIC));
            List<ConsumerRecord<String, String>> consumed = new ArrayList<>();
            long startedMs = System.currentTimeMillis();
            try {
                await("the rest read").atMost(Duration.ofSeconds(45)).until(() -> {
                    resumed.poll(Duration.ofMillis(100)).forEach(consumed::add);
                    return resumed.assignment().size() == PARTITIONS
                            && consumed.size() >= (RECORDS_PER_PARTITION - 7) + (RECORDS_PER_PARTITION - 13);
                });
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("after " + (System.currentTimeMillis() - startedMs) + " ms the new member owns "
                        + resumed.assignment() + " and read " + consumed.size() + " records; the group: "
                        + describe(broker.bootstrapServers(), "crash-group"), e);
            }
            // nothing more arrives
            resumed.poll(Duration.ofMillis(500)).forEach(consumed::add);
            Map<Integer, List<Long>> offsets = new TreeMap<>();
            for (ConsumerRecord<String, String> record : consumed) {
                assertThat(record.value()).isEqualTo(record.partition() + "-" + record.offset());
                offsets.computeIfAbsent(record.partition(), p -> new ArrayList<>()).add(record.offset());
            }
            assertThat(offsets).containsOnlyKeys(0, 1);
            assertThat(offsets.get(0)).containsExactlyElementsOf(range(7, RECORDS_PER_PARTITION));
            assertThat(offsets.get(1)).containsExactlyElementsOf(range(13, RECORDS_PER_PARTITION));
        }
    }

    private static List<Long> range(long from, long to) {
        List<Long> offsets = new ArrayList<>();
        for (long offset = from; offset < to; offset++) {
            offsets.add(offset);
        }
        return offsets;
    }

    private static TopicPartition tp(int partition) {
        return new TopicPartition(TOPIC, partition);
    }

    /** Record i of partition p has value {@code p-i}. */
    private static void produce(String bootstrap) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new StringSerializer())) {
            for (int p = 0; p < PARTITIONS; p++) {
                for (int i = 0; i < RECORDS_PER_PARTITION; i++) {
                    producer.send(new ProducerRecord<>(TOPIC, p, null, p + "-" + i));
                }
            }
            producer.flush();
        }
    }

    private static KafkaConsumer<String, String> consumer(String bootstrap, String group) {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, SESSION_TIMEOUT_MS,
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500),
                new StringDeserializer(), new StringDeserializer());
    }

    /** Commits partition -> offset for {@code group} as a consumer with a manual assignment (no join). */
    private static void commitWithoutJoining(String bootstrap, String group, Map<Integer, Long> offsets) {
        try (KafkaConsumer<String, String> consumer = consumer(bootstrap, group)) {
            Map<TopicPartition, OffsetAndMetadata> commits = new TreeMap<>((a, b) -> a.partition() - b.partition());
            offsets.forEach((partition, offset) -> commits.put(tp(partition), new OffsetAndMetadata(offset)));
            consumer.assign(commits.keySet());
            consumer.commitSync(commits);
        }
    }

    /** The group's committed offsets as partition=offset/metadata, sorted. */
    private static List<String> committed(String bootstrap, String group) throws Exception {
        try (Admin admin = admin(bootstrap)) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            Map<Integer, String> sorted = new TreeMap<>();
            offsets.forEach((tp, offset) -> sorted.put(tp.partition(), offset.offset() + "/" + offset.metadata()));
            List<String> lines = new ArrayList<>();
            sorted.forEach((partition, offset) -> lines.add(partition + "=" + offset));
            return lines;
        }
    }

    /** State, members and their assignments, for a failure message. */
    private static String describe(String bootstrap, String group) {
        try (Admin admin = admin(bootstrap)) {
            return admin.describeConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS).get(group).toString();
        } catch (Exception e) {
            return "not described: " + e;
        }
    }

    private static Admin admin(String bootstrap) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000));
    }
}
