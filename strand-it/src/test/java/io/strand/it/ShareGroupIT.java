package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ShareGroupDescription;
import org.apache.kafka.clients.admin.SharePartitionOffsetInfo;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.tools.consumer.group.ShareGroupCommand;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Share groups (KIP-932) with Kafka's own {@link KafkaShareConsumer}: several consumers share one
 * partition's records, released and timed-out records are redelivered with a rising delivery count, and
 * a record released at the delivery limit is archived. Kafka's {@code kafka-share-groups}
 * ({@code ShareGroupCommand}, run in this JVM: its {@code bin/} script only starts it) lists and describes a
 * share group with its members, start offsets and lag, resets the offsets of the empty group, deletes its
 * offsets and the group; the Java Admin lists, alters and deletes share group offsets and deletes share
 * groups, with Kafka's errors for a group with members, an unknown group and an unknown partition.
 *
 * <p>A share group starts at the partition's end ({@code share.auto.offset.reset=latest}) when it first
 * fetches it, so each test first produces warm-up records until a consumer sees one: what is produced
 * after that is the group's.
 */
class ShareGroupIT {

    /** Short, so that a consumer that stops polling loses its records within the test. */
    private static final int LOCK_MS = 4000;
    private static final String WARM_UP = "warm-up";
    /** Kafka's default {@code group.share.delivery.count.limit}. */
    private static final int DELIVERY_COUNT_LIMIT = 5;
    /** Records of each administration test's topic. */
    private static final int ADMIN_RECORDS = 10;

    @RegisterExtension
    static final BrokerUnderTest broker = BrokerUnderTest.chosenForTheRun().withProperties(Map.of(
            "group.share.record.lock.duration.ms", String.valueOf(LOCK_MS),
            "group.share.min.record.lock.duration.ms", "1000"));

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final AtomicBoolean stop = new AtomicBoolean();

    @AfterEach
    void tearDown() throws Exception {
        stop.set(true);
        threads.shutdown();
        assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    @Test
    void threeConsumersShareAPartitionEachRecordProcessedOnce() throws Exception {
        String topic = "share-three";
        createTopic(topic);
        Map<String, Integer> processedBy = new ConcurrentHashMap<>();
        List<String> duplicates = new CopyOnWriteArrayList<>();
        AtomicBoolean warm = new AtomicBoolean();
        List<Future<?>> loops = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int index = i;
            loops.add(threads.submit(() -> {
                // Implicit acknowledgement: what a poll returned is accepted by the next poll (or the close).
                try (KafkaShareConsumer<String, String> consumer = consumer("three", "implicit", 20)) {
                    consumer.subscribe(List.of(topic));
                    while (!stop.get()) {
                        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                            if (WARM_UP.equals(r.key())) {
                                warm.set(true);
                            } else if (processedBy.putIfAbsent(r.value(), index) != null) {
                                duplicates.add(r.value());
                            }
                        }
                    }
                }
                return null;
            }));
        }
        try (KafkaProducer<String, String> producer = producer()) {
            warmUp(producer, topic, warm);
            for (int i = 0; i < 300; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "r" + i));
                if (i % 10 == 9) {
                    producer.flush(); // batches of 10: acquisitions may round up to whole batches
                }
            }
        }
        await().atMost(20, TimeUnit.SECONDS).until(() -> processedBy.size() == 300 || !duplicates.isEmpty());

        // The admin client sees the group (ListGroups, ShareGroupDescribe) while its members still poll.
        ShareGroupDescription described = broker.admin().describeShareGroups(List.of("three")).describedGroups()
                .get("three").get(10, TimeUnit.SECONDS);
        assertThat(described.groupState()).isEqualTo(GroupState.STABLE);
        assertThat(described.members()).hasSize(3).allSatisfy(member -> assertThat(
                member.assignment().topicPartitions()).containsExactly(new TopicPartition(topic, 0)));
        assertThat(broker.admin().listGroups(ListGroupsOptions.forShareGroups()).all().get(10, TimeUnit.SECONDS))
                .extracting(GroupListing::groupId).contains("three");
        stop.set(true);
        for (Future<?> loop : loops) {
            loop.get(30, TimeUnit.SECONDS);
        }
        assertThat(duplicates).isEmpty();
        assertThat(processedBy).hasSize(300);
        assertThat(new HashSet<>(processedBy.values())).as("consumers that processed records")
                .hasSizeGreaterThan(1);
    }

    /**
     * Implicit acknowledgement accepts a poll's records at the next poll or commit, not at close: a consumer
     * closed right after a poll ends its share session with those records acquired, and they go to another
     * consumer (delivery count 2), on Kafka as on Strand. A commitSync before the close accepts them.
     */
    @Test
    void implicitModeAcceptsTheLastPollAtCommitNotAtClose() throws Exception {
        String topic = "share-close";
        createTopic(topic);
        broker.admin().incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, "close"),
                List.of(new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"),
                        AlterConfigOp.OpType.SET)))).all().get(10, TimeUnit.SECONDS);
        try (KafkaProducer<String, String> producer = producer()) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "r" + i));
            }
            producer.flush();
        }
        Map<String, Short> lastPoll = pollOnceWithRecordsThenClose(topic, false);
        assertThat(lastPoll).isNotEmpty().allSatisfy((value, count) -> assertThat(count).isEqualTo((short) 1));

        Map<String, Short> again = pollOnceWithRecordsThenClose(topic, true);
        assertThat(again).as("released at the close, redelivered").containsAllEntriesOf(
                lastPoll.keySet().stream().collect(java.util.stream.Collectors.toMap(v -> v, v -> (short) 2)));

        try (KafkaProducer<String, String> producer = producer()) {
            producer.send(new ProducerRecord<>(topic, "marker", "marker")).get(10, TimeUnit.SECONDS);
        }
        Map<String, Short> after = new ConcurrentHashMap<>();
        try (KafkaShareConsumer<String, String> consumer = consumer("close", "implicit")) {
            consumer.subscribe(List.of(topic));
            await().atMost(15, TimeUnit.SECONDS).until(() -> {
                consumer.poll(Duration.ofMillis(100)).forEach(r -> after.put(r.value(), r.deliveryCount().orElseThrow()));
                return after.containsKey("marker");
            });
            consumer.commitSync();
        }
        assertThat(after.keySet()).as("committed before the close: never delivered again")
                .doesNotContainAnyElementsOf(again.keySet());
    }

    /** One consumer of group "close": its first poll with records, then (commitSync if asked and) close. */
    private Map<String, Short> pollOnceWithRecordsThenClose(String topic, boolean commit) {
        Map<String, Short> polled = new ConcurrentHashMap<>();
        try (KafkaShareConsumer<String, String> consumer = consumer("close", "implicit")) {
            consumer.subscribe(List.of(topic));
            await().atMost(15, TimeUnit.SECONDS).until(() -> {
                consumer.poll(Duration.ofMillis(100)).forEach(r -> polled.put(r.value(), r.deliveryCount().orElseThrow()));
                return !polled.isEmpty();
            });
            if (commit) {
                consumer.commitSync();
            }
        }
        return polled;
    }

    @Test
    void releasedRecordsAreRedeliveredWithDeliveryCountTwo() throws Exception {
        String topic = "share-release";
        createTopic(topic);
        KafkaShareConsumer<String, String> releaser = consumer("release", "explicit");
        releaser.subscribe(List.of(topic));
        try (KafkaProducer<String, String> producer = producer()) {
            warmUpAccepting(producer, topic, releaser);
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "r" + i));
            }
            producer.flush();
        }
        // Releases what its first poll with data brings (the next poll would take those records again).
        List<String> released = new ArrayList<>();
        await().atMost(15, TimeUnit.SECONDS).until(() -> {
            for (ConsumerRecord<String, String> r : releaser.poll(Duration.ofMillis(100))) {
                if (WARM_UP.equals(r.key())) {
                    releaser.acknowledge(r, AcknowledgeType.ACCEPT);
                } else {
                    assertThat(r.deliveryCount()).contains((short) 1);
                    releaser.acknowledge(r, AcknowledgeType.RELEASE);
                    released.add(r.value());
                }
            }
            releaser.commitSync();
            return !released.isEmpty();
        });

        KafkaShareConsumer<String, String> other = consumer("release", "explicit");
        other.subscribe(List.of(topic));
        Map<String, Short> delivered = new ConcurrentHashMap<>();
        await().atMost(15, TimeUnit.SECONDS).until(() -> {
            for (ConsumerRecord<String, String> r : other.poll(Duration.ofMillis(100))) {
                other.acknowledge(r, AcknowledgeType.ACCEPT);
                if (!WARM_UP.equals(r.key())) {
                    delivered.put(r.value(), r.deliveryCount().orElseThrow());
                }
            }
            other.commitSync();
            return delivered.size() == 10;
        });
        for (String value : released) {
            assertThat(delivered).as("released, then redelivered").containsEntry(value, (short) 2);
        }
        assertThat(delivered).as("never acquired before").allSatisfy((value, count) -> {
            if (!released.contains(value)) {
                assertThat(count).isEqualTo((short) 1);
            }
        });
    }

    @Test
    void recordsOfAConsumerThatStopsPollingGoToAnotherAfterTheLock() throws Exception {
        String topic = "share-timeout";
        createTopic(topic);
        KafkaShareConsumer<String, String> stalled = consumer("timeout", "explicit");
        stalled.subscribe(List.of(topic));
        try (KafkaProducer<String, String> producer = producer()) {
            warmUpAccepting(producer, topic, stalled);
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "r" + i));
            }
            producer.flush();
        }
        // One poll with data, never acknowledged: in explicit mode this consumer may not poll again.
        List<String> held = new ArrayList<>();
        await().atMost(15, TimeUnit.SECONDS).until(() -> {
            for (ConsumerRecord<String, String> r : stalled.poll(Duration.ofMillis(100))) {
                if (WARM_UP.equals(r.key())) {
                    stalled.acknowledge(r, AcknowledgeType.ACCEPT);
                } else {
                    held.add(r.value());
                }
            }
            if (held.isEmpty()) {
                stalled.commitSync();
            }
            return !held.isEmpty();
        });
        long stalledAtNs = System.nanoTime();

        KafkaShareConsumer<String, String> other = consumer("timeout", "explicit");
        other.subscribe(List.of(topic));
        Map<String, Short> delivered = new ConcurrentHashMap<>();
        Map<String, Long> deliveredAfterMs = new ConcurrentHashMap<>();
        await().atMost(LOCK_MS + 15_000, TimeUnit.MILLISECONDS).until(() -> {
            for (ConsumerRecord<String, String> r : other.poll(Duration.ofMillis(100))) {
                other.acknowledge(r, AcknowledgeType.ACCEPT);
                if (!WARM_UP.equals(r.key())) {
                    delivered.put(r.value(), r.deliveryCount().orElseThrow());
                    deliveredAfterMs.put(r.value(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stalledAtNs));
                }
            }
            other.commitSync();
            return delivered.size() == 10;
        });
        for (String value : held) {
            assertThat(delivered).as("held by the stalled consumer, then its lock expired").containsEntry(value, (short) 2);
            assertThat(deliveredAfterMs.get(value)).isGreaterThanOrEqualTo(LOCK_MS - 500L);
        }
        assertThat(delivered).as("never acquired before").allSatisfy((value, count) -> {
            if (!held.contains(value)) {
                assertThat(count).isEqualTo((short) 1);
            }
        });
    }

    /**
     * A member killed with SIGKILL while holding acquired records: its connection drops, so its share
     * session closes and the records are released at once (as Kafka does since its share sessions belong
     * to their connection), long before the group's 60 s lock would expire, and another member gets them
     * with delivery count 2.
     */
    @Test
    void recordsOfAKilledConsumerProcessGoToAnotherWithoutWaitingForTheLock() throws Exception {
        String topic = "share-kill9";
        String group = "kill9";
        createTopic(topic);
        ConfigResource groupResource = new ConfigResource(ConfigResource.Type.GROUP, group);
        broker.admin().incrementalAlterConfigs(Map.of(groupResource, List.of(
                new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET),
                new AlterConfigOp(new ConfigEntry("share.record.lock.duration.ms", "60000"),
                        AlterConfigOp.OpType.SET)))).all().get(10, TimeUnit.SECONDS);
        try (KafkaProducer<String, String> producer = producer()) {
            produce(producer, topic, 0, 10);
        }
        List<String> held = new ArrayList<>();
        try (ChildProcess.Running member = ChildProcess.javaMain(ShareMemberProcess.class.getName(),
                List.of(broker.bootstrapServers(), group, topic)).start()) {
            await().atMost(30, TimeUnit.SECONDS).until(() -> {
                assertThat(member.isAlive()).as(member.describe("share member")).isTrue();
                return member.stdoutLines().contains("HOLDING");
            });
            member.stdoutLines().stream().filter(line -> line.startsWith("HELD "))
                    .forEach(line -> held.add(line.substring("HELD ".length())));
            assertThat(held).isNotEmpty();
            // The member's client may have fetched more in the background than its poll gave it: those
            // records are acquired by it too, and come back with delivery count 2 as well.
            member.close();
        }
        KafkaShareConsumer<String, String> other = consumer(group, "explicit");
        other.subscribe(List.of(topic));
        Map<String, Short> delivered = new ConcurrentHashMap<>();
        pollAccepting(other, delivered, 10, Duration.ofSeconds(20));
        for (String value : held) {
            assertThat(delivered).as("held by the killed member, released when its connection dropped")
                    .containsEntry(value, (short) 2);
        }
    }

    /** Produces values r{from} to r{to - 1} and waits until they are written. */
    private static void produce(KafkaProducer<String, String> producer, String topic, int from, int to) {
        for (int i = from; i < to; i++) {
            producer.send(new ProducerRecord<>(topic, "k" + i, "r" + i));
        }
        producer.flush();
    }

    /**
     * librdkafka's share consumer (2.15.1, {@code share_consumer.c}) in the group: it releases the first three
     * records it is given and accepts everything else, the released ones coming back to it with delivery
     * count 2; what it accepted is gone for the group, so a Java member that joins afterwards gets only what is
     * produced next.
     */
    @Test
    void librdkafkaShareConsumerReleasesAndAcceptsRecords(@TempDir Path buildDir) throws Exception {
        Path librdkafka = Tools.requireLibrdkafkaShare();
        Path program = buildDir.resolve("share_consumer");
        ChildProcess.of("gcc", "-O1", "-Wall", "-Werror", "-o", program.toString(),
                Path.of(System.getProperty("strand.it.cDir", "src/test/c"), "share_consumer.c").toString(),
                "-I" + librdkafka.resolve("include"), librdkafka.resolve("lib/librdkafka.a").toString(),
                "-lm", "-ldl", "-lpthread", "-lrt").timeout(Duration.ofSeconds(60)).run().assertSuccess();

        String topic = "share-librdkafka";
        String group = "librdkafka";
        createTopic(topic);
        broker.admin().incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, group), List.of(
                new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET))))
                .all().get(10, TimeUnit.SECONDS);
        try (KafkaProducer<String, String> producer = producer()) {
            produce(producer, topic, 0, 10);
        }

        ChildProcess.Result run = ChildProcess.of(program.toString(), broker.bootstrapServers(), group, topic, "10", "3")
                .timeout(Duration.ofSeconds(60)).run().assertSuccess();
        List<String[]> records = run.stdoutLines().stream().map(line -> line.split(" "))
                .filter(fields -> fields[0].equals("RECORD")).toList();
        List<String> released = records.stream().filter(r -> r[3].equals("RELEASE")).map(r -> r[1] + " " + r[2]).toList();
        assertThat(released).as(run.stdout()).hasSize(3).allSatisfy(r -> assertThat(r).endsWith(" 1"));
        Map<String, String> acceptedWithCount = new ConcurrentHashMap<>();
        records.stream().filter(r -> r[3].equals("ACCEPT")).forEach(r -> acceptedWithCount.put(r[1], r[2]));
        assertThat(acceptedWithCount).as(run.stdout()).hasSize(10).allSatisfy((value, count) ->
                assertThat(count).isEqualTo(released.contains(value + " 1") ? "2" : "1"));

        KafkaShareConsumer<String, String> java = consumer(group, "explicit");
        java.subscribe(List.of(topic));
        Map<String, Short> delivered = new ConcurrentHashMap<>();
        try (KafkaProducer<String, String> producer = producer()) {
            produce(producer, topic, 10, 11);
        }
        pollAccepting(java, delivered, 1, Duration.ofSeconds(20));
        assertThat(delivered).as("librdkafka's acceptances are the group's").containsOnlyKeys("r10");
    }

    /** Polls {@code consumer}, accepting everything, until {@code delivered} holds {@code count} values. */
    private static void pollAccepting(KafkaShareConsumer<String, String> consumer, Map<String, Short> delivered,
                                      int count, Duration atMost) {
        await().atMost(atMost).until(() -> {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                consumer.acknowledge(r, AcknowledgeType.ACCEPT);
                delivered.put(r.value(), r.deliveryCount().orElseThrow());
            }
            consumer.commitSync();
            return delivered.size() >= count;
        });
    }

    @Test
    void aRecordReleasedAtTheDeliveryLimitIsArchived() throws Exception {
        String topic = "share-limit";
        createTopic(topic);
        KafkaShareConsumer<String, String> consumer = consumer("limit", "explicit");
        consumer.subscribe(List.of(topic));
        try (KafkaProducer<String, String> producer = producer()) {
            warmUpAccepting(producer, topic, consumer);
            producer.send(new ProducerRecord<>(topic, "poison", "poison")).get();
        }
        List<Short> deliveries = new ArrayList<>();
        await().atMost(15, TimeUnit.SECONDS).until(() -> {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                if ("poison".equals(r.key())) {
                    deliveries.add(r.deliveryCount().orElseThrow());
                    consumer.acknowledge(r, AcknowledgeType.RELEASE);
                } else {
                    consumer.acknowledge(r, AcknowledgeType.ACCEPT);
                }
            }
            consumer.commitSync();
            return deliveries.size() == DELIVERY_COUNT_LIMIT;
        });

        try (KafkaProducer<String, String> producer = producer()) {
            producer.send(new ProducerRecord<>(topic, "after", "after")).get();
        }
        List<String> next = new ArrayList<>();
        await().atMost(15, TimeUnit.SECONDS).until(() -> {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                next.add(r.key());
                consumer.acknowledge(r, AcknowledgeType.ACCEPT);
            }
            consumer.commitSync();
            return next.contains("after");
        });
        assertThat(deliveries).containsExactly((short) 1, (short) 2, (short) 3, (short) 4, (short) 5);
        assertThat(next).as("archived at the limit: never delivered again").doesNotContain("poison");
    }

    @Test
    void theToolDescribesResetsAndDeletesAShareGroup() throws Exception {
        String topic = "tool-share";
        String group = "tool";
        TopicPartition tp = new TopicPartition(topic, 0);
        createTopicWithRecords(topic);
        startAtEarliest(group);

        try (KafkaShareConsumer<String, String> consumer = subscribed(group, topic)) {
            assertThat(pollAll(consumer)).hasSize(ADMIN_RECORDS);
            consumer.commitSync();

            assertThat(shareGroups("--list")).contains(group);
            List<Map<String, String>> members = table(shareGroups("--describe", "--group", group, "--members"));
            assertThat(members).singleElement().satisfies(row -> {
                assertThat(row).containsEntry("GROUP", group).containsEntry("#PARTITIONS", "1")
                        .containsEntry("ASSIGNMENT", topic + ":0");
            });
            // The start offset is written as it was before the acknowledgement that moved it (Kafka 4.3.1's
            // share-partition does so); the records acknowledged past it make the lag 0.
            assertThat(table(shareGroups("--describe", "--group", group, "--offsets"))).singleElement()
                    .satisfies(row -> assertThat(row).containsEntry("TOPIC", topic).containsEntry("PARTITION", "0")
                            .containsEntry("START-OFFSET", "0").containsEntry("LAG", "0"));
        }

        // Empty now: back to the start; the next consumer gets every record again.
        assertThat(table(shareGroups("--reset-offsets", "--group", group, "--topic", topic, "--to-earliest",
                "--execute"))).singleElement().satisfies(row -> assertThat(row).containsEntry("NEW-OFFSET", "0"));
        assertThat(offsets(group)).containsOnlyKeys(tp);
        assertThat(offsets(group).get(tp).startOffset()).isZero();
        assertThat(offsets(group).get(tp).lag()).contains((long) ADMIN_RECORDS);
        try (KafkaShareConsumer<String, String> consumer = subscribed(group, topic)) {
            List<ConsumerRecord<String, String>> again = pollAll(consumer);
            assertThat(again).extracting(ConsumerRecord::offset).containsExactlyElementsOf(
                    java.util.stream.LongStream.range(0, ADMIN_RECORDS).boxed().toList());
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
        assertThat(altered.lag()).contains((long) ADMIN_RECORDS - 4);
        assertThat(broker.admin().alterShareGroupOffsets(group, Map.of(new TopicPartition(topic, 7), 1L))
                .partitionResult(new TopicPartition(topic, 7)))
                .failsWithin(Duration.ofSeconds(10)).withThrowableThat().havingCause()
                .isInstanceOf(UnknownTopicOrPartitionException.class);

        try (KafkaShareConsumer<String, String> consumer = subscribed(group, topic)) {
            assertThat(pollAll(consumer, ADMIN_RECORDS - 4)).extracting(ConsumerRecord::offset).first().isEqualTo(4L);
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
        createTopic(topic);
        Properties props = new Properties();
        props.put("bootstrap.servers", broker.bootstrapServers());
        try (KafkaProducer<String, String> producer =
                     new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < ADMIN_RECORDS; i++) {
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

    private static KafkaShareConsumer<String, String> subscribed(String group, String topic) {
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
        return pollAll(consumer, ADMIN_RECORDS);
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

    /** Produces warm-up records until a polling consumer has seen one ({@code warm} set). */
    private static void warmUp(KafkaProducer<String, String> producer, String topic, AtomicBoolean warm) {
        await().atMost(20, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(300)).until(() -> {
            producer.send(new ProducerRecord<>(topic, WARM_UP, WARM_UP));
            producer.flush();
            return warm.get();
        });
    }

    /** As {@link #warmUp} with one consumer polled here, which accepts the warm-up records. */
    private static void warmUpAccepting(KafkaProducer<String, String> producer, String topic,
                                        KafkaShareConsumer<String, String> consumer) {
        await().atMost(20, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(10)).until(() -> {
            producer.send(new ProducerRecord<>(topic, WARM_UP, WARM_UP));
            producer.flush();
            boolean seen = false;
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(300))) {
                consumer.acknowledge(r, AcknowledgeType.ACCEPT);
                seen = true;
            }
            consumer.commitSync();
            return seen;
        });
    }

    private static void createTopic(String topic) throws Exception {
        broker.admin().createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }

    private KafkaShareConsumer<String, String> consumer(String group, String acknowledgementMode) {
        return consumer(group, acknowledgementMode, 500);
    }

    /** @param maxPollRecords also the most records one ShareFetch acquires */
    private KafkaShareConsumer<String, String> consumer(String group, String acknowledgementMode, int maxPollRecords) {
        Properties props = new Properties();
        props.put("max.poll.records", String.valueOf(maxPollRecords));
        props.put("bootstrap.servers", broker.bootstrapServers());
        props.put("group.id", group);
        props.put("share.acknowledgement.mode", acknowledgementMode);
        KafkaShareConsumer<String, String> consumer =
                new KafkaShareConsumer<>(props, new StringDeserializer(), new StringDeserializer());
        if (acknowledgementMode.equals("explicit")) {
            closeables.add(consumer);
        }
        return consumer;
    }

    private KafkaProducer<String, String> producer() {
        Properties props = new Properties();
        props.put("bootstrap.servers", broker.bootstrapServers());
        props.put("linger.ms", "0");
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }
}
