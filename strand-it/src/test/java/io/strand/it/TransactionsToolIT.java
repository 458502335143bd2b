package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Apache Kafka's {@code kafka-transactions} tool (4.3.1, {@code TransactionsCommand}) against one
 * node, run as a child JVM as {@code bin/kafka-transactions.sh} runs it: list, describe,
 * describe-producers (DescribeProducers), find-hanging (DescribeProducers, ListTransactions filtered by
 * producer id, DescribeTransactions) and abort (DescribeProducers, then WriteTxnMarkers from the admin
 * client to the partition's leader). Assertions read the printed tables.
 *
 * <p>A hanging transaction is made as it happened before KIP-890: partition verification is off on
 * this node, and a raw Produce writes a transactional batch for a producer id no transaction
 * coordinator knows (an idempotent one), backdated an hour so that it is older than the
 * {@code --max-transaction-timeout} given.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TransactionsToolIT {

    private static final String TRANSACTIONS_COMMAND = "org.apache.kafka.tools.TransactionsCommand";
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(45);
    private static final short PRODUCE_VERSION = 11;

    @RegisterExtension
    static final BrokerUnderTest broker = BrokerUnderTest.chosenForTheRun()
            .withProperties(Map.of("transaction.partition.verification.enable", "false"));

    @AfterEach
    void killLeftoverClients() {
        ChildProcess.killLeftovers();
    }

    @Test
    void listDescribeAndDescribeProducersShowACommittedAndAnOngoingTransaction() throws Exception {
        String topic = "tool-txn";
        createTopic(topic);
        try (KafkaProducer<String, String> committed = transactionalProducer("tool-committed");
             KafkaProducer<String, String> open = transactionalProducer("tool-open")) {
            committed.initTransactions();
            committed.beginTransaction();
            committed.send(new ProducerRecord<>(topic, 0, "k", "a"));
            committed.send(new ProducerRecord<>(topic, 0, "k", "b"));
            committed.commitTransaction();
            open.initTransactions();
            open.beginTransaction();
            open.send(new ProducerRecord<>(topic, 0, "k", "c")).get(30, TimeUnit.SECONDS);

            List<Map<String, String>> listed = table(transactions("list"));
            assertThat(listed).anySatisfy(row -> assertThat(row)
                            .containsEntry("TransactionalId", "tool-committed")
                            .containsEntry("TransactionState", "CompleteCommit"))
                    .anySatisfy(row -> assertThat(row)
                            .containsEntry("TransactionalId", "tool-open")
                            .containsEntry("TransactionState", "Ongoing"));
            String openProducerId = listed.stream().filter(row -> row.get("TransactionalId").equals("tool-open"))
                    .findFirst().orElseThrow().get("ProducerId");

            List<Map<String, String>> described = table(transactions("describe", "--transactional-id", "tool-open"));
            assertThat(described).singleElement().satisfies(row -> assertThat(row)
                    .containsEntry("TransactionalId", "tool-open")
                    .containsEntry("ProducerId", openProducerId)
                    .containsEntry("TransactionState", "Ongoing")
                    .containsEntry("TopicPartitions", topic + "-0"));

            // a, b, the commit marker, then c opens the ongoing transaction at offset 3
            List<Map<String, String>> producers = table(transactions("describe-producers", "--topic", topic,
                    "--partition", "0"));
            assertThat(producers).hasSize(2)
                    .anySatisfy(row -> assertThat(row)
                            .containsEntry("ProducerId", openProducerId)
                            .containsEntry("LastSequence", "0")
                            .containsEntry("CurrentTransactionStartOffset", "3"))
                    .anySatisfy(row -> assertThat(row)
                            .doesNotContainEntry("ProducerId", openProducerId)
                            .containsEntry("CurrentTransactionStartOffset", "None"));

            // open, but its coordinator still lists the partition: not hanging
            assertThat(table(transactions("find-hanging", "--topic", topic, "--max-transaction-timeout", "0")))
                    .isEmpty();
            open.abortTransaction();
        }
    }

    @Test
    void findHangingReportsATransactionNoCoordinatorKnowsAndAbortEndsIt() throws Exception {
        String topic = "tool-hanging";
        createTopic(topic);
        long hourAgoMs = System.currentTimeMillis() - Duration.ofHours(1).toMillis();
        long producerId = writeTransactionalBatchOfUnknownProducer(topic, hourAgoMs);

        List<Map<String, String>> hanging = table(transactions("find-hanging", "--topic", topic,
                "--max-transaction-timeout", "30"));
        assertThat(hanging).singleElement().satisfies(row -> assertThat(row)
                .containsEntry("Topic", topic)
                .containsEntry("Partition", "0")
                .containsEntry("ProducerId", Long.toString(producerId))
                .containsEntry("ProducerEpoch", "0")
                .containsEntry("CoordinatorEpoch", "-1")
                .containsEntry("StartOffset", "0")
                .containsEntry("LastTimestamp", Long.toString(hourAgoMs + 1)));
        assertThat(Long.parseLong(hanging.get(0).get("Duration(min)"))).isBetween(60L, 70L);
        // younger than a two-hour timeout: not a candidate
        assertThat(table(transactions("find-hanging", "--topic", topic, "--max-transaction-timeout", "120")))
                .isEmpty();
        assertThat(lastStableOffset(topic)).isZero();

        transactions("abort", "--topic", topic, "--partition", "0", "--start-offset", "0");

        assertThat(table(transactions("describe-producers", "--topic", topic, "--partition", "0")))
                .singleElement().satisfies(row -> assertThat(row)
                        .containsEntry("ProducerId", Long.toString(producerId))
                        .containsEntry("LatestCoordinatorEpoch", "0")
                        .containsEntry("CurrentTransactionStartOffset", "None"));
        // two records and the abort marker, now all stable
        await("the last stable offset passes the abort marker").atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(lastStableOffset(topic)).isEqualTo(3L));
        assertThat(table(transactions("find-hanging", "--topic", topic, "--max-transaction-timeout", "30")))
                .isEmpty();
    }

    /** Writes two transactional records as an idempotent producer id, with no transaction coordinator involved. */
    private static long writeTransactionalBatchOfUnknownProducer(String topic, long timestampMs) throws Exception {
        try (RawKafkaConnection connection = new RawKafkaConnection(broker.bootstrapServers())) {
            // retried while the node still loads its transaction state (COORDINATOR_LOAD_IN_PROGRESS)
            InitProducerIdResponse init = await("a producer id").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> (InitProducerIdResponse) connection.roundTrip(new InitProducerIdRequest.Builder(
                                    new InitProducerIdRequestData().setTransactionalId(null)
                                            .setTransactionTimeoutMs(Integer.MAX_VALUE)).build((short) 4)),
                            response -> response.error() == Errors.NONE);
            long producerId = init.data().producerId();
            MemoryRecords records = MemoryRecords.withTransactionalRecords(Compression.NONE, producerId,
                    init.data().producerEpoch(), 0,
                    new SimpleRecord(timestampMs, "k".getBytes(StandardCharsets.UTF_8), "x".getBytes(StandardCharsets.UTF_8)),
                    new SimpleRecord(timestampMs + 1, "k".getBytes(StandardCharsets.UTF_8), "y".getBytes(StandardCharsets.UTF_8)));
            ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(10_000)
                    .setTransactionalId("tool-ghost");
            ProduceRequestData.TopicProduceData topicData = new ProduceRequestData.TopicProduceData().setName(topic);
            topicData.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records));
            data.topicData().add(topicData);
            ProduceResponse response = (ProduceResponse) connection.roundTrip(
                    new ProduceRequest.Builder(PRODUCE_VERSION, PRODUCE_VERSION, data).build(PRODUCE_VERSION));
            ProduceResponseData.PartitionProduceResponse partition =
                    response.data().responses().iterator().next().partitionResponses().get(0);
            assertThat(Errors.forCode(partition.errorCode())).as(partition.errorMessage()).isEqualTo(Errors.NONE);
            assertThat(partition.baseOffset()).isZero();
            return producerId;
        }
    }

    /** What a read_committed consumer sees as the end of partition 0. */
    private static long lastStableOffset(String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            return consumer.endOffsets(List.of(tp), Duration.ofSeconds(10)).get(tp);
        }
    }

    private static KafkaProducer<String, String> transactionalProducer(String transactionalId) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        // long enough that the coordinator does not abort the open transaction during the test
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "300000");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    private static void createTopic(String topic) throws Exception {
        broker.admin().createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }

    private static ChildProcess.Result transactions(String... args) {
        List<String> command = new ArrayList<>(List.of("--bootstrap-server", broker.bootstrapServers()));
        command.addAll(List.of(args));
        return ChildProcess.javaMain(TRANSACTIONS_COMMAND, command).timeout(TOOL_TIMEOUT).run().assertSuccess();
    }

    /** The rows of a table the tool printed (header line, then one line per row), column name → value. */
    private static List<Map<String, String>> table(ChildProcess.Result result) {
        List<String> lines = result.stdoutLines().stream().filter(line -> !line.isBlank()).toList();
        assertThat(lines).as(result.describe("printed no table")).isNotEmpty();
        String[] headers = lines.get(0).strip().split("\\s+");
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] values = line.strip().split("\\s+");
            assertThat(values).as(result.describe("row " + line)).hasSameSizeAs(headers);
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < headers.length; i++) {
                row.put(headers[i], values[i]);
            }
            rows.add(row);
        }
        return rows;
    }
}
