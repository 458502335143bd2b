package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * librdkafka's group consumer against one node, through confluent-kafka-python
 * ({@code src/test/python/group_consume.py}) and kcat's balanced consumer ({@code kcat -G}).
 *
 * <p>The python member subscribes, reads, commits the position after its last record of each
 * partition and closes; a second member of the same group then starts exactly there. Two kcat
 * members of one group split the partitions between them and each partition's records reach
 * exactly one of them, each once.
 *
 * <p>Record i of partition p has value {@code p-i}.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class LibrdkafkaGroupIT {

    private static Path python;
    private static Path kcat;
    private static final Path SCRIPTS = Path.of(System.getProperty("strand.it.pythonDir", "src/test/python"));
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(45);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** kcat's line on standard error after each assignment: {@code ... rebalanced (...): assigned: t [0], t [2]}. */
    private static final Pattern KCAT_ASSIGNED = Pattern.compile("rebalanced .*: assigned: (.*)$");
    private static final Pattern KCAT_PARTITION = Pattern.compile("\\[(\\d+)\\]");

    @RegisterExtension
    static final BrokerUnderTest broker = BrokerUnderTest.chosenForTheRun()
            .withProperties(Map.of("group.initial.rebalance.delay.ms", "0"));

    private final List<ChildProcess.Running> members = new ArrayList<>();

    @BeforeAll
    static void requireTheClients() {
        python = Tools.requirePython();
        kcat = Tools.requireKcat();
    }

    @AfterEach
    void killLeftoverClients() {
        members.forEach(ChildProcess.Running::close);
        ChildProcess.killLeftovers();
    }

    @Test
    void secondMemberResumesAtTheOffsetsTheFirstCommitted() throws Exception {
        String topic = "rd-resume";
        String group = "rd-resume-group";
        Topics.create(broker.bootstrapServers(), topic, 3);
        produce(topic, 3, 10);

        JsonNode first = groupConsume(topic, group, 12);

        assertThat(first.get("errors")).as("errors of %s", first).isEmpty();
        assertThat(ints(first.get("assigned"))).containsExactly(0, 1, 2);
        List<String> firstRead = values(first);
        assertThat(firstRead).hasSize(12).doesNotHaveDuplicates();
        Map<Integer, Long> nextOffsets = nextOffsets(first);
        assertThat(committedOffsets(group, topic)).isEqualTo(nextOffsets);
        // within a partition a member reads from offset 0 on without gaps
        nextOffsets.forEach((partition, next) -> assertThat(firstRead)
                .filteredOn(value -> value.startsWith(partition + "-")).hasSize(next.intValue()));

        JsonNode second = groupConsume(topic, group, -1);

        assertThat(second.get("errors")).as("errors of %s", second).isEmpty();
        List<String> secondRead = values(second);
        assertThat(secondRead).doesNotHaveDuplicates().doesNotContainAnyElementsOf(firstRead);
        Set<String> both = new HashSet<>(firstRead);
        both.addAll(secondRead);
        assertThat(both).containsExactlyInAnyOrderElementsOf(expectedValues(3, 10));
        // the second member starts each partition at the committed offset (at 0 where none was committed)
        Map<Integer, Long> firstOffsetsOfSecond = new TreeMap<>();
        for (JsonNode record : second.get("records")) {
            firstOffsetsOfSecond.merge(record.get("partition").asInt(), record.get("offset").asLong(), Math::min);
        }
        Map<Integer, Long> expectedStarts = new TreeMap<>();
        for (int partition = 0; partition < 3; partition++) {
            long committed = nextOffsets.getOrDefault(partition, 0L);
            if (committed < 10) {
                expectedStarts.put(partition, committed);
            }
        }
        assertThat(firstOffsetsOfSecond).isEqualTo(expectedStarts);
        assertThat(committedOffsets(group, topic)).isEqualTo(Map.of(0, 10L, 1, 10L, 2, 10L));
    }

    @Test
    void twoKcatBalancedConsumersSplitThePartitionsAndReadEverythingOnce() throws Exception {
        String topic = "rd-kcat-group";
        String group = "rd-kcat-group";
        int partitions = 4;
        int recordsPerPartition = 25;
        Topics.create(broker.bootstrapServers(), topic, partitions);

        ChildProcess.Running a = kcatMember(group, topic);
        await("first kcat member owns every partition").atMost(Duration.ofSeconds(30))
                .until(() -> lastAssigned(a).size() == partitions);
        ChildProcess.Running b = kcatMember(group, topic);
        await("two kcat members splitting the partitions").atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> {
                    assertThat(lastAssigned(a)).as(a.describe("a")).hasSize(partitions / 2);
                    assertThat(lastAssigned(b)).as(b.describe("b")).hasSize(partitions / 2);
                    Set<Integer> all = new TreeSet<>(lastAssigned(a));
                    all.addAll(lastAssigned(b));
                    assertThat(all).containsExactly(0, 1, 2, 3);
                });
        Set<Integer> ofA = lastAssigned(a);
        Set<Integer> ofB = lastAssigned(b);

        produce(topic, partitions, recordsPerPartition);

        await("every record read").atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(a.stdoutLines().size() + b.stdoutLines().size())
                        .as(a.describe("a") + "\n" + b.describe("b"))
                        .isGreaterThanOrEqualTo(partitions * recordsPerPartition));
        assertThat(kcatRecordPartitions(a)).as(a.describe("a")).isEqualTo(ofA);
        assertThat(kcatRecordPartitions(b)).as(b.describe("b")).isEqualTo(ofB);
        List<String> read = new ArrayList<>(a.stdoutLines());
        read.addAll(b.stdoutLines());
        List<String> expected = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            for (int i = 0; i < recordsPerPartition; i++) {
                expected.add(p + "|" + i + "|" + p + "-" + i);
            }
        }
        assertThat(read).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(lastAssigned(a)).as("no rebalance while reading").isEqualTo(ofA);
        assertThat(lastAssigned(b)).as("no rebalance while reading").isEqualTo(ofB);
    }

    /** A kcat balanced consumer in the background; prints partition|offset|value per record, unbuffered. */
    private ChildProcess.Running kcatMember(String group, String topic) {
        ChildProcess.Running member = ChildProcess.of(kcat.toString(), "-b", broker.bootstrapServers(), "-G", group,
                "-o", "beginning", "-u", "-f", "%p|%o|%s\\n", "-X", "session.timeout.ms=10000", topic).start();
        members.add(member);
        return member;
    }

    /** The partitions of kcat's last "assigned" line on standard error, empty before the first. */
    private static Set<Integer> lastAssigned(ChildProcess.Running member) {
        Set<Integer> partitions = new TreeSet<>();
        for (String line : member.stderrLines()) {
            Matcher assigned = KCAT_ASSIGNED.matcher(line);
            if (assigned.find()) {
                partitions.clear();
                Matcher partition = KCAT_PARTITION.matcher(assigned.group(1));
                while (partition.find()) {
                    partitions.add(Integer.parseInt(partition.group(1)));
                }
            }
        }
        return partitions;
    }

    private static Set<Integer> kcatRecordPartitions(ChildProcess.Running member) {
        Set<Integer> partitions = new TreeSet<>();
        member.stdoutLines().forEach(line -> partitions.add(Integer.parseInt(line.split("\\|", 2)[0])));
        return partitions;
    }

    private static void produce(String topic, int partitions, int recordsPerPartition) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            for (int p = 0; p < partitions; p++) {
                for (int i = 0; i < recordsPerPartition; i++) {
                    producer.send(new ProducerRecord<>(topic, p, null, p + "-" + i));
                }
            }
            producer.flush();
        }
    }

    private static List<String> expectedValues(int partitions, int recordsPerPartition) {
        return IntStream.range(0, partitions).boxed()
                .flatMap(p -> IntStream.range(0, recordsPerPartition).mapToObj(i -> p + "-" + i))
                .toList();
    }

    /** The values the script read, each checked to sit at the offset it was produced at. */
    private static List<String> values(JsonNode consumed) {
        List<String> values = new ArrayList<>();
        for (JsonNode record : consumed.get("records")) {
            String value = record.get("value").asText();
            assertThat(value).as("partition-offset of %s", record)
                    .isEqualTo(record.get("partition").asInt() + "-" + record.get("offset").asLong());
            values.add(value);
        }
        return values;
    }

    /** Partition to the offset after the last record read of it, as the script committed. */
    private static Map<Integer, Long> nextOffsets(JsonNode consumed) {
        Map<Integer, Long> offsets = new TreeMap<>();
        for (JsonNode committed : consumed.get("committed")) {
            offsets.put(committed.get("partition").asInt(), committed.get("offset").asLong());
        }
        return offsets;
    }

    private static Map<Integer, Long> committedOffsets(String group, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            Map<Integer, Long> byPartition = new TreeMap<>();
            offsets.forEach((tp, offset) -> {
                if (tp.topic().equals(topic)) {
                    byPartition.put(tp.partition(), offset.offset());
                }
            });
            return byPartition;
        }
    }

    private static JsonNode groupConsume(String topic, String group, int maxRecords) {
        ChildProcess.Result result = ChildProcess.of(python.toString(), SCRIPTS.resolve("group_consume.py").toString(),
                broker.bootstrapServers(), topic, group, Integer.toString(maxRecords)).timeout(CLIENT_TIMEOUT).run().assertSuccess();
        try {
            return JSON.readTree(result.stdout());
        } catch (IOException e) {
            throw new UncheckedIOException(result.describe("printed no JSON"), e);
        }
    }

    private static List<Integer> ints(JsonNode array) {
        List<Integer> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asInt()));
        return values;
    }
}
