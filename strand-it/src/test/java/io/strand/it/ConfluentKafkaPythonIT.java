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
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * confluent-kafka-python (librdkafka underneath) against one node, through the scripts in
 * {@code src/test/python}: AdminClient create/list topics, an idempotent producer with delivery
 * reports, a consumer on a manual assignment, {@code get_watermark_offsets} and
 * {@code offsets_for_times}.
 *
 * <p>The scripts run under the python {@link Tools#requirePython()} finds (one that can import
 * confluent_kafka) and print one JSON object each, which the tests check. Record i
 * of a produced partition has key {@code key-i}, value {@code value-i}, header {@code seq=i} and
 * timestamp {@link #BASE_TIMESTAMP_MS} + i seconds.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ConfluentKafkaPythonIT {

    private static Path python;
    private static final Path SCRIPTS = Path.of(System.getProperty("strand.it.pythonDir", "src/test/python"));
    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(45);
    private static final long BASE_TIMESTAMP_MS = 1_600_000_000_000L;
    private static final int CREATE_TIME = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final BrokerUnderTest broker = BrokerUnderTest.chosenForTheRun();

    @BeforeAll
    static void requireTheClients() {
        python = Tools.requirePython();
    }

    @AfterEach
    void killLeftoverClients() {
        ChildProcess.killLeftovers();
    }

    @Test
    void adminClientCreatesTopicThatListTopicsShows() {
        JsonNode created = script("admin.py", broker.bootstrapServers(), "create", "py-admin", "3", "retention.ms=3600000");
        assertThat(created.get("created").asText()).isEqualTo("py-admin");

        JsonNode cluster = script("admin.py", broker.bootstrapServers(), "list");

        assertThat(cluster.get("brokers")).hasSize(1);
        JsonNode node = cluster.get("brokers").get(0);
        assertThat(node.get("host").asText() + ":" + node.get("port").asInt()).isEqualTo(broker.bootstrapServers());
        assertThat(cluster.get("controller_id").asInt()).isEqualTo(node.get("id").asInt());
        assertThat(cluster.get("cluster_id").asText()).isNotBlank();
        JsonNode topic = cluster.get("topics").get("py-admin");
        assertThat(topic).as("py-admin in %s", cluster).isNotNull();
        assertThat(topic.get("error").isNull()).as("topic error %s", topic).isTrue();
        assertThat(ints(topic.get("partitions"))).containsExactly(0, 1, 2);
        assertThat(ints(topic.get("leaders"))).containsExactly(node.get("id").asInt());
    }

    @Test
    void idempotentProducerDeliversEveryRecordInOrderUnderAProducerId() {
        Topics.create(broker.bootstrapServers(), "py-idempotent", 1);

        JsonNode report = produce("py-idempotent", 50);

        assertThat(report.get("errors")).isEmpty();
        assertThat(report.get("undelivered").asInt()).isZero();
        List<String> delivered = new ArrayList<>();
        for (JsonNode delivery : report.get("delivered")) {
            delivered.add(delivery.get("key").asText() + "@" + delivery.get("partition").asInt()
                    + ":" + delivery.get("offset").asLong());
        }
        assertThat(delivered).containsExactlyElementsOf(
                IntStream.range(0, 50).mapToObj(i -> "key-" + i + "@0:" + i).toList());
        JsonNode eos = report.get("eos");
        assertThat(eos.get("idemp_state").asText()).as("librdkafka idempotence state").isEqualTo("Assigned");
        assertThat(eos.get("producer_id").asLong()).isNotNegative();
        assertThat(eos.get("producer_epoch").asInt()).isNotNegative();
    }

    @Test
    void assignedConsumerReadsRecordsBackWithKeysHeadersAndTimestamps() {
        Topics.create(broker.bootstrapServers(), "py-consume", 1);
        produce("py-consume", 20);

        JsonNode all = script("consume.py", broker.bootstrapServers(), "py-consume", "0", "0", "20");
        JsonNode tail = script("consume.py", broker.bootstrapServers(), "py-consume", "0", "17", "3");

        assertThat(all.get("errors")).isEmpty();
        assertThat(records(all)).containsExactlyElementsOf(expectedRecords(0, 20));
        assertThat(tail.get("errors")).isEmpty();
        assertThat(records(tail)).containsExactlyElementsOf(expectedRecords(17, 20));
    }

    @Test
    void watermarksAndOffsetsForTimesMatchTheProducedRecords() {
        Topics.create(broker.bootstrapServers(), "py-offsets", 1);
        produce("py-offsets", 10);

        JsonNode offsets = script("offsets.py", broker.bootstrapServers(), "py-offsets", "0",
                Long.toString(BASE_TIMESTAMP_MS - 1),
                Long.toString(BASE_TIMESTAMP_MS),
                Long.toString(BASE_TIMESTAMP_MS + 6_500),
                Long.toString(BASE_TIMESTAMP_MS + 9_000),
                Long.toString(BASE_TIMESTAMP_MS + 9_001));

        assertThat(offsets.get("low").asLong()).isZero();
        assertThat(offsets.get("high").asLong()).isEqualTo(10);
        List<String> byTime = new ArrayList<>();
        for (JsonNode answer : offsets.get("offsets_for_times")) {
            assertThat(answer.get("error").isNull()).as("lookup error %s", answer).isTrue();
            byTime.add(answer.get("timestamp").asLong() - BASE_TIMESTAMP_MS + "ms->" + answer.get("offset").asLong());
        }
        // earliest record at or after the timestamp; none after the last one (librdkafka says -1, "end")
        assertThat(byTime).containsExactly("-1ms->0", "0ms->0", "6500ms->7", "9000ms->9", "9001ms->-1");
    }

    private static JsonNode produce(String topic, int count) {
        JsonNode report = script("produce.py", broker.bootstrapServers(), topic, "0", Integer.toString(count),
                Long.toString(BASE_TIMESTAMP_MS));
        assertThat(report.get("delivered")).as("deliveries of %s", report).hasSize(count);
        return report;
    }

    /** offset|key|value|headers|timestamp type|timestamp, one string per consumed record. */
    private static List<String> records(JsonNode consumed) {
        List<String> records = new ArrayList<>();
        for (JsonNode record : consumed.get("records")) {
            records.add(record.get("offset").asLong() + "|" + record.get("key").asText()
                    + "|" + record.get("value").asText() + "|" + record.get("headers")
                    + "|" + record.get("timestamp_type").asInt() + "|" + record.get("timestamp").asLong());
        }
        return records;
    }

    private static List<String> expectedRecords(int fromOffset, int toOffset) {
        return IntStream.range(fromOffset, toOffset)
                .mapToObj(i -> i + "|key-" + i + "|value-" + i + "|[[\"seq\",\"" + i + "\"]]"
                        + "|" + CREATE_TIME + "|" + (BASE_TIMESTAMP_MS + i * 1000L))
                .toList();
    }

    private static List<Integer> ints(JsonNode array) {
        List<Integer> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asInt()));
        return values;
    }

    /** Runs {@code script} with {@code args}, expects exit code 0 and returns its JSON output. */
    private static JsonNode script(String script, String... args) {
        List<String> command = new ArrayList<>(List.of(python.toString(), SCRIPTS.resolve(script).toString()));
        command.addAll(List.of(args));
        ChildProcess.Result result = ChildProcess.of(command).timeout(SCRIPT_TIMEOUT).run().assertSuccess();
        try {
            return JSON.readTree(result.stdout());
        } catch (IOException e) {
            throw new UncheckedIOException(result.describe("printed no JSON"), e);
        }
    }
}
