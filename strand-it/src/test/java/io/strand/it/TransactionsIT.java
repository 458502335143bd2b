package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.FinalizedVersionRange;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Transactions against one node, with three clients' transactional APIs: the Java producer (commit,
 * abort, a zombie fenced by a newer producer with its transactional id, consume-transform-produce with
 * {@code sendOffsetsToTransaction} whose first instance dies half-way), confluent-kafka-python
 * ({@code src/test/python/transact.py}) and kafkajs ({@code src/test/js/transact.js}); what is read
 * back by a Java read_committed consumer and by kcat with {@code isolation.level=read_committed}.
 * Committed records are visible, aborted and unfinished ones never are; a read_uncommitted reader sees
 * them all. Runs against Kafka too (the {@code kafka-reference} execution), so that what it expects is
 * what Kafka does.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TransactionsIT {

    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path PYTHON_SCRIPTS = Path.of(System.getProperty("strand.it.pythonDir", "src/test/python"));

    @RegisterExtension
    static final BrokerUnderTest broker = BrokerUnderTest.chosenForTheRun()
            .withProperties(Map.of("group.initial.rebalance.delay.ms", "0"));

    private final List<AutoCloseable> clients = new ArrayList<>();

    @AfterEach
    void closeClients() throws Exception {
        for (AutoCloseable client : clients) {
            client.close();
        }
        ChildProcess.killLeftovers();
    }

    @Test
    void theJavaProducersCommittedRecordsAreReadAndItsAbortedOnesAreNot() {
        Topics.create(broker.bootstrapServers(), "txn-java", 1);
        KafkaProducer<String, String> producer = producer("txn-java-1");
        producer.initTransactions();

        sendInTransaction(producer, "txn-java", "committed-a", 10, true);
        sendInTransaction(producer, "txn-java", "aborted", 10, false);
        sendInTransaction(producer, "txn-java", "committed-b", 5, true);

        List<String> committed = values(readAll("txn-java", "read_committed", 15));
        assertThat(committed).containsExactlyElementsOf(concat(values("committed-a", 10), values("committed-b", 5)));
        List<String> everything = values(readAll("txn-java", "read_uncommitted", 25));
        assertThat(everything).containsExactlyElementsOf(concat(values("committed-a", 10), values("aborted", 10),
                values("committed-b", 5)));
    }

    /**
     * Transactions v2 (KIP-890 part 2): the cluster finalizes {@code transaction.version=2}, so the Java
     * 4.x producer adds partitions and offsets implicitly and its every EndTxn (v5) bumps the producer
     * epoch, which DescribeTransactions shows rising by one per transaction, commit or abort.
     */
    @Test
    void theJavaProducerUsesTransactionsV2AndItsEpochRisesWithEveryTransaction() throws Exception {
        Topics.create(broker.bootstrapServers(), "txn-v2", 1);
        Topics.create(broker.bootstrapServers(), "txn-v2-in", 1);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers()))) {
            FinalizedVersionRange tv = admin.describeFeatures().featureMetadata().get(30, TimeUnit.SECONDS)
                    .finalizedFeatures().get("transaction.version");
            assertThat(tv).as("transaction.version finalized").isNotNull();
            assertThat(tv.maxVersionLevel()).isEqualTo((short) 2);

            KafkaProducer<String, String> producer = producer("txn-v2-1");
            producer.initTransactions();
            List<Integer> epochs = new ArrayList<>();
            epochs.add(epochOf(admin, "txn-v2-1"));
            sendInTransaction(producer, "txn-v2", "committed-a", 3, true);
            epochs.add(epochOf(admin, "txn-v2-1"));
            sendInTransaction(producer, "txn-v2", "aborted", 3, false);
            epochs.add(epochOf(admin, "txn-v2-1"));
            producer.beginTransaction();
            send(producer, "txn-v2", "committed-b", 2);
            producer.sendOffsetsToTransaction(Map.of(new TopicPartition("txn-v2-in", 0), new OffsetAndMetadata(7)),
                    new ConsumerGroupMetadata("txn-v2-group"));
            producer.commitTransaction();
            epochs.add(epochOf(admin, "txn-v2-1"));

            assertThat(epochs).as("one bump per EndTxn").containsExactly(epochs.get(0), epochs.get(0) + 1,
                    epochs.get(0) + 2, epochs.get(0) + 3);
            assertThat(values(readAll("txn-v2", "read_committed", 5)))
                    .containsExactlyElementsOf(concat(values("committed-a", 3), values("committed-b", 2)));
            assertThat(admin.listConsumerGroupOffsets("txn-v2-group").partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS)).as("offsets committed with the implicit AddOffsetsToTxn")
                    .containsEntry(new TopicPartition("txn-v2-in", 0), new OffsetAndMetadata(7));
        }
    }

    /**
     * A transactions v2 producer fenced between transactions learns it from its next Produce: the
     * partition leader's implicit add is refused as PRODUCER_FENCED, which a leader answers
     * INVALID_PRODUCER_EPOCH, so the commit fails with InvalidProducerEpochException.
     */
    @Test
    void aFencedProducersNextTransactionFailsWithAnOldEpoch() {
        Topics.create(broker.bootstrapServers(), "txn-v2-fenced", 1);
        KafkaProducer<String, String> first = producer("txn-v2-fenced");
        first.initTransactions();
        KafkaProducer<String, String> second = producer("txn-v2-fenced");
        second.initTransactions();

        first.beginTransaction();
        send(first, "txn-v2-fenced", "fenced", 1);
        assertThatThrownBy(first::commitTransaction).isInstanceOf(InvalidProducerEpochException.class);
        sendInTransaction(second, "txn-v2-fenced", "successor", 2, true);
        assertThat(values(readAll("txn-v2-fenced", "read_committed", 2))).containsExactlyElementsOf(
                values("successor", 2));
    }

    private static int epochOf(Admin admin, String transactionalId) throws Exception {
        return admin.describeTransactions(List.of(transactionalId)).description(transactionalId)
                .get(30, TimeUnit.SECONDS).producerEpoch();
    }

    @Test
    void aNewerProducerWithTheSameTransactionalIdFencesTheOldOneAndAbortsItsOpenTransaction() {
        Topics.create(broker.bootstrapServers(), "txn-zombie", 1);
        KafkaProducer<String, String> zombie = producer("txn-zombie");
        zombie.initTransactions();
        zombie.beginTransaction();
        send(zombie, "txn-zombie", "zombie", 3);
        zombie.flush();

        KafkaProducer<String, String> successor = producer("txn-zombie");
        successor.initTransactions(); // fences the zombie and aborts its open transaction
        sendInTransaction(successor, "txn-zombie", "successor", 4, true);

        assertThatThrownBy(zombie::commitTransaction).isInstanceOf(ProducerFencedException.class);
        assertThat(values(readAll("txn-zombie", "read_committed", 4))).containsExactlyElementsOf(values("successor", 4));
    }

    @Test
    void consumeTransformProduceWritesEachOutputOnceWhenItsFirstInstanceDiesHalfWay() {
        Topics.create(broker.bootstrapServers(), "txn-in", 1);
        Topics.create(broker.bootstrapServers(), "txn-out", 1);
        KafkaProducer<String, String> source = plainProducer();
        send(source, "txn-in", "in", 40);
        source.flush();

        // the first instance: two committed transactions of 10, then a third left open when it "dies"
        KafkaConsumer<String, String> firstConsumer = groupConsumer("txn-ctp");
        KafkaProducer<String, String> first = producer("txn-ctp-app");
        first.initTransactions();
        transform(firstConsumer, first, 10, true);
        transform(firstConsumer, first, 10, true);
        transform(firstConsumer, first, 10, false);

        // its replacement fences it, aborting the open transaction, and resumes from the committed offsets
        KafkaConsumer<String, String> secondConsumer = groupConsumer("txn-ctp");
        firstConsumer.close(Duration.ZERO); // leaves the group so its partition moves to the replacement
        KafkaProducer<String, String> second = producer("txn-ctp-app");
        second.initTransactions();
        transform(secondConsumer, second, 20, true);

        List<String> outputs = values(readAll("txn-out", "read_committed", 40));
        assertThat(outputs).containsExactlyElementsOf(values("in", 40).stream().map(v -> "out-" + v).toList());
    }

    @Test
    void confluentKafkaPythonTransactionsAreVisibleWhenCommittedOnly() {
        Path python = Tools.requirePython();
        Topics.create(broker.bootstrapServers(), "txn-py", 1);

        JsonNode committed = runScript(List.of(python.toString(), PYTHON_SCRIPTS.resolve("transact.py").toString()),
                null, "txn-py", "py-txn", "commit", "py-committed", "6");
        JsonNode aborted = runScript(List.of(python.toString(), PYTHON_SCRIPTS.resolve("transact.py").toString()),
                null, "txn-py", "py-txn", "abort", "py-aborted", "6");

        assertThat(committed.get("outcome").asText()).isEqualTo("commit");
        assertThat(aborted.get("outcome").asText()).isEqualTo("abort");
        assertThat(values(readAll("txn-py", "read_committed", 6))).containsExactlyElementsOf(values("py-committed", 6));
        assertThat(values(readAll("txn-py", "read_uncommitted", 12)))
                .containsExactlyElementsOf(concat(values("py-committed", 6), values("py-aborted", 6)));
    }

    @Test
    void kafkajsTransactionsAreVisibleWhenCommittedOnly() {
        Path node = Tools.requireNode();
        Path scripts = Tools.requireKafkajs();
        Topics.create(broker.bootstrapServers(), "txn-js", 1);

        runScript(List.of(node.toString(), "transact.js"), scripts, "txn-js", "js-txn", "abort", "js-aborted", "4");
        runScript(List.of(node.toString(), "transact.js"), scripts, "txn-js", "js-txn", "commit", "js-committed", "7");

        assertThat(values(readAll("txn-js", "read_committed", 7))).containsExactlyElementsOf(values("js-committed", 7));
    }

    @Test
    void kcatReadingCommittedSkipsAbortedRecordsAndStopsAtAnOpenTransaction() {
        Path kcat = Tools.requireKcat();
        Topics.create(broker.bootstrapServers(), "txn-kcat", 1);
        KafkaProducer<String, String> producer = producer("txn-kcat");
        producer.initTransactions();
        sendInTransaction(producer, "txn-kcat", "kept", 3, true);
        sendInTransaction(producer, "txn-kcat", "dropped", 3, false);
        producer.beginTransaction();
        send(producer, "txn-kcat", "open", 2);
        producer.flush();
        KafkaProducer<String, String> plain = plainProducer();
        send(plain, "txn-kcat", "after-open", 1); // behind the open transaction: not yet stable
        plain.flush();

        ChildProcess.Result read = ChildProcess.of(kcat.toString(), "-b", broker.bootstrapServers(), "-C", "-t",
                        "txn-kcat", "-p", "0", "-o", "beginning", "-e", "-q", "-f", "%s\\n",
                        "-X", "isolation.level=read_committed")
                .timeout(SCRIPT_TIMEOUT).run().assertSuccess();

        assertThat(read.stdout().lines().toList()).containsExactlyElementsOf(values("kept", 3));

        producer.commitTransaction();
        assertThat(values(readAll("txn-kcat", "read_committed", 6)))
                .containsExactlyElementsOf(concat(values("kept", 3), values("open", 2), values("after-open", 1)));
    }

    /** Reads {@code count} records of an input, sends one output each and commits the input offsets with them. */
    private static void transform(KafkaConsumer<String, String> consumer, KafkaProducer<String, String> producer,
                                  int count, boolean commit) {
        List<ConsumerRecord<String, String>> taken = new ArrayList<>();
        long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        while (taken.size() < count && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                taken.add(record);
            }
        }
        assertThat(taken).as("records to transform").hasSizeGreaterThanOrEqualTo(count);
        List<ConsumerRecord<String, String>> batch = taken.subList(0, count);
        producer.beginTransaction();
        for (ConsumerRecord<String, String> record : batch) {
            producer.send(new ProducerRecord<>("txn-out", 0, null, "out-" + record.value()));
        }
        ConsumerRecord<String, String> last = batch.get(count - 1);
        producer.sendOffsetsToTransaction(Map.of(new TopicPartition(last.topic(), last.partition()),
                new OffsetAndMetadata(last.offset() + 1)), consumer.groupMetadata());
        if (commit) {
            producer.commitTransaction();
            consumer.seek(new TopicPartition(last.topic(), last.partition()), last.offset() + 1);
        } else {
            producer.flush(); // written, never committed: the instance dies here
        }
    }

    private static void sendInTransaction(KafkaProducer<String, String> producer, String topic, String prefix,
                                          int count, boolean commit) {
        producer.beginTransaction();
        send(producer, topic, prefix, count);
        if (commit) {
            producer.commitTransaction();
        } else {
            producer.flush();
            producer.abortTransaction();
        }
    }

    private static void send(KafkaProducer<String, String> producer, String topic, String prefix, int count) {
        for (String value : values(prefix, count)) {
            producer.send(new ProducerRecord<>(topic, 0, null, value));
        }
    }

    /** Reads partition 0 of {@code topic} from the start until {@code count} records came, then a little more. */
    private List<ConsumerRecord<String, String>> readAll(String topic, String isolation, int count) {
        Properties props = consumerProps();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        List<ConsumerRecord<String, String>> read = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (read.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(read::add);
            }
            // nothing more may come: what is past the expected records would be an extra (aborted or duplicate) one
            ConsumerRecords<String, String> extra = consumer.poll(Duration.ofMillis(500));
            extra.forEach(read::add);
        }
        return read;
    }

    private KafkaProducer<String, String> producer(String transactionalId) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return keep(new KafkaProducer<>(props));
    }

    private KafkaProducer<String, String> plainProducer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return keep(new KafkaProducer<>(props));
    }

    private KafkaConsumer<String, String> groupConsumer(String group) {
        Properties props = consumerProps();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        KafkaConsumer<String, String> consumer = keep(new KafkaConsumer<>(props));
        consumer.subscribe(List.of("txn-in"));
        return consumer;
    }

    private Properties consumerProps() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return props;
    }

    private <T extends AutoCloseable> T keep(T client) {
        clients.add(client);
        return client;
    }

    /** Runs a client script with the bootstrap address first, expects exit code 0, returns its JSON. */
    private static JsonNode runScript(List<String> interpreterAndScript, Path workDir, String topic,
                                      String transactionalId, String outcome, String prefix, String count) {
        List<String> command = new ArrayList<>(interpreterAndScript);
        command.addAll(List.of(broker.bootstrapServers(), topic, "0", transactionalId, outcome, prefix, count));
        ChildProcess process = ChildProcess.of(command).timeout(SCRIPT_TIMEOUT);
        if (workDir != null) {
            process = process.workDir(workDir);
        }
        ChildProcess.Result result = process.run().assertSuccess();
        try {
            return JSON.readTree(result.stdout());
        } catch (IOException e) {
            throw new UncheckedIOException(result.describe("printed no JSON"), e);
        }
    }

    private static List<String> values(List<ConsumerRecord<String, String>> records) {
        return records.stream().map(ConsumerRecord::value).toList();
    }

    private static List<String> values(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> prefix + "-" + i).toList();
    }

    @SafeVarargs
    private static List<String> concat(List<String>... parts) {
        List<String> all = new ArrayList<>();
        for (List<String> part : parts) {
            all.addAll(part);
        }
        return all;
    }
}
