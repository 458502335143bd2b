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
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
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
 * script creates both connectors, and the PostgreSQL pipeline's script creates Debezium's source for
 * the database its {@code POSTGRES_URL} names (a {@link PostgresServer} of the test's own) and the file
 * sink, whose file then shows the snapshot and the changes.
 *
 * <p>Takes 20 to 30 s: a word count start-up, a {@code run feed}, and two Connect worker start-ups.
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

    @Test
    void postgresRunScriptStartsTheWorkerAndCreatesTheSourceAndTheSinkForTheDatabaseItsUrlNames() throws Exception {
        PostgresServer postgres = PostgresServer.start(Map.of("wal_level", "logical",
                "max_wal_senders", "4", "max_replication_slots", "4"));
        closeables.add(postgres);
        try (Connection db = postgres.connect(); Statement statement = db.createStatement()) {
            statement.execute("CREATE TABLE customers (id integer PRIMARY KEY, name text NOT NULL, email text)");
            statement.execute("INSERT INTO customers VALUES (1, 'Ann', 'ann@example.com')");
        }
        Path output = dir.resolve("out/customers.txt");
        ChildProcess.Running pipeline = start(ChildProcess.of(
                        EXAMPLES.resolve("connect-postgres-pipeline/run").toString(),
                        "bootstrap.servers=" + broker.bootstrapServers(),
                        "listeners=http://127.0.0.1:" + freePort())
                .env("POSTGRES_URL", postgres.uri())
                .env("OUTPUT_FILE", output.toString()));
        awaitLine(pipeline, line -> line.startsWith("Pipeline running"));
        assertThat(pipeline.stdoutLines()).as("what the script printed")
                .contains("Created connector postgres-source", "Created connector customers-file-sink");
        // The changes below come after the connector's snapshot (which would otherwise hold them as rows).
        String snapshotLine = "{id=1, name=Ann, email=ann@example.com}";
        awaitOrDescribe(pipeline, "the snapshot in the output file",
                () -> sinkLines(output).contains(snapshotLine));

        try (Connection db = postgres.connect(); Statement statement = db.createStatement()) {
            statement.execute("UPDATE customers SET email = 'ann@example.org' WHERE id = 1");
            statement.execute("INSERT INTO customers VALUES (2, 'Bob', NULL)");
            statement.execute("DELETE FROM customers WHERE id = 1");
        }
        List<String> expected = List.of(snapshotLine,
                "{id=1, name=Ann, email=ann@example.org}", "{id=2, name=Bob, email=null}", "null");
        awaitOrDescribe(pipeline, "the snapshot and the three changes in the output file",
                () -> sinkLines(output).size() >= expected.size());
        assertThat(sinkLines(output)).containsExactlyElementsOf(expected);
    }

    /**
     * The file sink's lines with each row's fields in the table's order: it prints a row as a Java map
     * ({@code {email=..., id=1, name=Ann}}, in no set order), and a tombstone as {@code null}.
     */
    private static List<String> sinkLines(Path output) throws IOException {
        if (!Files.exists(output)) {
            return List.of();
        }
        List<String> columns = List.of("id", "name", "email");
        return Files.readAllLines(output, StandardCharsets.UTF_8).stream().map(line -> {
            if (!line.startsWith("{") || !line.endsWith("}")) {
                return line;
            }
            Map<String, String> fields = new HashMap<>();
            for (String field : line.substring(1, line.length() - 1).split(", ")) {
                int equals = field.indexOf('=');
                fields.put(field.substring(0, equals), field.substring(equals + 1));
            }
            return columns.stream().map(column -> column + "=" + fields.get(column))
                    .collect(Collectors.joining(", ", "{", "}"));
        }).toList();
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
