package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one command each example's README starts it with, {@code examples/<example>/run}, against a
 * node: the script as a user runs it (bash, then the JVM it starts from the example's
 * {@code target/}, which the reactor has built before this module), with only the broker's address,
 * the REST port and the file paths given. {@code StreamsExactlyOnceIT} and
 * {@code ConnectExactlyOnceIT} test what the examples guarantee; this tests that the scripts start
 * them on a fresh node with no other tool: the word count creates its own topics and counts what
 * {@code run feed} produces, the Connect worker finds the file connectors on its class path and the
 * script creates both connectors.
 *
 * <p>Takes 10 to 15 s: a word count start-up, a {@code run feed}, and a Connect worker start-up.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ExampleRunScriptsIT {

    private static final Path EXAMPLES = Path.of(System.getProperty("strand.it.examplesDir", "../examples"));
    private static final Duration START = Duration.ofSeconds(90);

    @RegisterExtension
    static final BrokerUnderTest broker = BrokerUnderTest.chosenForTheRun()
            .withProperties(Map.of("group.initial.rebalance.delay.ms", "0",
                    // one partition each: the first transactional and group requests wait for these topics
                    "offsets.topic.num.partitions", "1",
                    "transaction.state.log.num.partitions", "1"));

    @TempDir
    Path dir;

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable closeable : closeables) {
            closeable.close();
        }
        ChildProcess.killLeftovers();
    }

    @Test
    void wordCountRunScriptCreatesItsTopicsAndCountsTheLinesItsFeedCommandProduces() {
        String wordCountRun = EXAMPLES.resolve("streams-word-count-eos/run").toString();
        ChildProcess.Running app = start(ChildProcess.of(wordCountRun,
                "bootstrap.servers=" + broker.bootstrapServers(),
                "state.dir=" + dir.resolve("state"),
                "commit.interval.ms=100"));
        awaitLine(app, line -> line.endsWith("-> RUNNING"));
        assertThat(app.stdoutLines()).as("what the app printed")
                .contains("TOPIC text-lines created with 4 partitions", "TOPIC word-counts created with 4 partitions");

        ChildProcess.Result fed = withJavaOptions(ChildProcess.of(wordCountRun, "feed",
                        "bootstrap.servers=" + broker.bootstrapServers()))
                .stdin("the quick brown fox\nthe lazy dog\n").timeout(Duration.ofSeconds(60)).run().assertSuccess();
        assertThat(fed.stdoutLines()).as("what feed printed").contains("FED 2 lines to text-lines");
        Map<String, Long> expected = Map.of("the", 2L, "quick", 1L, "brown", 1L, "fox", 1L, "lazy", 1L, "dog", 1L);
        Map<String, Long> latest = new TreeMap<>();
        try (KafkaConsumer<String, Long> counts = committedCounts()) {
            awaitOrDescribe(app, "the counts of both lines", () -> {
                for (ConsumerRecord<String, Long> record : counts.poll(Duration.ofMillis(200))) {
                    latest.put(record.key(), record.value());
                }
                return latest.equals(expected);
            });
        }
    }

    @Test
    void connectRunScriptStartsTheWorkerAndCreatesBothConnectors() throws IOException {
        Path input = dir.resolve("in/input.txt");
        Path output = dir.resolve("out/output.txt");
        ChildProcess.Running pipeline = start(ChildProcess.of(
                        EXAMPLES.resolve("connect-file-pipeline/run").toString(),
                        "bootstrap.servers=" + broker.bootstrapServers(),
                        "listeners=http://127.0.0.1:" + freePort())
                .env("INPUT_FILE", input.toString())
                .env("OUTPUT_FILE", output.toString()));
        awaitLine(pipeline, line -> line.startsWith("Pipeline running"));
        assertThat(pipeline.stdoutLines()).as("what the script printed")
                .contains("Created connector file-source", "Created connector file-sink");
        assertThat(input).as("input file the script created").exists();

        List<String> lines = IntStream.rangeClosed(1, 100).mapToObj(i -> String.format("line-%05d", i)).toList();
        Files.write(input, lines, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        awaitOrDescribe(pipeline, "the lines in the output file",
                () -> Files.exists(output) && Files.readAllLines(output).size() >= lines.size());
        assertThat(Files.readAllLines(output)).containsExactlyElementsOf(lines);
    }

    private ChildProcess.Running start(ChildProcess command) {
        ChildProcess.Running running = withJavaOptions(command).start();
        closeables.add(running);
        return running;
    }

    /** The scripts' JVMs small and quick to start, as the other child JVMs of these tests. */
    private static ChildProcess withJavaOptions(ChildProcess command) {
        return command.env("JAVA_OPTS", "-Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC "
                + "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
    }

    private static void awaitLine(ChildProcess.Running process, Predicate<String> line) {
        awaitOrDescribe(process, "the line it prints when started",
                () -> process.stdoutLines().stream().anyMatch(line));
    }

    /** Waits for {@code condition} while {@code process} runs; a failure shows what it printed. */
    private static void awaitOrDescribe(ChildProcess.Running process, String what, Callable<Boolean> condition) {
        try {
            await(what).atMost(START).pollInterval(Duration.ofMillis(100)).until(() -> {
                if (!process.isAlive()) {
                    throw new AssertionError("waiting for " + what + ", " + process.describe("ended"));
                }
                return condition.call();
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(process.describe("running"), e);
        }
    }

    private static KafkaConsumer<String, Long> committedCounts() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "run-script-reader");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        KafkaConsumer<String, Long> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new LongDeserializer());
        consumer.subscribe(List.of("word-counts"));
        return consumer;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
