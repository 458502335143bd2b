package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Change data capture from a real PostgreSQL through Kafka Connect into a node, with the pipeline of
 * {@code examples/connect-postgres-pipeline} as shipped (its worker properties, its connector JSON
 * with only the database's address, the sink's file and time-outs replaced, and its
 * {@code target/lib}: Connect 4.3.1, Debezium's PostgreSQL connector, the file connectors): a
 * PostgreSQL server of the test's own ({@link PostgresServer}, {@code wal_level=logical}), a
 * distributed worker with {@code exactly.once.source.support=enabled} in a child JVM, Debezium's
 * source with {@code exactly.once.support=required} streaming the table {@code customers} to a
 * compacted topic in transactions (rows flattened by {@code ExtractNewRecordState}, deletes as
 * tombstones), and the file sink reading that topic at read_committed.
 *
 * <p>Rows that exist before the connector starts come as its snapshot; then rows are inserted in one
 * transaction and one key is updated over and over in transactions of their own. The worker is then
 * killed with SIGKILL while its source task has a transaction open with changes in the log; a row is
 * deleted, a change rolled back and another made while it is down, and it is started again. A
 * read_committed consumer sees the snapshot and then every committed change exactly once, in commit
 * order: the open transaction was aborted when the new worker fenced the old task's producer, and the
 * task went on from the position in PostgreSQL's log committed with its last committed changes. The
 * table built from the topic (each key's last value, a tombstone removing its key) equals the table
 * in PostgreSQL, and a read_uncommitted consumer sees the aborted copies, which shows the kill landed
 * inside a transaction.
 *
 * <p>The source uses {@code transaction.boundary=interval} (the example uses {@code poll}) so that a
 * transaction stays open for seconds and the kill lands inside one every time. Takes 30 to 40 s: a
 * PostgreSQL start (under a second), two worker start-ups, Debezium's snapshot, the killed worker's
 * session time-out and transaction intervals.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ConnectPostgresSourceIT {

    private static final Path EXAMPLE = Path.of(System.getProperty("strand.it.examplesDir", "../examples"))
            .resolve("connect-postgres-pipeline");
    private static final TopicPartition CUSTOMERS = new TopicPartition("pg.public.customers", 0);
    /** The source task's transactional id: {@code <group.id>-<connector>-<task>} (KIP-618). */
    private static final String TASK_TRANSACTIONAL_ID = "strand-connect-postgres-postgres-source-0";
    private static final Duration WORKER_START = Duration.ofSeconds(60);
    private static final Duration AWAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final BrokerUnderTest broker = BrokerUnderTest.chosenForTheRun()
            .withProperties(Map.of("group.initial.rebalance.delay.ms", "0",
                    // one partition each: the worker's first transactional and group requests wait for these topics
                    "offsets.topic.num.partitions", "1",
                    "transaction.state.log.num.partitions", "1"));

    @TempDir
    Path dir;

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        ChildProcess.killLeftovers();
    }

    @Test
    void everyCommittedChangeOfTheTableReachesTheTopicOnceInCommitOrder() throws Exception {
        PostgresServer postgres = PostgresServer.start(Map.of("wal_level", "logical",
                "max_wal_senders", "4", "max_replication_slots", "4"));
        closeables.add(postgres);
        Connection db = postgres.connect();
        closeables.add(db);
        try (Statement statement = db.createStatement()) {
            statement.execute("CREATE TABLE customers (id integer PRIMARY KEY, name text NOT NULL, email text)");
        }
        Map<Integer, JsonNode> snapshot = new LinkedHashMap<>();
        for (int id = 1; id <= 3; id++) {
            snapshot.put(id, upsert(db, id, "customer-" + id, null));
        }

        Path output = dir.resolve("customers.txt");
        ConnectWorker worker = startWorker();
        worker.createConnector(ConnectWorker.withConfig(connector("postgres-source.json"), Map.of(
                "database.hostname", postgres.host(),
                "database.port", Integer.toString(postgres.port()),
                "database.user", PostgresServer.SUPERUSER,
                "database.password", "",
                "database.dbname", PostgresServer.DATABASE,
                "transaction.boundary", "interval",
                "transaction.boundary.interval.ms", "3000")), AWAIT);
        worker.createConnector(ConnectWorker.withConfig(connector("file-sink.json"), Map.of(
                "file", output.toString())), AWAIT);
        await("topic " + CUSTOMERS.topic() + " created").atMost(AWAIT)
                .until(() -> broker.admin().listTopics().names().get().contains(CUSTOMERS.topic()));
        assertThat(broker.admin().describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC,
                        CUSTOMERS.topic()))).all().get().values().iterator().next().get("cleanup.policy").value())
                .as("cleanup.policy of the topic Debezium's connector created").isEqualTo("compact");

        ChangeReader committed = new ChangeReader(broker.bootstrapServers(), "read_committed");
        closeables.add(committed);
        List<Change> snapshotRead = committed.awaitCount(snapshot.size(), worker);
        assertThat(snapshotRead).as("the snapshot, in any order")
                .containsExactlyInAnyOrderElementsOf(changes(snapshot));

        List<Change> expected = new ArrayList<>();
        db.setAutoCommit(false);
        for (int id = 4; id <= 50; id++) {
            expected.add(new Change(id, upsert(db, id, "customer-" + id, id + "@example.com")));
        }
        db.commit();
        for (int version = 1; version <= 10; version++) {
            expected.add(new Change(2, upsert(db, 2, "customer-2 v" + version, "two-" + version + "@example.com")));
            db.commit();
        }
        committed.awaitCount(snapshot.size() + expected.size(), worker);

        // The next changes go into the topic in a transaction the source task has not committed yet; the
        // worker is killed then. Should a transaction's interval end just as they show up, the next
        // changes open another one.
        ChangeReader uncommitted = new ChangeReader(broker.bootstrapServers(), "read_uncommitted");
        closeables.add(uncommitted);
        boolean killed = false;
        for (int round = 1; round <= 10 && !killed; round++) {
            expected.add(new Change(4, upsert(db, 4, "customer-4 round " + round, null)));
            db.commit();
            uncommitted.awaitChange(expected.get(expected.size() - 1), worker);
            if (describeTaskTransaction().state() == TransactionState.ONGOING) {
                worker.kill9();
                killed = true;
            }
        }
        assertThat(killed).as("the source task had a transaction open after a change").isTrue();
        TransactionDescription abandoned = describeTaskTransaction();
        assertThat(abandoned.state()).as("source task's transaction after the kill").isEqualTo(TransactionState.ONGOING);
        int committedBeforeKill = (int) expected.stream().filter(change -> change.id() != 4
                || !change.row().path("name").asText().contains("round")).count();

        // Changes made while the worker is down are read from the replication slot when it is back.
        try (PreparedStatement delete = db.prepareStatement("DELETE FROM customers WHERE id = ?")) {
            delete.setInt(1, 3);
            delete.executeUpdate();
        }
        db.commit();
        expected.add(new Change(3, null));
        // a rolled-back change is never seen
        upsert(db, 1, "rolled back", null);
        db.rollback();
        expected.add(new Change(1, upsert(db, 1, "customer-1 last", "one@example.com")));
        db.commit();
        db.setAutoCommit(true);
        worker.start();
        worker.awaitReady(WORKER_START);

        List<Change> everything = committed.awaitCount(snapshot.size() + expected.size(), worker);
        assertThat(everything.subList(snapshot.size(), everything.size()))
                .as("changes after the snapshot, read_committed").containsExactlyElementsOf(expected);
        assertThat(committed.readToEnd()).as("read_committed to the end").hasSize(snapshot.size() + expected.size());
        assertThat(materialize(everything)).as("the table built from the topic").isEqualTo(table(db));
        await("source task's transaction finished").atMost(AWAIT)
                .until(() -> describeTaskTransaction().state() != TransactionState.ONGOING);
        assertThat(describeTaskTransaction().producerEpoch()).as("producer epoch after fencing")
                .isGreaterThan(abandoned.producerEpoch());
        List<Change> withAborted = uncommitted.readToEnd();
        assertThat(withAborted.size()).as("records read_uncommitted, the aborted transaction's copies with them")
                .isGreaterThan(everything.size());
        assertThat(withAborted.subList(0, snapshot.size() + committedBeforeKill))
                .as("read_uncommitted up to the changes of the killed transaction")
                .isEqualTo(everything.subList(0, snapshot.size() + committedBeforeKill));

        await("the sink file holds a line for each record").atMost(AWAIT)
                .until(() -> Files.exists(output) && Files.readAllLines(output).size() >= everything.size());
        assertThat(Files.readAllLines(output)).as("sink file").contains("null")
                .anyMatch(line -> line.contains("customer-1 last"));
    }

    private TransactionDescription describeTaskTransaction() throws Exception {
        return broker.admin().describeTransactions(List.of(TASK_TRANSACTIONAL_ID))
                .description(TASK_TRANSACTIONAL_ID).get();
    }

    private ConnectWorker startWorker() throws IOException {
        Properties props = ConnectWorker.readProperties(EXAMPLE.resolve("worker.properties"));
        props.setProperty("bootstrap.servers", broker.bootstrapServers());
        // The killed worker leaves the worker group, and its sink task the sink's group, after 6 s
        // instead of Connect's defaults (10 s and 45 s), so that the restarted worker's tasks start sooner.
        props.setProperty("session.timeout.ms", "6000");
        props.setProperty("heartbeat.interval.ms", "2000");
        props.setProperty("consumer.session.timeout.ms", "6000");
        props.setProperty("consumer.heartbeat.interval.ms", "2000");
        ConnectWorker worker = ConnectWorker.configure(props, freePort(), dir.resolve("worker.properties"),
                EXAMPLE.resolve("target/lib").toAbsolutePath() + "/*");
        closeables.add(worker);
        worker.start();
        worker.awaitReady(WORKER_START);
        return worker;
    }

    /** Inserts or updates a row (in the connection's transaction) and returns it as the topic's value shows it. */
    private static JsonNode upsert(Connection db, int id, String name, String email) throws SQLException {
        try (PreparedStatement statement = db.prepareStatement("INSERT INTO customers (id, name, email) VALUES (?, ?, ?) "
                + "ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email")) {
            statement.setInt(1, id);
            statement.setString(2, name);
            statement.setString(3, email);
            statement.executeUpdate();
        }
        return row(id, name, email);
    }

    private static JsonNode row(int id, String name, String email) {
        ObjectNode row = JSON.createObjectNode().put("id", id).put("name", name);
        return email == null ? row.putNull("email") : row.put("email", email);
    }

    private static Map<Integer, JsonNode> table(Connection db) throws SQLException {
        Map<Integer, JsonNode> rows = new HashMap<>();
        try (Statement statement = db.createStatement();
             ResultSet result = statement.executeQuery("SELECT id, name, email FROM customers")) {
            while (result.next()) {
                rows.put(result.getInt(1), row(result.getInt(1), result.getString(2), result.getString(3)));
            }
        }
        return rows;
    }

    private static List<Change> changes(Map<Integer, JsonNode> rows) {
        return rows.entrySet().stream().map(entry -> new Change(entry.getKey(), entry.getValue())).toList();
    }

    /** Each key's last value; a tombstone removes its key. */
    private static Map<Integer, JsonNode> materialize(List<Change> changes) {
        Map<Integer, JsonNode> rows = new HashMap<>();
        for (Change change : changes) {
            if (change.row() == null) {
                rows.remove(change.id());
            } else {
                rows.put(change.id(), change.row());
            }
        }
        return rows;
    }

    private static JsonNode connector(String file) {
        return ConnectWorker.readConnectorJson(EXAMPLE.resolve(file));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** One record of the topic: the row's key and its value, null for a tombstone (a delete). */
    record Change(int id, JsonNode row) {
    }

    /** Reads the topic's one partition from its beginning at an isolation level, keeping every record in order. */
    private static final class ChangeReader implements AutoCloseable {
        private final KafkaConsumer<String, String> consumer;
        private final List<Change> changes = new ArrayList<>();

        ChangeReader(String bootstrapServers, String isolationLevel) {
            consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolationLevel,
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                    new StringDeserializer(), new StringDeserializer());
            consumer.assign(List.of(CUSTOMERS));
        }

        /** Polls until at least {@code count} records were read; returns all read so far. */
        List<Change> awaitCount(int count, ConnectWorker worker) {
            try {
                await(count + " records in " + CUSTOMERS).atMost(AWAIT).pollDelay(Duration.ZERO)
                        .pollInterval(Duration.ofMillis(1))
                        .until(() -> {
                            pollOnce();
                            return changes.size() >= count;
                        });
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("read " + changes + "\n" + worker.output(), e);
            }
            return List.copyOf(changes);
        }

        /** Polls until {@code change} was read; returns all read so far. */
        List<Change> awaitChange(Change change, ConnectWorker worker) {
            try {
                await(change + " in " + CUSTOMERS).atMost(AWAIT).pollDelay(Duration.ZERO)
                        .pollInterval(Duration.ofMillis(1))
                        .until(() -> {
                            pollOnce();
                            return changes.contains(change);
                        });
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("read " + changes + "\n" + worker.output(), e);
            }
            return List.copyOf(changes);
        }

        /** Reads to the partition's end as this isolation level sees it now; returns all read. */
        List<Change> readToEnd() {
            long end = consumer.endOffsets(List.of(CUSTOMERS), AWAIT).get(CUSTOMERS);
            await(CUSTOMERS + " read to offset " + end).atMost(AWAIT).pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(1))
                    .until(() -> {
                        pollOnce();
                        return consumer.position(CUSTOMERS) >= end;
                    });
            return List.copyOf(changes);
        }

        private void pollOnce() throws IOException {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                int id = JSON.readTree(record.key()).path("id").asInt();
                changes.add(new Change(id, record.value() == null ? null : JSON.readTree(record.value())));
            }
        }

        @Override
        public void close() {
            consumer.close(Duration.ofSeconds(5));
        }
    }
}
