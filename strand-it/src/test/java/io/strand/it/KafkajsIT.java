package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * kafkajs (the pure-JavaScript client, version pinned in {@code src/test/js/package-lock.json})
 * against one node, through the scripts in {@code src/test/js}: admin createTopics,
 * fetchTopicMetadata, listTopics and fetchTopicOffsets; producer send with and without gzip; reading
 * a partition without a consumer group (kafkajs' broker-level Fetch, since its public consumer
 * always joins a group); and the public group consumer where the broker serves groups.
 *
 * <p>The scripts' npm dependencies must be installed beforehand ({@link Tools#NPM_CI}); without
 * them the class fails on CI and is skipped elsewhere.
 * Record i of a produced partition has key {@code key-i}, value {@code value-i}, header
 * {@code seq=i}.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class KafkajsIT {

    private static Path node;
    private static Path scripts;
    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(45);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Every group here has one member at a time: its first rebalance need not wait for others. */
    @RegisterExtension
    static final BrokerUnderTest broker = BrokerUnderTest.chosenForTheRun()
            .withProperties(Map.of("group.initial.rebalance.delay.ms", "0"));

    @BeforeAll
    static void requireTheClients() {
        node = Tools.requireNode();
        scripts = Tools.requireKafkajs();
    }

    @AfterEach
    void killLeftoverClients() {
        ChildProcess.killLeftovers();
    }

    @Test
    void adminCreatesTopicAndReadsItsMetadata() {
        JsonNode created = script("admin.js", broker.bootstrapServers(), "create", "js-admin", "3", "retention.ms=3600000");
        assertThat(created.get("created").asBoolean()).as("createTopics answer").isTrue();

        JsonNode metadata = script("admin.js", broker.bootstrapServers(), "metadata", "js-admin");
        JsonNode listed = script("admin.js", broker.bootstrapServers(), "list");

        JsonNode topic = metadata.get("topics").get(0);
        assertThat(topic.get("name").asText()).isEqualTo("js-admin");
        List<Integer> partitionIds = new ArrayList<>();
        int leader = topic.get("partitions").get(0).get("leader").asInt();
        for (JsonNode partition : topic.get("partitions")) {
            partitionIds.add(partition.get("partitionId").asInt());
            assertThat(partition.get("partitionErrorCode").asInt()).isZero();
            assertThat(partition.get("leader").asInt()).isEqualTo(leader);
            assertThat(ints(partition.get("replicas"))).containsExactly(leader);
            assertThat(ints(partition.get("isr"))).containsExactly(leader);
        }
        assertThat(partitionIds).containsExactlyInAnyOrder(0, 1, 2);
        assertThat(texts(listed.get("topics"))).contains("js-admin");
    }

    @Test
    void sendReportsBaseOffsetsAndTopicOffsetsShowTheWatermarks() {
        Topics.create(broker.bootstrapServers(), "js-offsets", 2);

        JsonNode first = script("produce.js", broker.bootstrapServers(), "js-offsets", "0", "7", "none");
        JsonNode second = script("produce.js", broker.bootstrapServers(), "js-offsets", "0", "3", "gzip");
        script("produce.js", broker.bootstrapServers(), "js-offsets", "1", "2", "none");
        JsonNode offsets = script("admin.js", broker.bootstrapServers(), "offsets", "js-offsets");

        assertThat(sendResult(first)).isEqualTo("js-offsets/0 error=0 base=0");
        assertThat(sendResult(second)).isEqualTo("js-offsets/0 error=0 base=7");
        List<String> watermarks = new ArrayList<>();
        for (JsonNode partition : offsets.get("partitions")) {
            watermarks.add(partition.get("partition").asInt() + ": low=" + partition.get("low").asLong()
                    + " high=" + partition.get("high").asLong() + " offset=" + partition.get("offset").asLong());
        }
        assertThat(watermarks).containsExactlyInAnyOrder(
                "0: low=0 high=10 offset=10",
                "1: low=0 high=2 offset=2");
    }

    @Test
    void fetchesAPartitionWithoutAConsumerGroup() {
        Topics.create(broker.bootstrapServers(), "js-fetch", 2);
        script("produce.js", broker.bootstrapServers(), "js-fetch", "0", "6", "none");
        script("produce.js", broker.bootstrapServers(), "js-fetch", "1", "4", "gzip");

        JsonNode all = script("fetch.js", broker.bootstrapServers(), "js-fetch", "0", "0", "6");
        JsonNode middle = script("fetch.js", broker.bootstrapServers(), "js-fetch", "1", "1", "2");

        assertThat(records(all)).containsExactlyElementsOf(expectedRecords(0, 6));
        assertThat(all.get("highWatermark").asLong()).isEqualTo(6);
        // gzip batch: the broker answers the whole batch, the client keeps offsets 1 and 2
        assertThat(records(middle)).containsExactlyElementsOf(expectedRecords(1, 3));
        assertThat(middle.get("highWatermark").asLong()).isEqualTo(4);
    }

    @Test
    void groupConsumerReadsEveryPartitionFromTheBeginning() {
        Topics.create(broker.bootstrapServers(), "js-group", 2);
        script("produce.js", broker.bootstrapServers(), "js-group", "0", "3", "none");
        script("produce.js", broker.bootstrapServers(), "js-group", "1", "2", "gzip");

        JsonNode consumed = script("consume-group.js", broker.bootstrapServers(), "js-group", "js-group-reader", "5");

        List<String> byPartition = new ArrayList<>();
        for (JsonNode record : consumed.get("records")) {
            byPartition.add(record.get("partition").asInt() + "/" + record.get("offset").asLong()
                    + " " + record.get("key").asText() + "=" + record.get("value").asText());
        }
        assertThat(byPartition).containsExactlyInAnyOrder(
                "0/0 key-0=value-0", "0/1 key-1=value-1", "0/2 key-2=value-2",
                "1/0 key-0=value-0", "1/1 key-1=value-1");
    }

    @Test
    void groupMemberCommitsLeavesAndTheNextMemberResumesAtTheCommittedOffset() {
        Topics.create(broker.bootstrapServers(), "js-resume", 1);
        script("produce.js", broker.bootstrapServers(), "js-resume", "0", "7", "none");

        JsonNode first = script("consume-group-commit.js", broker.bootstrapServers(), "js-resume", "js-resumer", "3");
        JsonNode second = script("consume-group-commit.js", broker.bootstrapServers(), "js-resume", "js-resumer", "4");

        assertThat(first.get("records")).extracting(r -> r.get("offset").asLong()).containsExactly(0L, 1L, 2L);
        assertThat(second.get("records")).extracting(r -> r.get("offset").asLong()).containsExactly(3L, 4L, 5L, 6L);
        assertThat(second.get("records").get(0).get("value").asText()).isEqualTo("value-3");
    }

    private static String sendResult(JsonNode produced) {
        assertThat(produced.get("metadata")).as("send result %s", produced).hasSize(1);
        JsonNode partition = produced.get("metadata").get(0);
        return partition.get("topicName").asText() + "/" + partition.get("partition").asInt()
                + " error=" + partition.get("errorCode").asInt() + " base=" + partition.get("baseOffset").asLong();
    }

    /** offset|key|value|headers, one string per fetched record. */
    private static List<String> records(JsonNode fetched) {
        List<String> records = new ArrayList<>();
        for (JsonNode record : fetched.get("records")) {
            records.add(record.get("offset").asLong() + "|" + record.get("key").asText()
                    + "|" + record.get("value").asText() + "|" + record.get("headers"));
        }
        return records;
    }

    private static List<String> expectedRecords(int fromOffset, int toOffset) {
        return IntStream.range(fromOffset, toOffset)
                .mapToObj(i -> i + "|key-" + i + "|value-" + i + "|{\"seq\":\"" + i + "\"}")
                .toList();
    }

    private static List<Integer> ints(JsonNode array) {
        List<Integer> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asInt()));
        return values;
    }

    private static List<String> texts(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }

    /** Runs {@code script} with {@code args}, expects exit code 0 and returns its JSON output. */
    private static JsonNode script(String script, String... args) {
        List<String> command = new ArrayList<>(List.of(node.toString(), script));
        command.addAll(List.of(args));
        ChildProcess.Result result = ChildProcess.of(command).workDir(scripts).timeout(SCRIPT_TIMEOUT)
                .run().assertSuccess();
        try {
            return JSON.readTree(result.stdout());
        } catch (IOException e) {
            throw new UncheckedIOException(result.describe("printed no JSON"), e);
        }
    }
}
