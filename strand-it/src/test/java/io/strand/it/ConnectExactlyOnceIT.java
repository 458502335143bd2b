package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka Connect's exactly-once source support (KIP-618) against one node, with the pipeline of
 * {@code examples/connect-file-pipeline} as shipped (its worker properties and connector JSON, with
 * only addresses, file paths, time-outs and the transaction boundary replaced): a distributed worker
 * in a child JVM, the file source connector with {@code exactly.once.support=required} writing lines
 * to a topic in transactions, and the file sink connector copying the topic to a file with a
 * read_committed consumer.
 *
 * <p>The worker is killed with SIGKILL while its source task has a transaction open with records in
 * the log, more lines are appended, and the worker is started again. A read_committed consumer then
 * sees every line exactly once, in order: the open transaction was aborted when the new worker
 * fenced the old task's producer, and the task went on from the source offset committed in the
 * same transaction as its last committed records. A read_uncommitted consumer sees the aborted
 * copies, which shows that the kill did land inside a transaction.
 *
 * <p>The source uses {@code transaction.boundary=interval} (the example uses {@code poll}): a
 * transaction then stays open for seconds, so the kill lands inside one every time instead of by
 * chance. Takes 35 to 55 s, most of it two worker start-ups, the killed worker's session time-out and
 * two transaction intervals.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ConnectExactlyOnceIT {

    private static final Path EXAMPLE = Path.of(System.getProperty("strand.it.examplesDir", "../examples"))
            .resolve("connect-file-pipeline");
    private static final String GROUP_ID = "strand-connect";
    private static final String SOURCE = "file-source";
    /** The source task's transactional id: {@code <group.id>-<connector>-<task>} (KIP-618). */
    private static final String TASK_TRANSACTIONAL_ID = GROUP_ID + "-" + SOURCE + "-0";
    private static final TopicPartition LINES = new TopicPartition("lines", 0);
    private static final int LINE_COUNT = 3000;
    private static final Duration WORKER_START = Duration.ofSeconds(60);
    private static final Duration AWAIT = Duration.ofSeconds(60);

    @RegisterExtension
    static final BrokerUnderTest broker = BrokerUnderTest.chosenForTheRun()
            .withProperties(Map.of("group.initial.rebalance.delay.ms", "0",
                    // one partition each, as Kafka's reference node has: the worker's first transactional
                    // and group requests wait for these topics to be created
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
    void eachLineIsCommittedOnceInOrderWhenTheWorkerIsKilledInsideATransactionAndRestarted() throws Exception {
        List<String> lines = IntStream.rangeClosed(1, LINE_COUNT).mapToObj(i -> String.format("line-%05d", i)).toList();
        Path input = Files.createFile(dir.resolve("input.txt"));
        Path output = dir.resolve("output.txt");
        ConnectWorker worker = startWorker();

        assertInternalTopicsAreCompacted(ConnectWorker.readProperties(EXAMPLE.resolve("worker.properties")));
        worker.createConnector(ConnectWorker.withConfig(connector("file-source.json"), Map.of(
                "file", input.toString(),
                "transaction.boundary", "interval",
                "transaction.boundary.interval.ms", "3000")), AWAIT);
        worker.createConnector(ConnectWorker.withConfig(connector("file-sink.json"), Map.of(
                "file", output.toString())), AWAIT);

        PartitionReader committed = reader("read_committed");
        PartitionReader uncommitted = reader("read_uncommitted");
        append(input, lines.subList(0, 1000));
        assertThat(committed.awaitValue(lines.get(999), AWAIT)).containsExactlyElementsOf(lines.subList(0, 1000));

        // The next lines go into the log in a transaction that the worker has not committed yet; it is
        // killed then. Should a transaction's interval end just as its lines show up, the next chunk
        // of lines opens another one.
        int fed = 1000;
        boolean killed = false;
        while (!killed && fed < 2000) {
            append(input, lines.subList(fed, fed + 250));
            fed += 250;
            uncommitted.awaitValue(lines.get(fed - 1), AWAIT);
            if (describeTaskTransaction().state() == TransactionState.ONGOING) {
                worker.kill9();
                killed = true;
            }
        }
        assertThat(killed).as("the source task had a transaction open after lines up to " + lines.get(fed - 1)).isTrue();
        TransactionDescription abandoned = describeTaskTransaction();
        assertThat(abandoned.state()).as("source task's transaction after the kill").isEqualTo(TransactionState.ONGOING);
        assertThat(abandoned.topicPartitions()).contains(LINES);

        int fedBeforeKill = fed;
        append(input, lines.subList(fed, LINE_COUNT));
        worker.start();
        worker.awaitReady(WORKER_START);
        committed.awaitValue(lines.get(LINE_COUNT - 1), AWAIT);
        await("source task's transaction finished").atMost(AWAIT)
                .until(() -> describeTaskTransaction().state() != TransactionState.ONGOING);

        assertThat(committed.readToEnd(AWAIT)).as("read_committed").containsExactlyElementsOf(lines);
        List<String> everything = uncommitted.readToEnd(AWAIT);
        Set<String> aborted = duplicates(everything);
        assertThat(aborted).as("lines written twice, once in the aborted transaction").isNotEmpty()
                .allMatch(line -> lines.indexOf(line) >= 1000 && lines.indexOf(line) < fedBeforeKill,
                        "a line fed after the first 1000 and before the kill");
        assertThat(describeTaskTransaction().producerEpoch()).as("producer epoch after fencing")
                .isGreaterThan(abandoned.producerEpoch());
        assertThat(broker.admin().listTransactions().all().get().stream().map(TransactionListing::transactionalId))
                .contains(TASK_TRANSACTIONAL_ID);

        // The sink is at-least-once: after the kill it may write again what it had written but not yet
        // committed, so each line is there at least once, and their first appearances are in order.
        await("sink file holds the last line").atMost(AWAIT)
                .until(() -> Files.exists(output) && Files.readAllLines(output).contains(lines.get(LINE_COUNT - 1)));
        Set<String> firstSeen = new LinkedHashSet<>(Files.readAllLines(output, StandardCharsets.UTF_8));
        firstSeen.retainAll(Set.copyOf(lines));
        assertThat(firstSeen).as("lines in the sink file, by first appearance").containsExactlyElementsOf(lines);
    }

    private ConnectWorker startWorker() throws IOException {
        Properties props = ConnectWorker.readProperties(EXAMPLE.resolve("worker.properties"));
        props.setProperty("bootstrap.servers", broker.bootstrapServers());
        props.remove("plugin.path"); // the file connectors are on this test's class path
        // The killed worker leaves the worker group, and its sink task the sink's group, after 6 s
        // instead of Connect's defaults (10 s and 45 s), so that the restarted worker's tasks start sooner.
        props.setProperty("session.timeout.ms", "6000");
        props.setProperty("heartbeat.interval.ms", "2000");
        props.setProperty("consumer.session.timeout.ms", "6000");
        props.setProperty("consumer.heartbeat.interval.ms", "2000");
        ConnectWorker worker = ConnectWorker.configure(props, freePort(), dir.resolve("worker.properties"));
        closeables.add(worker);
        worker.start();
        worker.awaitReady(WORKER_START);
        return worker;
    }

    private void assertInternalTopicsAreCompacted(Properties worker) throws Exception {
        List<ConfigResource> topics = List.of("config.storage.topic", "offset.storage.topic", "status.storage.topic")
                .stream().map(key -> new ConfigResource(ConfigResource.Type.TOPIC, worker.getProperty(key)))
                .toList();
        Map<ConfigResource, String> policies = new HashMap<>();
        broker.admin().describeConfigs(topics).all().get().forEach((topic, config) ->
                policies.put(topic, config.get("cleanup.policy").value()));
        assertThat(policies).as("cleanup.policy of the worker's internal topics")
                .containsOnlyKeys(topics).allSatisfy((topic, policy) -> assertThat(policy).isEqualTo("compact"));
    }

    private TransactionDescription describeTaskTransaction() throws Exception {
        Admin admin = broker.admin();
        return admin.describeTransactions(List.of(TASK_TRANSACTIONAL_ID)).description(TASK_TRANSACTIONAL_ID).get();
    }

    private PartitionReader reader(String isolationLevel) {
        PartitionReader reader = new PartitionReader(broker.bootstrapServers(), LINES, isolationLevel);
        closeables.add(reader);
        return reader;
    }

    private static JsonNode connector(String file) {
        return ConnectWorker.readConnectorJson(EXAMPLE.resolve(file));
    }

    private static void append(Path file, List<String> lines) throws IOException {
        Files.write(file, lines, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    private static Set<String> duplicates(List<String> values) {
        Set<String> seen = new HashSet<>();
        return values.stream().filter(value -> !seen.add(value)).collect(Collectors.toCollection(LinkedHashSet::new));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
