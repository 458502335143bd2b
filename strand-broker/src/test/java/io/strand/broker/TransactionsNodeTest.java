package io.strand.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.strand.broker.txn.BrokerConnections;
import io.strand.common.test.ThreadLeakCheck;
import java.io.DataOutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransactionCollection;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.EndTxnResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transactions against a whole single node: the official Java producer and admin client, and the
 * transaction APIs on the wire (as another broker or a non-Java client sends them).
 */
class TransactionsNodeTest {

    private static final String TOPIC = "txn-topic";
    /** A topic no transaction here writes to. */
    private static final String OTHER_TOPIC = "other-topic";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dataDir;

    private Map<String, String> props() {
        return TestNodes.props(dataDir, 0, Map.of(
                "listeners", "PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:0",
                "transaction.state.log.num.partitions", "2",
                "transaction.state.log.replication.factor", "1",
                "transaction.state.log.min.isr", "1",
                "transaction.max.timeout.ms", "120000"));
    }

    private static Admin admin(String bootstrap) throws Exception {
        Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
        admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1), new NewTopic(OTHER_TOPIC, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        return admin;
    }

    private static KafkaProducer<String, String> producer(String bootstrap, String transactionalId) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        return new KafkaProducer<>(config);
    }

    @Test
    void javaProducerInitializesAndANewerOneWithTheSameIdFencesIt() throws Exception {
        try (BrokerServer node = TestNodes.start(props())) {
            String bootstrap = TestNodes.bootstrap(node.clientListeners().get("PLAINTEXT"));
            try (Admin admin = admin(bootstrap);
                 KafkaProducer<String, String> first = producer(bootstrap, "tx-fenced");
                 KafkaProducer<String, String> second = producer(bootstrap, "tx-fenced")) {
                first.initTransactions();
                TransactionDescription initialized = admin.describeTransactions(List.of("tx-fenced"))
                        .description("tx-fenced").get();
                assertThat(initialized.state()).isEqualTo(TransactionState.EMPTY);
                assertThat(initialized.producerId()).isNotNegative();
                assertThat(admin.listTransactions().all().get()).extracting(TransactionListing::transactionalId)
                        .contains("tx-fenced");

                second.initTransactions();
                TransactionDescription fenced = admin.describeTransactions(List.of("tx-fenced"))
                        .description("tx-fenced").get();
                assertThat(fenced.producerId()).isEqualTo(initialized.producerId());
                assertThat(fenced.producerEpoch()).isGreaterThan(initialized.producerEpoch());

                // A transactions v2 producer sends no AddPartitionsToTxn: the leader's implicit add is
                // refused as PRODUCER_FENCED, answered INVALID_PRODUCER_EPOCH to the Produce (as Kafka).
                first.beginTransaction();
                first.send(new ProducerRecord<>(TOPIC, "from the fenced producer"));
                Throwable failure = catchThrowable(first::commitTransaction);
                assertThat(failure).isInstanceOf(InvalidProducerEpochException.class);
            }
        }
    }

    @Test
    void transactionsCommitAndAbortOverTheWire() throws Exception {
        ThreadLeakCheck threads = ThreadLeakCheck.start();
        try (BrokerServer node = TestNodes.start(props())) {
            InetSocketAddress listener = node.clientListeners().get("PLAINTEXT");
            try (Admin admin = admin(TestNodes.bootstrap(listener));
                 BrokerConnections wire = new BrokerConnections("test-client-network", id -> Optional.of(listener),
                         "test-client", 50, 10_000)) {
                String id = "tx-wire";
                await("a coordinator for " + id).atMost(TIMEOUT).untilAsserted(() -> {
                    FindCoordinatorResponseData found = (FindCoordinatorResponseData) send(wire, ApiKeys.FIND_COORDINATOR,
                            new FindCoordinatorRequestData().setKeyType(CoordinatorType.TRANSACTION.id())
                                    .setCoordinatorKeys(List.of(id)));
                    assertThat(Errors.forCode(found.coordinators().get(0).errorCode())).isEqualTo(Errors.NONE);
                    assertThat(found.coordinators().get(0).port()).isEqualTo(listener.getPort());
                });
                // Requests to one broker queue on its connection: many at once all get their answers.
                List<CompletableFuture<ApiMessage>> concurrent = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    concurrent.add(wire.send(1, ApiKeys.FIND_COORDINATOR, (short) 4, version ->
                            new FindCoordinatorRequestData().setKeyType(CoordinatorType.TRANSACTION.id())
                                    .setCoordinatorKeys(List.of(id))));
                }
                for (CompletableFuture<ApiMessage> answer : concurrent) {
                    FindCoordinatorResponseData found = (FindCoordinatorResponseData) answer.get(30, TimeUnit.SECONDS);
                    assertThat(Errors.forCode(found.coordinators().get(0).errorCode())).isEqualTo(Errors.NONE);
                }
                InitProducerIdResponseData init = await().atMost(TIMEOUT).until(() -> (InitProducerIdResponseData) send(
                        wire, ApiKeys.INIT_PRODUCER_ID, (short) 5, new InitProducerIdRequestData().setTransactionalId(id)
                                .setTransactionTimeoutMs(60_000)), r -> r.errorCode() == Errors.NONE.code());
                long producerId = init.producerId();
                short epoch = init.producerEpoch();

                assertThat(addPartitions(wire, id, producerId, epoch, new TopicPartition("no-such-topic", 0),
                        new TopicPartition(TOPIC, 0))).containsExactlyInAnyOrderEntriesOf(Map.of(
                        new TopicPartition("no-such-topic", 0), Errors.UNKNOWN_TOPIC_OR_PARTITION,
                        new TopicPartition(TOPIC, 0), Errors.OPERATION_NOT_ATTEMPTED));
                assertThat(addPartitions(wire, id, producerId, epoch, new TopicPartition(TOPIC, 0)))
                        .containsExactlyEntriesOf(Map.of(new TopicPartition(TOPIC, 0), Errors.NONE));
                assertThat(describe(admin, id).topicPartitions()).containsExactly(new TopicPartition(TOPIC, 0));
                assertThat(describe(admin, id).state()).isEqualTo(TransactionState.ONGOING);
                assertThat(verify(wire, id, producerId, epoch, new TopicPartition(TOPIC, 0))).isEqualTo(Errors.NONE);
                assertThat(verify(wire, id, producerId, epoch, new TopicPartition(OTHER_TOPIC, 0)))
                        .isEqualTo(Errors.TRANSACTION_ABORTABLE);

                assertThat(endTxn(wire, id, producerId, epoch, true)).isEqualTo(Errors.NONE);
                await("the commit completed").atMost(TIMEOUT).untilAsserted(() ->
                        assertThat(describe(admin, id).state()).isEqualTo(TransactionState.COMPLETE_COMMIT));

                await().atMost(TIMEOUT).until(() -> addPartitions(wire, id, producerId, epoch,
                        new TopicPartition(TOPIC, 0)).get(new TopicPartition(TOPIC, 0)) == Errors.NONE);
                assertThat(endTxn(wire, id, producerId, epoch, false)).isEqualTo(Errors.NONE);
                await("the abort completed").atMost(TIMEOUT).untilAsserted(() ->
                        assertThat(describe(admin, id).state()).isEqualTo(TransactionState.COMPLETE_ABORT));

                // Bad input harms nothing: each gets its error and the coordinator serves on.
                InitProducerIdResponseData empty = (InitProducerIdResponseData) send(wire, ApiKeys.INIT_PRODUCER_ID,
                        new InitProducerIdRequestData().setTransactionalId("").setTransactionTimeoutMs(60_000));
                assertThat(Errors.forCode(empty.errorCode())).isEqualTo(Errors.INVALID_REQUEST);
                InitProducerIdResponseData tooLong = (InitProducerIdResponseData) send(wire, ApiKeys.INIT_PRODUCER_ID,
                        new InitProducerIdRequestData().setTransactionalId(id).setTransactionTimeoutMs(120_001));
                assertThat(Errors.forCode(tooLong.errorCode())).as("past transaction.max.timeout.ms")
                        .isEqualTo(Errors.INVALID_TRANSACTION_TIMEOUT);
                assertThat(endTxn(wire, id, -5, (short) 0, true)).isNotEqualTo(Errors.NONE);
                assertThat(endTxn(wire, "never-initialized", producerId, epoch, true))
                        .isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING);
                assertThat(describe(admin, id).state()).isEqualTo(TransactionState.COMPLETE_ABORT);

                // A truncated EndTxn closes its connection, as Kafka's broker does; the node serves on.
                assertThat(sendTruncatedEndTxn(listener, id)).as("end of stream").isEqualTo(-1);
                assertThat(endTxn(wire, id, producerId, epoch, true)).isEqualTo(Errors.INVALID_TXN_STATE);
                assertThat(describe(admin, id).state()).isEqualTo(TransactionState.COMPLETE_ABORT);
            }
        }
        // The coordinator's threads, the marker channel's and the connections' event loops end with the node.
        threads.assertNoNewThreads();
    }

    @Test
    void javaProducerAbortsATransaction() throws Exception {
        try (BrokerServer node = TestNodes.start(props())) {
            String bootstrap = TestNodes.bootstrap(node.clientListeners().get("PLAINTEXT"));
            try (Admin admin = admin(bootstrap);
                 KafkaProducer<String, String> producer = producer(bootstrap, "tx-abort")) {
                producer.initTransactions();
                producer.beginTransaction();
                // Whether the record is appended is the produce path's business; the partition joins the transaction.
                producer.send(new ProducerRecord<>(TOPIC, "aborted"));
                producer.flush();
                assertThat(describe(admin, "tx-abort").topicPartitions()).containsExactly(new TopicPartition(TOPIC, 0));
                producer.abortTransaction();
                // Aborted; Empty if the client also bumped its epoch after a failed send (KIP-360).
                await("the abort completed").atMost(TIMEOUT).untilAsserted(() -> {
                    TransactionDescription aborted = describe(admin, "tx-abort");
                    assertThat(aborted.state()).isIn(TransactionState.COMPLETE_ABORT, TransactionState.EMPTY);
                    assertThat(aborted.topicPartitions()).isEmpty();
                });
            }
        }
    }

    @Test
    void javaProducerCommitsAndAborts() throws Exception {
        try (BrokerServer node = TestNodes.start(props())) {
            String bootstrap = TestNodes.bootstrap(node.clientListeners().get("PLAINTEXT"));
            try (Admin admin = admin(bootstrap);
                 KafkaProducer<String, String> producer = producer(bootstrap, "tx-java")) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(TOPIC, "committed")).get();
                producer.commitTransaction();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(TOPIC, "aborted")).get();
                producer.abortTransaction();
                await().atMost(TIMEOUT).untilAsserted(() ->
                        assertThat(describe(admin, "tx-java").state()).isEqualTo(TransactionState.COMPLETE_ABORT));
            }
        }
    }

    /** Writes an EndTxn v4 frame cut short inside its producer id; what the node then sends (-1: it closed). */
    private static int sendTruncatedEndTxn(InetSocketAddress listener, String id) throws Exception {
        RequestHeader header = new RequestHeader(ApiKeys.END_TXN, (short) 4, "truncating-client", 7);
        ByteBuffer whole = RequestUtils.serialize(header.data(), header.headerVersion(), new EndTxnRequestData()
                .setTransactionalId(id).setProducerId(1).setProducerEpoch((short) 0).setCommitted(true), (short) 4);
        int length = whole.remaining() - 8;
        try (Socket socket = new Socket(listener.getAddress(), listener.getPort())) {
            socket.setSoTimeout(10_000);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeInt(length);
            out.write(whole.array(), whole.arrayOffset() + whole.position(), length);
            out.flush();
            return socket.getInputStream().read();
        }
    }

    @Test
    void theCoordinatorsPropertiesAreValidatedWithTheNodes() {
        assertThat(BrokerServer.config(props()).originals()).containsEntry("transaction.max.timeout.ms", "120000");
        Map<String, String> bad = new HashMap<>(props());
        bad.put("transaction.max.timeout.ms", "0");
        assertThat(catchThrowable(() -> BrokerServer.config(bad))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("transaction.max.timeout.ms");
    }

    private static ApiMessage send(BrokerConnections wire, ApiKeys api, ApiMessage request) throws Exception {
        return send(wire, api, api.latestVersion(), request);
    }

    /** At the highest version up to {@code maxVersion} the node serves. */
    private static ApiMessage send(BrokerConnections wire, ApiKeys api, short maxVersion, ApiMessage request)
            throws Exception {
        return wire.send(1, api, api.oldestVersion(), maxVersion, version -> request).get(30, TimeUnit.SECONDS);
    }

    private static TransactionDescription describe(Admin admin, String id)
            throws ExecutionException, InterruptedException {
        return admin.describeTransactions(List.of(id)).description(id).get();
    }

    /** AddPartitionsToTxn v3, as a producer sends it. */
    private static Map<TopicPartition, Errors> addPartitions(BrokerConnections wire, String id, long producerId,
                                                             short epoch, TopicPartition... partitions) throws Exception {
        AddPartitionsToTxnRequestData request = new AddPartitionsToTxnRequestData().setV3AndBelowTransactionalId(id)
                .setV3AndBelowProducerId(producerId).setV3AndBelowProducerEpoch(epoch)
                .setV3AndBelowTopics(topics(partitions));
        AddPartitionsToTxnResponseData response = (AddPartitionsToTxnResponseData) send(wire,
                ApiKeys.ADD_PARTITIONS_TO_TXN, (short) 3, request);
        return AddPartitionsToTxnResponse.errorsForTransaction(response.resultsByTopicV3AndBelow());
    }

    /** AddPartitionsToTxn v4+ with verify_only, as a partition leader sends it. */
    private static Errors verify(BrokerConnections wire, String id, long producerId, short epoch,
                                 TopicPartition partition) throws Exception {
        AddPartitionsToTxnTransactionCollection transactions = new AddPartitionsToTxnTransactionCollection();
        transactions.add(new AddPartitionsToTxnTransaction().setTransactionalId(id).setProducerId(producerId)
                .setProducerEpoch(epoch).setVerifyOnly(true).setTopics(topics(partition)));
        AddPartitionsToTxnResponseData response = (AddPartitionsToTxnResponseData) wire.send(1,
                ApiKeys.ADD_PARTITIONS_TO_TXN, (short) 4,
                version -> new AddPartitionsToTxnRequestData().setTransactions(transactions)).get(30, TimeUnit.SECONDS);
        return AddPartitionsToTxnResponse.errorsForTransaction(
                response.resultsByTransaction().find(id).topicResults()).get(partition);
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

    private static Errors endTxn(BrokerConnections wire, String id, long producerId, short epoch, boolean commit)
            throws Exception {
        EndTxnResponseData response = (EndTxnResponseData) send(wire, ApiKeys.END_TXN, (short) 4, new EndTxnRequestData()
                .setTransactionalId(id).setProducerId(producerId).setProducerEpoch(epoch).setCommitted(commit));
        return Errors.forCode(response.errorCode());
    }
}
