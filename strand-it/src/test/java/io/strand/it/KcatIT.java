package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * kcat (librdkafka's command-line client) against one node: metadata, keyed produce with headers,
 * every compression codec, and consuming from absolute, logical and relative offsets.
 *
 * <p>Each test owns its topic. Records are read back with a {@code -f} format that prints offset,
 * key length, key, value and headers, so a null key, an empty key and a wrong offset all show.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class KcatIT {

    private static Path kcat;
    private static final Duration KCAT_TIMEOUT = Duration.ofSeconds(30);
    /** offset|key length (-1 = null)|key|value|headers (a=b,c=d) */
    private static final String RECORD_FORMAT = "%o|%K|%k|%s|%h\\n";

    @RegisterExtension
    static final BrokerUnderTest broker = BrokerUnderTest.chosenForTheRun();

    @BeforeAll
    static void requireTheClients() {
        kcat = Tools.requireKcat();
    }

    @AfterEach
    void killLeftoverClients() {
        ChildProcess.killLeftovers();
    }

    @Test
    void metadataListsTopicWithEveryPartitionLedByTheNode() throws Exception {
        Topics.create(broker.bootstrapServers(), "kcat-metadata", 3);

        String json = kcat("-L", "-J", "-t", "kcat-metadata").assertSuccess().stdout();

        JsonNode metadata = new ObjectMapper().readTree(json);
        assertThat(metadata.get("brokers")).hasSize(1);
        int nodeId = metadata.get("brokers").get(0).get("id").asInt();
        assertThat(metadata.get("brokers").get(0).get("name").asText()).isEqualTo(broker.bootstrapServers());
        JsonNode topic = metadata.get("topics").get(0);
        assertThat(topic.get("topic").asText()).isEqualTo("kcat-metadata");
        assertThat(topic.has("error")).as("topic error in %s", json).isFalse();
        List<Integer> partitions = new ArrayList<>();
        for (JsonNode partition : topic.get("partitions")) {
            partitions.add(partition.get("partition").asInt());
            assertThat(partition.get("leader").asInt()).isEqualTo(nodeId);
            assertThat(partition.get("replicas").findValuesAsText("id")).containsExactly(Integer.toString(nodeId));
            assertThat(partition.get("isrs").findValuesAsText("id")).containsExactly(Integer.toString(nodeId));
        }
        assertThat(partitions).containsExactlyInAnyOrder(0, 1, 2);
    }

    @Test
    void keyedProduceWithHeadersReadsBackKeysValuesHeadersAndOffsets() {
        Topics.create(broker.bootstrapServers(), "kcat-keyed", 1);

        kcatWithInput("k1:v1\nk2:v2\n:empty-key\nk4:\n",
                "-P", "-t", "kcat-keyed", "-p", "0", "-K:", "-H", "a=b", "-H", "trace=x=y").assertSuccess();

        assertThat(consume("kcat-keyed", "beginning")).containsExactly(
                "0|2|k1|v1|a=b,trace=x=y",
                "1|2|k2|v2|a=b,trace=x=y",
                "2|0||empty-key|a=b,trace=x=y",
                "3|2|k4||a=b,trace=x=y");
    }

    @Test
    void unkeyedProduceReadsBackNullKeysWithoutHeaders() {
        Topics.create(broker.bootstrapServers(), "kcat-unkeyed", 1);

        kcatWithInput("first\nsecond\n", "-P", "-t", "kcat-unkeyed", "-p", "0").assertSuccess();

        assertThat(consume("kcat-unkeyed", "beginning")).containsExactly("0|-1||first|", "1|-1||second|");
    }

    @ParameterizedTest(name = "-z {0}")
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void producesWithEveryCompressionCodec(String codec) {
        String topic = "kcat-codec-" + codec;
        Topics.create(broker.bootstrapServers(), topic, 1);
        // long repetitive values, so that librdkafka really sends compressed batches
        List<String> values = IntStream.range(0, 20)
                .mapToObj(i -> "value-" + i + "-" + "abcdefgh".repeat(64))
                .toList();

        kcatWithInput(String.join("\n", values) + "\n",
                "-P", "-t", topic, "-p", "0", "-z", codec, "-X", "linger.ms=50").assertSuccess();

        List<String> expected = IntStream.range(0, values.size())
                .mapToObj(i -> i + "|-1||" + values.get(i) + "|")
                .toList();
        assertThat(consume(topic, "beginning")).containsExactlyElementsOf(expected);
    }

    @Test
    void consumesFromAbsoluteLogicalAndRelativeOffsets() {
        Topics.create(broker.bootstrapServers(), "kcat-offsets", 1);
        String input = IntStream.range(0, 10).mapToObj(i -> "k" + i + ":v" + i + "\n").reduce("", String::concat);
        kcatWithInput(input, "-P", "-t", "kcat-offsets", "-p", "0", "-K:").assertSuccess();

        assertThat(consume("kcat-offsets", "7")).containsExactly("7|2|k7|v7|", "8|2|k8|v8|", "9|2|k9|v9|");
        assertThat(consume("kcat-offsets", "beginning"))
                .hasSize(10)
                .startsWith("0|2|k0|v0|")
                .endsWith("9|2|k9|v9|");
        assertThat(consume("kcat-offsets", "-2")).containsExactly("8|2|k8|v8|", "9|2|k9|v9|");
        assertThat(consume("kcat-offsets", "end")).isEmpty();
    }

    @Test
    void producesToChosenPartitionsAndReadsEachBackSeparately() {
        Topics.create(broker.bootstrapServers(), "kcat-partitioned", 2);

        kcatWithInput("a:1\nb:2\n", "-P", "-t", "kcat-partitioned", "-p", "0", "-K:").assertSuccess();
        kcatWithInput("c:3\n", "-P", "-t", "kcat-partitioned", "-p", "1", "-K:").assertSuccess();

        assertThat(consume("kcat-partitioned", 0, "beginning")).containsExactly("0|1|a|1|", "1|1|b|2|");
        assertThat(consume("kcat-partitioned", 1, "beginning")).containsExactly("0|1|c|3|");
    }

    /** Reads partition 0 of {@code topic} from {@code offset} to its end, one formatted line per record. */
    private static List<String> consume(String topic, String offset) {
        return consume(topic, 0, offset);
    }

    private static List<String> consume(String topic, int partition, String offset) {
        return kcat("-C", "-t", topic, "-p", Integer.toString(partition), "-o", offset, "-e", "-q",
                "-f", RECORD_FORMAT)
                .assertSuccess()
                .stdoutLines();
    }

    private static ChildProcess.Result kcat(String... args) {
        return kcatWithInput("", args);
    }

    private static ChildProcess.Result kcatWithInput(String stdin, String... args) {
        List<String> command = new ArrayList<>(List.of(kcat.toString(), "-b", broker.bootstrapServers()));
        command.addAll(List.of(args));
        return ChildProcess.of(command).stdin(stdin).timeout(KCAT_TIMEOUT).run();
    }
}
