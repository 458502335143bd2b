package io.strand.broker.api.txn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.strand.broker.api.Requests;
import io.strand.broker.api.TestImages;
import io.strand.broker.network.ApiHandler;
import io.strand.broker.replica.ReplicaManager;
import io.strand.broker.txn.TransactionCoordinatorService;
import io.strand.coordinator.txn.TransactionCoordinatorConfig;
import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddOffsetsToTxnResponseData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransactionCollection;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.DescribeTransactionsRequestData;
import org.apache.kafka.common.message.DescribeTransactionsResponseData;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.EndTxnResponseData;
import org.apache.kafka.common.message.ListTransactionsRequestData;
import org.apache.kafka.common.message.ListTransactionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The transaction handlers on a broker that coordinates no transactional id: everything the handlers
 * decide themselves (versions, unknown topics, bad input) and the coordinator's NOT_COORDINATOR. The
 * answers of a coordinator that serves are covered end to end in {@code TransactionsNodeTest}.
 */
class TransactionHandlersTest {

    private static final int NODE_ID = 1;
    private static final String TOPIC = "orders";

    private final TransactionCoordinatorService service = new TransactionCoordinatorService(NODE_ID,
            TransactionCoordinatorConfig.from(Map.of(TransactionCoordinatorConfig.STATE_LOG_PARTITIONS, "4")),
            new ReplicaManager(NODE_ID, null, null), () -> 1000L, (markers, completion) -> { },
            groupId -> 0, Time.SYSTEM);
    private final Map<ApiKeys, ApiHandler<?>> handlers = new EnumMap<>(ApiKeys.class);

    @BeforeEach
    void start() {
        // Broker 2 leads every __transaction_state partition.
        service.start(request -> new CompletableFuture<>(), TestImages.builder().broker(NODE_ID).broker(2)
                .topic(TOPIC, 2, NODE_ID).topic(Topic.TRANSACTION_STATE_TOPIC_NAME, 4, 2).build());
        TransactionHandlers.all(service).forEach(h -> handlers.put(h.apiKey(), h));
    }

    @AfterEach
    void close() {
        service.close();
    }

    @SuppressWarnings("unchecked")
    private <T extends ApiMessage> T handle(ApiKeys key, short version, ApiMessage data) {
        ByteBuffer bytes = MessageUtil.toByteBufferAccessor(data, version).buffer();
        AbstractRequest request = AbstractRequest.parseRequest(key, version, new ByteBufferAccessor(bytes)).request;
        ApiHandler<AbstractRequest> handler = (ApiHandler<AbstractRequest>) handlers.get(key);
        ApiMessage response = handler.handle(Requests.context(request), request).join();
        return Requests.overWire(key, response, version);
    }

    @Test
    void advertisesTheVersionsKafkaFourAdvertises() {
        assertThat(handlers.values()).extracting(ApiHandler::advertisedVersions)
                .extracting(ApiVersion::apiKey, ApiVersion::minVersion, ApiVersion::maxVersion)
                .containsExactlyInAnyOrder(
                        tuple(ApiKeys.ADD_PARTITIONS_TO_TXN.id, (short) 0, (short) 5),
                        tuple(ApiKeys.ADD_OFFSETS_TO_TXN.id, (short) 0, (short) 4),
                        tuple(ApiKeys.END_TXN.id, (short) 0, (short) 5),
                        tuple(ApiKeys.DESCRIBE_TRANSACTIONS.id, (short) 0, (short) 0),
                        tuple(ApiKeys.LIST_TRANSACTIONS.id, (short) 0, (short) 2));
    }

    private static AddPartitionsToTxnTopicCollection topics(TopicPartition... partitions) {
        AddPartitionsToTxnTopicCollection topics = new AddPartitionsToTxnTopicCollection();
        for (TopicPartition tp : partitions) {
            AddPartitionsToTxnTopic topic = topics.find(tp.topic());
            if (topic == null) {
                topic = new AddPartitionsToTxnTopic().setName(tp.topic());
                topics.add(topic);
            }
            topic.partitions().add(tp.partition());
        }
        return topics;
    }

    @Test
    void addPartitionsWithAnUnknownPartitionAddsNothing() {
        AddPartitionsToTxnResponseData response = handle(ApiKeys.ADD_PARTITIONS_TO_TXN, (short) 3,
                new AddPartitionsToTxnRequestData().setV3AndBelowTransactionalId("txn").setV3AndBelowProducerId(5)
                        .setV3AndBelowProducerEpoch((short) 0).setV3AndBelowTopics(topics(new TopicPartition(TOPIC, 0),
                                new TopicPartition(TOPIC, 9), new TopicPartition("missing", 0))));

        assertThat(AddPartitionsToTxnResponse.errorsForTransaction(response.resultsByTopicV3AndBelow()))
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        new TopicPartition(TOPIC, 0), Errors.OPERATION_NOT_ATTEMPTED,
                        new TopicPartition(TOPIC, 9), Errors.UNKNOWN_TOPIC_OR_PARTITION,
                        new TopicPartition("missing", 0), Errors.UNKNOWN_TOPIC_OR_PARTITION));
    }

    @Test
    void aClientMayNotAddAnInternalTopicsPartitions() {
        AddPartitionsToTxnResponseData response = handle(ApiKeys.ADD_PARTITIONS_TO_TXN, (short) 3,
                new AddPartitionsToTxnRequestData().setV3AndBelowTransactionalId("txn").setV3AndBelowProducerId(5)
                        .setV3AndBelowProducerEpoch((short) 0).setV3AndBelowTopics(topics(new TopicPartition(TOPIC, 0),
                                new TopicPartition(Topic.TRANSACTION_STATE_TOPIC_NAME, 0),
                                new TopicPartition(Topic.GROUP_METADATA_TOPIC_NAME, 99))));

        assertThat(AddPartitionsToTxnResponse.errorsForTransaction(response.resultsByTopicV3AndBelow()))
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        new TopicPartition(TOPIC, 0), Errors.OPERATION_NOT_ATTEMPTED,
                        new TopicPartition(Topic.TRANSACTION_STATE_TOPIC_NAME, 0), Errors.TOPIC_AUTHORIZATION_FAILED,
                        new TopicPartition(Topic.GROUP_METADATA_TOPIC_NAME, 99), Errors.TOPIC_AUTHORIZATION_FAILED));
    }

    @Test
    void theCoordinatorsAnswerNamesEveryTopicOfTheRequestEvenWithoutPartitions() {
        AddPartitionsToTxnTopicCollection topics = topics(new TopicPartition(TOPIC, 0));
        topics.add(new AddPartitionsToTxnTopic().setName("missing"));

        AddPartitionsToTxnResponseData response = handle(ApiKeys.ADD_PARTITIONS_TO_TXN, (short) 3,
                new AddPartitionsToTxnRequestData().setV3AndBelowTransactionalId("txn").setV3AndBelowProducerId(5)
                        .setV3AndBelowProducerEpoch((short) 0).setV3AndBelowTopics(topics));

        assertThat(response.resultsByTopicV3AndBelow()).extracting(r -> r.name(), r -> r.resultsByPartition().size())
                .containsExactlyInAnyOrder(tuple(TOPIC, 1), tuple("missing", 0));
    }

    @Test
    void addPartitionsForAnIdCoordinatedElsewhereIsNotCoordinatorAtEveryClientVersion() {
        for (short version = 0; version <= 3; version++) {
            AddPartitionsToTxnResponseData response = handle(ApiKeys.ADD_PARTITIONS_TO_TXN, version,
                    new AddPartitionsToTxnRequestData().setV3AndBelowTransactionalId("txn")
                            .setV3AndBelowProducerId(5).setV3AndBelowProducerEpoch((short) 0)
                            .setV3AndBelowTopics(topics(new TopicPartition(TOPIC, 0))));
            assertThat(AddPartitionsToTxnResponse.errorsForTransaction(response.resultsByTopicV3AndBelow()))
                    .containsExactlyEntriesOf(Map.of(new TopicPartition(TOPIC, 0), Errors.NOT_COORDINATOR));
        }
    }

    @Test
    void addPartitionsFromABrokerAnswersEachTransactionOnItsOwn() {
        AddPartitionsToTxnTransactionCollection transactions = new AddPartitionsToTxnTransactionCollection();
        transactions.add(new AddPartitionsToTxnTransaction().setTransactionalId("").setProducerId(1)
                .setProducerEpoch((short) 0).setVerifyOnly(true).setTopics(topics(new TopicPartition(TOPIC, 0))));
        transactions.add(new AddPartitionsToTxnTransaction().setTransactionalId("unknown-topic").setProducerId(2)
                .setProducerEpoch((short) 0).setVerifyOnly(true).setTopics(topics(new TopicPartition("missing", 0))));
        transactions.add(new AddPartitionsToTxnTransaction().setTransactionalId("elsewhere").setProducerId(3)
                .setProducerEpoch((short) 0).setVerifyOnly(false).setTopics(topics(new TopicPartition(TOPIC, 1))));

        AddPartitionsToTxnResponseData response = handle(ApiKeys.ADD_PARTITIONS_TO_TXN, (short) 5,
                new AddPartitionsToTxnRequestData().setTransactions(transactions));

        assertThat(Errors.forCode(response.errorCode())).isEqualTo(Errors.NONE);
        assertThat(errors(response, "")).containsExactlyEntriesOf(Map.of(new TopicPartition(TOPIC, 0),
                Errors.INVALID_REQUEST));
        assertThat(errors(response, "unknown-topic")).containsExactlyEntriesOf(Map.of(new TopicPartition("missing", 0),
                Errors.UNKNOWN_TOPIC_OR_PARTITION));
        assertThat(errors(response, "elsewhere")).containsExactlyEntriesOf(Map.of(new TopicPartition(TOPIC, 1),
                Errors.NOT_COORDINATOR));
    }

    private static Map<TopicPartition, Errors> errors(AddPartitionsToTxnResponseData response, String id) {
        return AddPartitionsToTxnResponse.errorsForTransaction(response.resultsByTransaction().find(id).topicResults());
    }

    @Test
    void endTxnNeedsATransactionalIdAndItsCoordinator() {
        EndTxnResponseData empty = handle(ApiKeys.END_TXN, (short) 4,
                new EndTxnRequestData().setTransactionalId("").setProducerId(1).setProducerEpoch((short) 0)
                        .setCommitted(true));
        EndTxnResponseData elsewhere = handle(ApiKeys.END_TXN, (short) 5,
                new EndTxnRequestData().setTransactionalId("txn").setProducerId(1).setProducerEpoch((short) 0)
                        .setCommitted(false));

        assertThat(Errors.forCode(empty.errorCode())).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(Errors.forCode(elsewhere.errorCode())).isEqualTo(Errors.NOT_COORDINATOR);
        assertThat(elsewhere.producerId()).isEqualTo(-1);
        assertThat(elsewhere.producerEpoch()).isEqualTo((short) -1);
    }

    @Test
    void addOffsetsTakesAnEmptyGroupIdAsKafkaDoes() {
        AddOffsetsToTxnResponseData empty = handle(ApiKeys.ADD_OFFSETS_TO_TXN, (short) 3,
                new AddOffsetsToTxnRequestData().setTransactionalId("txn").setProducerId(1)
                        .setProducerEpoch((short) 0).setGroupId(""));
        AddOffsetsToTxnResponseData elsewhere = handle(ApiKeys.ADD_OFFSETS_TO_TXN, (short) 3,
                new AddOffsetsToTxnRequestData().setTransactionalId("txn").setProducerId(1)
                        .setProducerEpoch((short) 0).setGroupId("group"));

        // no INVALID_GROUP_ID: the coordinator is asked, and it does not coordinate "txn" here
        assertThat(Errors.forCode(empty.errorCode())).isEqualTo(Errors.NOT_COORDINATOR);
        assertThat(Errors.forCode(elsewhere.errorCode())).isEqualTo(Errors.NOT_COORDINATOR);
    }

    @Test
    void describeTransactionsAnswersEachIdInOrder() {
        DescribeTransactionsResponseData response = handle(ApiKeys.DESCRIBE_TRANSACTIONS, (short) 0,
                new DescribeTransactionsRequestData().setTransactionalIds(List.of("elsewhere", "")));

        assertThat(response.transactionStates()).extracting(DescribeTransactionsResponseData.TransactionState::transactionalId,
                        s -> Errors.forCode(s.errorCode()))
                .containsExactly(tuple("elsewhere", Errors.NOT_COORDINATOR),
                        tuple("", Errors.INVALID_REQUEST));
    }

    @Test
    void listTransactionsReportsUnknownStatesAndBadPatterns() {
        ListTransactionsResponseData listed = handle(ApiKeys.LIST_TRANSACTIONS, (short) 1,
                new ListTransactionsRequestData().setStateFilters(List.of("Ongoing", "Sleeping")).setDurationFilter(-1));
        ListTransactionsResponseData badPattern = handle(ApiKeys.LIST_TRANSACTIONS, (short) 2,
                new ListTransactionsRequestData().setTransactionalIdPattern("(unclosed"));

        assertThat(Errors.forCode(listed.errorCode())).isEqualTo(Errors.NONE);
        assertThat(listed.unknownStateFilters()).containsExactly("Sleeping");
        assertThat(listed.transactionStates()).isEmpty();
        assertThat(Errors.forCode(badPattern.errorCode())).isEqualTo(Errors.INVALID_REGULAR_EXPRESSION);
    }
}
