package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One node killed with SIGKILL in the middle of transactions and restarted on the same data: a Java
 * transactional producer with a transaction open (records written, no EndTxn), another whose
 * commitTransaction has just returned (the Prepare record committed, markers perhaps not yet written),
 * and a producer committing transactions back to back. After the restart, what the producers saw
 * committed is wholly visible to read_committed, the open transaction is aborted (by the coordinator's
 * time-out, or by a new producer's InitProducerId), nothing is visible in part, the last stable offset
 * reaches the high watermark, and a new producer with each transactional id inits and commits.
 *
 * <p>One node for the class ({@link KillableBroker}, few internal partitions so that a restart is quick);
 * each test has its topic and transactional ids and leaves the node running.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TransactionCrashIT {

    private static final String TOPIC = "txn-crash";
    private static final int PARTITIONS = 3;
    private static final Duration AWAIT = Duration.ofSeconds(30);
    /** The open transaction's time-out: the coordinator aborts it this long after it began. */
    private static final int SHORT_TXN_TIMEOUT_MS = 3_000;

    /** Few internal partitions: a restart opens every log, and each is a cost here. */
    private static final Map<String, String> NODE_PROPERTIES = Map.of(
            "transaction.abort.timed.out.transaction.cleanup.interval.ms", "200",
            "transaction.state.log.num.partitions", "2",
            "offsets.topic.num.partitions", "1");

    @TempDir
    static Path workDir;
    /** One node for the class; each test kills and restarts it. */
    private static KillableBroker broker;
    private final List<AutoCloseable> clients = new ArrayList<>();

    @BeforeAll
    static void startNode() {
        // KillableBroker runs Strand's own process
        assumeFalse("kafka".equals(System.getProperty(BrokerUnderTest.BROKER_PROPERTY)), "a Strand node only");
        broker = KillableBroker.start(workDir.resolve("data"), NODE_PROPERTIES);
    }

    @AfterAll
    static void stopNode() throws IOException {
        if (broker != null) {
            broker.close();
        }
        ChildProcess.killLeftovers();
        // the node's output and logs of every start, kept for a look after a failure
        Path logs = Path.of("target", "txn-crash-logs");
        Files.createDirectories(logs);
        try (Stream<Path> files = Files.list(workDir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith("strand-")).toList()) {
                Files.copy(file, logs.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    @AfterEach
    void closeClients() throws Exception {
        for (AutoCloseable client : clients) {
            client.close();
        }
    }

    @Test
    void openTransactionIsAbortedAndJustCommittedOneIsWhollyVisibleAfterKill9() throws Exception {
        String bootstrap = broker.bootstrapServers();
        Topics.create(bootstrap, TOPIC, PARTITIONS);

        KafkaProducer<String, String> open = producer(bootstrap, "crash-open", SHORT_TXN_TIMEOUT_MS);
        open.initTransactions();
        inTransaction(open, "open-committed", true);
        open.beginTransaction();
        sendToEveryPartition(open, "open-left");
        open.flush();

        KafkaProducer<String, String> committing = producer(bootstrap, "crash-commit", 60_000);
        committing.initTransactions();
        for (int i = 0; i < 5; i++) {
            inTransaction(committing, "commit-" + i, true); // the last commit returns just before the kill
        }
        phase("committed, killing");
        broker.kill();
        committing.close(Duration.ZERO);
        phase("killed");
        broker.restart();
        phase("restarted");

        // a record behind the open transaction: read_committed gets it only once that transaction ends
        KafkaProducer<String, String> plain = plainProducer(bootstrap);
        for (int p = 0; p < PARTITIONS; p++) {
            plain.send(new ProducerRecord<>(TOPIC, p, null, "plain-" + p)).get(30, TimeUnit.SECONDS);
        }
        phase("plain sent");
        TransactionAudit committed = TransactionAudit.readStable(bootstrap, TOPIC, PARTITIONS, "read_committed",
                AWAIT);
        phase("stable");
        List<String> expected = new ArrayList<>(values("open-committed"));
        for (int i = 0; i < 5; i++) {
            expected.addAll(values("commit-" + i));
        }
        expected.addAll(IntStream.range(0, PARTITIONS).mapToObj(p -> "plain-" + p).toList());
        assertThat(committed.values()).containsExactlyInAnyOrderElementsOf(expected);
        for (int p = 0; p < PARTITIONS; p++) {
            assertThat(committed.values(p)).as("partition %d read_committed", p).last().isEqualTo("plain-" + p);
        }
        // the producer that left its transaction open comes back to commit it: too late, it was aborted.
        // Transactions v1 answer with the fencing; v2 (the Java client's on a new node) see the old epoch as
        // an EndTxn retry of the abort's bumped one and refuse a commit of an aborted transaction, as Kafka
        // 4.3's coordinator does (INVALID_TXN_STATE).
        assertThatThrownBy(open::commitTransaction).isInstanceOfAny(ProducerFencedException.class,
                InvalidProducerEpochException.class, InvalidTxnStateException.class);
        List<String> everything = TransactionAudit.read(bootstrap, TOPIC, PARTITIONS, "read_uncommitted", AWAIT)
                .values();
        assertThat(everything).containsAll(values("open-left")).hasSize(expected.size() + PARTITIONS * 2);

        // new producers with both ids init and commit
        for (String id : List.of("crash-open", "crash-commit")) {
            KafkaProducer<String, String> successor = producer(bootstrap, id, 60_000);
            successor.initTransactions();
            inTransaction(successor, "after-" + id, true);
            expected.addAll(values("after-" + id));
        }
        assertThat(TransactionAudit.readStable(bootstrap, TOPIC, PARTITIONS, "read_committed", AWAIT).values())
                .containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void transactionsCommittedBackToBackSurviveAKillWholeAndOnce() throws Exception {
        String bootstrap = broker.bootstrapServers();
        String topic = TOPIC + "-stream";
        Topics.create(bootstrap, topic, PARTITIONS);
        TransactionStream stream = keep(TransactionStream.start("stream", bootstrap, topic, PARTITIONS, 4, Map.of(
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, SHORT_TXN_TIMEOUT_MS)));
        long before = stream.committed();
        // polled every millisecond: the kill comes right after a commit returned, its markers perhaps unwritten,
        // or with the next transaction's records on the wire
        await(stream + " commits").atMost(AWAIT).pollInterval(Duration.ofMillis(1))
                .until(() -> stream.committed() >= before + 20);
        phase("stream kill");
        broker.kill();
        broker.restart();
        phase("stream restarted");
        long afterRestart = stream.committed();
        await(stream + " commits after the restart").atMost(AWAIT)
                .until(() -> stream.committed() >= afterRestart + 10);
        stream.stop();

        TransactionAudit committed = TransactionAudit.readStable(bootstrap, topic, PARTITIONS, "read_committed",
                AWAIT);
        int present = committed.check(stream);
        assertThat((long) present).as("transactions read back of %s", stream).isGreaterThanOrEqualTo(stream.committed());
        System.out.printf("%s: %s, %d transactions read_committed%n", getClass().getSimpleName(), stream, present);
    }

    private static void phase(String what) {
        System.out.println(java.time.LocalTime.now() + " " + what);
    }

    private static void inTransaction(KafkaProducer<String, String> producer, String prefix, boolean commit) {
        producer.beginTransaction();
        sendToEveryPartition(producer, prefix);
        if (commit) {
            producer.commitTransaction();
        } else {
            producer.abortTransaction();
        }
    }

    private static void sendToEveryPartition(KafkaProducer<String, String> producer, String prefix) {
        for (int p = 0; p < PARTITIONS; p++) {
            for (int i = 0; i < 2; i++) {
                producer.send(new ProducerRecord<>(TOPIC, p, null, prefix + "-p" + p + "-" + i));
            }
        }
    }

    /** Two records per partition: {@code <prefix>-p<partition>-<i>}. */
    private static List<String> values(String prefix) {
        List<String> values = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            for (int i = 0; i < 2; i++) {
                values.add(prefix + "-p" + p + "-" + i);
            }
        }
        return values;
    }

    private KafkaProducer<String, String> producer(String bootstrap, String transactionalId, int timeoutMs) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, timeoutMs);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return keep(new KafkaProducer<>(props));
    }

    private KafkaProducer<String, String> plainProducer(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return keep(new KafkaProducer<>(props));
    }

    private <T extends AutoCloseable> T keep(T client) {
        clients.add(client);
        return client;
    }
}
