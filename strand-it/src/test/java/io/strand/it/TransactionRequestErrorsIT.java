package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.DescribeTransactionsRequestData;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.ListTransactionsRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Well-formed transaction requests with nonsensical values (negative producer ids, transactional ids
 * no coordinator knows, timeouts out of range, empty ids, unknown topics, filters that match nothing):
 * each gets the error code Kafka answers with, and the node keeps serving with its log intact. Runs
 * against Apache Kafka too (the {@code kafka-reference} execution), which is where the expected codes
 * come from. Truncated and mutated frames of the same APIs are {@link BadInputIT}'s and
 * {@link RequestFuzzIT}'s.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TransactionRequestErrorsIT {

    private static final String TOPIC = "txn-errors";
    private static final String MARKERS_TOPIC = "txn-errors-markers";
    private static final String LIVE = "txn-errors-live";
    private static final String UNKNOWN = "txn-errors-never-initialized";
    private static final long UNKNOWN_PRODUCER_ID = 424_242L;

    @RegisterExtension
    static final BrokerUnderTest broker = BrokerUnderTest.chosenForTheRun();

    private static long liveProducerId;
    private static short liveEpoch;

    @BeforeAll
    static void createTopicsAndATransactionalId() throws Exception {
        broker.admin().createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1), new NewTopic(MARKERS_TOPIC, 1, (short) 1)))
                .all().get(30, TimeUnit.SECONDS);
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, LIVE);
        // the group coordinator loaded, so that TxnOffsetCommit meets it rather than COORDINATOR_NOT_AVAILABLE
        broker.admin().listConsumerGroupOffsets("txn-errors-group").partitionsToOffsetAndMetadata()
                .get(30, TimeUnit.SECONDS);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(),
                new StringSerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(TOPIC, 0, "k", "committed"));
            producer.commitTransaction();
        }
        try (RawKafkaConnection raw = new RawKafkaConnection(broker.bootstrapServers())) {
            InitProducerIdResponseData init = await("the transaction coordinator answers").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> (InitProducerIdResponseData) raw.roundTrip(ApiKeys.INIT_PRODUCER_ID, (short) 4,
                                    new InitProducerIdRequestData().setTransactionalId(LIVE).setTransactionTimeoutMs(60_000)
                                            .setProducerId(-1).setProducerEpoch((short) -1)).data(),
                            response -> response.errorCode() == Errors.NONE.code());
            liveProducerId = init.producerId();
            liveEpoch = init.producerEpoch();
        }
    }

    @Test
    void nonsensicalTransactionRequestsGetKafkasErrorCodes() throws Exception {
        Map<String, String> answers = new LinkedHashMap<>();
        try (RawKafkaConnection raw = new RawKafkaConnection(broker.bootstrapServers())) {
            answers.put("InitProducerId timeout above transaction.max.timeout.ms", outcome(raw, ApiKeys.INIT_PRODUCER_ID, 4,
                    init(LIVE + "-timeout", Integer.MAX_VALUE)));
            answers.put("InitProducerId negative timeout", outcome(raw, ApiKeys.INIT_PRODUCER_ID, 4,
                    init(LIVE + "-timeout", -1)));
            answers.put("InitProducerId empty transactional id", outcome(raw, ApiKeys.INIT_PRODUCER_ID, 4,
                    init("", 60_000)));
            answers.put("InitProducerId unknown producer id of a new transactional id", outcome(raw,
                    ApiKeys.INIT_PRODUCER_ID, 4, init(LIVE + "-fresh", 60_000).setProducerId(UNKNOWN_PRODUCER_ID)
                            .setProducerEpoch((short) 7)));
            answers.put("InitProducerId negative producer id, positive epoch", outcome(raw, ApiKeys.INIT_PRODUCER_ID, 4,
                    init(LIVE, 60_000).setProducerId(-5).setProducerEpoch((short) 3)));

            answers.put("AddPartitionsToTxn unknown transactional id", outcome(raw, ApiKeys.ADD_PARTITIONS_TO_TXN, 3,
                    addPartitions(UNKNOWN, UNKNOWN_PRODUCER_ID, (short) 0, TOPIC)));
            answers.put("AddPartitionsToTxn negative producer id", outcome(raw, ApiKeys.ADD_PARTITIONS_TO_TXN, 3,
                    addPartitions(LIVE, -5L, (short) -1, TOPIC)));
            answers.put("AddPartitionsToTxn newer epoch", outcome(raw, ApiKeys.ADD_PARTITIONS_TO_TXN, 3,
                    addPartitions(LIVE, liveProducerId, (short) (liveEpoch + 1), TOPIC)));
            answers.put("AddPartitionsToTxn unknown topic", outcome(raw, ApiKeys.ADD_PARTITIONS_TO_TXN, 3,
                    addPartitions(LIVE, liveProducerId, liveEpoch, "no-such-topic")));

            answers.put("AddOffsetsToTxn unknown transactional id", outcome(raw, ApiKeys.ADD_OFFSETS_TO_TXN, 3,
                    new AddOffsetsToTxnRequestData().setTransactionalId(UNKNOWN).setProducerId(UNKNOWN_PRODUCER_ID)
                            .setProducerEpoch((short) 0).setGroupId("txn-errors-group")));
            answers.put("EndTxn unknown transactional id", outcome(raw, ApiKeys.END_TXN, 3,
                    new EndTxnRequestData().setTransactionalId(UNKNOWN).setProducerId(UNKNOWN_PRODUCER_ID)
                            .setProducerEpoch((short) 0).setCommitted(true)));
            answers.put("EndTxn commit without a transaction", outcome(raw, ApiKeys.END_TXN, 3,
                    new EndTxnRequestData().setTransactionalId(LIVE).setProducerId(liveProducerId)
                            .setProducerEpoch(liveEpoch).setCommitted(true)));
            answers.put("EndTxn negative producer id", outcome(raw, ApiKeys.END_TXN, 3,
                    new EndTxnRequestData().setTransactionalId(LIVE).setProducerId(-1).setProducerEpoch((short) -1)
                            .setCommitted(false)));

            // opens a transaction of LIVE (Kafka accepts an empty group id): after the EndTxn cases
            answers.put("AddOffsetsToTxn empty group id", outcome(raw, ApiKeys.ADD_OFFSETS_TO_TXN, 3,
                    new AddOffsetsToTxnRequestData().setTransactionalId(LIVE).setProducerId(liveProducerId)
                            .setProducerEpoch(liveEpoch).setGroupId("")));

            answers.put("TxnOffsetCommit unknown transactional id", outcome(raw, ApiKeys.TXN_OFFSET_COMMIT, 3,
                    txnOffsetCommit(UNKNOWN, UNKNOWN_PRODUCER_ID)));
            answers.put("TxnOffsetCommit negative producer id", outcome(raw, ApiKeys.TXN_OFFSET_COMMIT, 3,
                    txnOffsetCommit(LIVE, -1L)));

            answers.put("WriteTxnMarkers unknown topic", outcome(raw, ApiKeys.WRITE_TXN_MARKERS, 1,
                    marker(UNKNOWN_PRODUCER_ID, (short) 0, "no-such-topic", 0)));
            answers.put("WriteTxnMarkers unknown partition", outcome(raw, ApiKeys.WRITE_TXN_MARKERS, 1,
                    marker(UNKNOWN_PRODUCER_ID, (short) 0, MARKERS_TOPIC, 7)));

            answers.put("DescribeTransactions unknown transactional id", outcome(raw, ApiKeys.DESCRIBE_TRANSACTIONS, 0,
                    new DescribeTransactionsRequestData().setTransactionalIds(List.of(UNKNOWN))));
            answers.put("DescribeTransactions empty transactional id", outcome(raw, ApiKeys.DESCRIBE_TRANSACTIONS, 0,
                    new DescribeTransactionsRequestData().setTransactionalIds(List.of(""))));

            answers.put("ListTransactions unknown state filter", outcome(raw, ApiKeys.LIST_TRANSACTIONS, 1,
                    new ListTransactionsRequestData().setStateFilters(List.of("NoSuchState"))));
            answers.put("ListTransactions negative producer id filter", outcome(raw, ApiKeys.LIST_TRANSACTIONS, 1,
                    new ListTransactionsRequestData().setProducerIdFilters(List.of(-5L))));
            answers.put("ListTransactions negative duration filter", outcome(raw, ApiKeys.LIST_TRANSACTIONS, 1,
                    new ListTransactionsRequestData().setDurationFilter(-5L)));

            answers.put("DescribeProducers negative partition", outcome(raw, ApiKeys.DESCRIBE_PRODUCERS, 0,
                    describeProducers(TOPIC, -1)));
            answers.put("DescribeProducers unknown topic", outcome(raw, ApiKeys.DESCRIBE_PRODUCERS, 0,
                    describeProducers("no-such-topic", 0)));
            answers.put("DescribeProducers illegal topic name", outcome(raw, ApiKeys.DESCRIBE_PRODUCERS, 0,
                    describeProducers("bad/name", 0)));
        }

        // what Apache Kafka 4.3.1 answers
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("InitProducerId timeout above transaction.max.timeout.ms", Errors.INVALID_TRANSACTION_TIMEOUT.name());
        expected.put("InitProducerId negative timeout", Errors.INVALID_TRANSACTION_TIMEOUT.name());
        expected.put("InitProducerId empty transactional id", Errors.INVALID_REQUEST.name());
        expected.put("InitProducerId unknown producer id of a new transactional id", Errors.NONE.name());
        expected.put("InitProducerId negative producer id, positive epoch", Errors.PRODUCER_FENCED.name());
        expected.put("AddPartitionsToTxn unknown transactional id", Errors.INVALID_PRODUCER_ID_MAPPING.name());
        expected.put("AddPartitionsToTxn negative producer id", Errors.INVALID_PRODUCER_ID_MAPPING.name());
        expected.put("AddPartitionsToTxn newer epoch", Errors.PRODUCER_FENCED.name());
        expected.put("AddPartitionsToTxn unknown topic", Errors.UNKNOWN_TOPIC_OR_PARTITION.name());
        expected.put("AddOffsetsToTxn unknown transactional id", Errors.INVALID_PRODUCER_ID_MAPPING.name());
        expected.put("EndTxn unknown transactional id", Errors.INVALID_PRODUCER_ID_MAPPING.name());
        expected.put("EndTxn commit without a transaction", Errors.INVALID_TXN_STATE.name());
        expected.put("EndTxn negative producer id", Errors.INVALID_PRODUCER_ID_MAPPING.name());
        expected.put("AddOffsetsToTxn empty group id", Errors.NONE.name());
        expected.put("TxnOffsetCommit unknown transactional id", Errors.INVALID_PRODUCER_ID_MAPPING.name());
        expected.put("TxnOffsetCommit negative producer id", Errors.INVALID_PRODUCER_ID_MAPPING.name());
        expected.put("WriteTxnMarkers unknown topic", Errors.UNKNOWN_TOPIC_OR_PARTITION.name());
        expected.put("WriteTxnMarkers unknown partition", Errors.UNKNOWN_TOPIC_OR_PARTITION.name());
        expected.put("DescribeTransactions unknown transactional id", Errors.TRANSACTIONAL_ID_NOT_FOUND.name());
        expected.put("DescribeTransactions empty transactional id", Errors.INVALID_REQUEST.name());
        expected.put("ListTransactions unknown state filter", Errors.NONE.name());
        expected.put("ListTransactions negative producer id filter", Errors.NONE.name());
        expected.put("ListTransactions negative duration filter", Errors.NONE.name());
        expected.put("DescribeProducers negative partition", Errors.UNKNOWN_TOPIC_OR_PARTITION.name());
        expected.put("DescribeProducers unknown topic", Errors.UNKNOWN_TOPIC_OR_PARTITION.name());
        expected.put("DescribeProducers illegal topic name", Errors.INVALID_TOPIC_EXCEPTION.name());
        assertThat(answers).as("%s answers", BrokerUnderTest.selected()).containsExactlyEntriesOf(expected);
        // still serving, the committed record and its marker in place
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        assertThat(broker.admin().listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp)
                .get(10, TimeUnit.SECONDS).offset()).isEqualTo(2L);
    }

    /** The error codes of the answer other than NONE (NONE if there is none), sorted. */
    private static String outcome(RawKafkaConnection raw, ApiKeys apiKey, int version, ApiMessage data)
            throws Exception {
        AbstractResponse response = raw.roundTrip(apiKey, (short) version, data);
        TreeSet<String> errors = new TreeSet<>();
        response.errorCounts().keySet().stream().filter(e -> e != Errors.NONE).forEach(e -> errors.add(e.name()));
        return errors.isEmpty() ? Errors.NONE.name() : String.join(",", errors);
    }

    private static InitProducerIdRequestData init(String transactionalId, int timeoutMs) {
        return new InitProducerIdRequestData().setTransactionalId(transactionalId).setTransactionTimeoutMs(timeoutMs)
                .setProducerId(-1).setProducerEpoch((short) -1);
    }

    private static AddPartitionsToTxnRequestData addPartitions(String transactionalId, long producerId, short epoch,
                                                               String topic) {
        AddPartitionsToTxnTopicCollection topics = new AddPartitionsToTxnTopicCollection();
        topics.add(new AddPartitionsToTxnTopic().setName(topic).setPartitions(List.of(0)));
        return new AddPartitionsToTxnRequestData().setV3AndBelowTransactionalId(transactionalId)
                .setV3AndBelowProducerId(producerId).setV3AndBelowProducerEpoch(epoch).setV3AndBelowTopics(topics);
    }

    private static TxnOffsetCommitRequestData txnOffsetCommit(String transactionalId, long producerId) {
        return new TxnOffsetCommitRequestData().setTransactionalId(transactionalId).setGroupId("txn-errors-group")
                .setProducerId(producerId).setProducerEpoch((short) 0)
                .setTopics(List.of(new TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic().setName(TOPIC)
                        .setPartitions(List.of(new TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition()
                                .setPartitionIndex(0).setCommittedOffset(1L)))));
    }

    private static WriteTxnMarkersRequestData marker(long producerId, short epoch, String topic, int partition) {
        return new WriteTxnMarkersRequestData().setMarkers(List.of(new WriteTxnMarkersRequestData.WritableTxnMarker()
                .setProducerId(producerId).setProducerEpoch(epoch).setTransactionResult(false).setCoordinatorEpoch(0)
                .setTopics(List.of(new WriteTxnMarkersRequestData.WritableTxnMarkerTopic().setName(topic)
                        .setPartitionIndexes(List.of(partition))))));
    }

    private static DescribeProducersRequestData describeProducers(String topic, int partition) {
        return new DescribeProducersRequestData().setTopics(List.of(new DescribeProducersRequestData.TopicRequest()
                .setName(topic).setPartitionIndexes(List.of(partition))));
    }
}
