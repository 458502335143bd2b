package io.strand.broker.txn;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.api.TestImages;
import io.strand.broker.replica.ReplicaManager;
import io.strand.coordinator.txn.TransactionCoordinatorConfig;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.DisconnectException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Verification at a partition leader whose transactional ids are coordinated by broker 2. */
class CoordinatorTransactionVerifierTest {

    private static final int NODE_ID = 1;
    private static final int COORDINATOR = 2;
    private static final TopicPartition TP = new TopicPartition("orders", 0);

    private final BlockingQueue<Sent> sent = new LinkedBlockingQueue<>();
    private final TransactionCoordinatorService service = new TransactionCoordinatorService(NODE_ID,
            TransactionCoordinatorConfig.from(Map.of(TransactionCoordinatorConfig.STATE_LOG_PARTITIONS, "2")),
            new ReplicaManager(NODE_ID, null, null), () -> 1L, (markers, completion) -> { }, group -> 0, Time.SYSTEM);
    private final CoordinatorTransactionVerifier verifier = new CoordinatorTransactionVerifier(NODE_ID, service,
            (brokerId, api, minVersion, request) -> {
                CompletableFuture<ApiMessage> answer = new CompletableFuture<>();
                sent.add(new Sent(brokerId, api, minVersion, (AddPartitionsToTxnRequestData) request.apply((short) 5),
                        answer));
                return answer;
            });

    private record Sent(int brokerId, ApiKeys api, short minVersion, AddPartitionsToTxnRequestData request,
                        CompletableFuture<ApiMessage> answer) {

        void answer(Errors error) {
            AddPartitionsToTxnTransaction txn = request.transactions().iterator().next();
            AddPartitionsToTxnResponseData response = new AddPartitionsToTxnResponseData();
            response.resultsByTransaction().add(AddPartitionsToTxnResponse.resultForTransaction(txn.transactionalId(),
                    Map.of(TP, error)));
            answer.complete(response);
        }
    }

    @BeforeEach
    void start() {
        service.start(request -> new CompletableFuture<>(), TestImages.builder().broker(NODE_ID).broker(COORDINATOR)
                .topic(TP.topic(), 1, NODE_ID).topic(Topic.TRANSACTION_STATE_TOPIC_NAME, 2, COORDINATOR).build());
    }

    @AfterEach
    void close() {
        service.close();
    }

    private Sent next() throws InterruptedException {
        Sent next = sent.poll(10, TimeUnit.SECONDS);
        assertThat(next).as("a verification sent").isNotNull();
        return next;
    }

    @Test
    void asksTheCoordinatorsBrokerWithAVerifyOnlyAddPartitions() throws Exception {
        CompletableFuture<Errors> verified = verifier.verify("txn", 42, (short) 3, TP);

        Sent request = next();
        assertThat(request.brokerId()).isEqualTo(COORDINATOR);
        assertThat(request.api()).isEqualTo(ApiKeys.ADD_PARTITIONS_TO_TXN);
        assertThat(request.minVersion()).isEqualTo((short) 4);
        AddPartitionsToTxnTransaction txn = request.request().transactions().find("txn");
        assertThat(txn.verifyOnly()).isTrue();
        assertThat(txn.producerId()).isEqualTo(42);
        assertThat(txn.producerEpoch()).isEqualTo((short) 3);
        assertThat(txn.topics().find(TP.topic()).partitions()).containsExactly(TP.partition());
        request.answer(Errors.NONE);
        assertThat(verified.get(10, TimeUnit.SECONDS)).isEqualTo(Errors.NONE);
    }

    @Test
    void addsForATransactionsV2ProducerWithAnAddPartitionsThatIsNotVerifyOnly() throws Exception {
        CompletableFuture<Errors> added = verifier.add("txn", 42, (short) 3, TP);

        Sent request = next();
        assertThat(request.brokerId()).isEqualTo(COORDINATOR);
        AddPartitionsToTxnTransaction txn = request.request().transactions().find("txn");
        assertThat(txn.verifyOnly()).isFalse();
        assertThat(txn.producerEpoch()).isEqualTo((short) 3);
        assertThat(txn.topics().find(TP.topic()).partitions()).containsExactly(TP.partition());
        request.answer(Errors.NONE);
        assertThat(added.get(10, TimeUnit.SECONDS)).isEqualTo(Errors.NONE);
    }

    @Test
    void anAddsAnswerIsPassedOnButForFencing() throws Exception {
        Map<Errors, Errors> expected = Map.of(
                Errors.PRODUCER_FENCED, Errors.INVALID_PRODUCER_EPOCH,
                Errors.CONCURRENT_TRANSACTIONS, Errors.CONCURRENT_TRANSACTIONS,
                Errors.NOT_COORDINATOR, Errors.NOT_COORDINATOR,
                Errors.INVALID_PRODUCER_ID_MAPPING, Errors.INVALID_PRODUCER_ID_MAPPING);
        for (Map.Entry<Errors, Errors> e : expected.entrySet()) {
            CompletableFuture<Errors> answer = verifier.add("txn", 42, (short) 3, TP);
            next().answer(e.getKey());
            assertThat(answer.get(10, TimeUnit.SECONDS)).as("for %s", e.getKey()).isEqualTo(e.getValue());
        }
    }

    @Test
    void aVerificationAndAnAddOfOneIdGoInRequestsOfTheirOwn() throws Exception {
        CompletableFuture<Errors> first = verifier.verify("other", 1, (short) 0, TP);
        Sent inFlight = next();
        CompletableFuture<Errors> verified = verifier.verify("txn", 42, (short) 3, TP);
        CompletableFuture<Errors> added = verifier.add("txn", 42, (short) 3, new TopicPartition("orders", 1));
        inFlight.answer(Errors.NONE);
        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(Errors.NONE);

        Sent verify = next();
        assertThat(verify.request().transactions().find("txn").verifyOnly()).isTrue();
        verify.answer(Errors.NONE);
        assertThat(verified.get(10, TimeUnit.SECONDS)).isEqualTo(Errors.NONE);
        Sent add = next();
        assertThat(add.request().transactions().find("txn").verifyOnly()).isFalse();
        AddPartitionsToTxnResponseData response = new AddPartitionsToTxnResponseData();
        response.resultsByTransaction().add(AddPartitionsToTxnResponse.resultForTransaction("txn",
                Map.of(new TopicPartition("orders", 1), Errors.NONE)));
        add.answer().complete(response);
        assertThat(added.get(10, TimeUnit.SECONDS)).isEqualTo(Errors.NONE);
    }

    @Test
    void everyCallAsksTheCoordinatorAgain() throws Exception {
        CompletableFuture<Errors> first = verifier.verify("txn", 42, (short) 3, TP);
        next().answer(Errors.NONE);
        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(Errors.NONE);

        CompletableFuture<Errors> again = verifier.verify("txn", 42, (short) 3, TP);
        next().answer(Errors.TRANSACTION_ABORTABLE);
        assertThat(again.get(10, TimeUnit.SECONDS)).isEqualTo(Errors.TRANSACTION_ABORTABLE);
    }

    @Test
    void mapsTheCoordinatorsAnswersAsKafkasProducePathDoes() throws Exception {
        Map<Errors, Errors> expected = Map.of(
                Errors.TRANSACTION_ABORTABLE, Errors.TRANSACTION_ABORTABLE,
                Errors.PRODUCER_FENCED, Errors.INVALID_PRODUCER_EPOCH,
                Errors.NOT_COORDINATOR, Errors.NOT_ENOUGH_REPLICAS,
                Errors.COORDINATOR_LOAD_IN_PROGRESS, Errors.NOT_ENOUGH_REPLICAS,
                Errors.CONCURRENT_TRANSACTIONS, Errors.NOT_ENOUGH_REPLICAS,
                Errors.INVALID_PRODUCER_ID_MAPPING, Errors.INVALID_PRODUCER_ID_MAPPING);
        for (Map.Entry<Errors, Errors> e : expected.entrySet()) {
            CompletableFuture<Errors> answer = verifier.verify("txn", 42, (short) 3, TP);
            next().answer(e.getKey());
            assertThat(answer.get(10, TimeUnit.SECONDS)).as("for %s", e.getKey()).isEqualTo(e.getValue());
        }
        CompletableFuture<Errors> lost = verifier.verify("txn", 42, (short) 3, TP);
        next().answer().completeExceptionally(new DisconnectException("lost"));
        assertThat(lost.get(10, TimeUnit.SECONDS)).isEqualTo(Errors.NOT_ENOUGH_REPLICAS);
    }

    @Test
    void verificationsWaitingForTheSameBrokerGoInOneRequest() throws Exception {
        TopicPartition other = new TopicPartition("orders", 1);
        CompletableFuture<Errors> first = verifier.verify("txn-a", 1, (short) 0, TP);
        Sent inFlight = next();
        CompletableFuture<Errors> second = verifier.verify("txn-b", 2, (short) 0, TP);
        CompletableFuture<Errors> third = verifier.verify("txn-c", 3, (short) 0, other);
        CompletableFuture<Errors> newerEpoch = verifier.verify("txn-b", 2, (short) 1, TP);
        assertThat(sent).isEmpty();

        inFlight.answer(Errors.NONE);
        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(Errors.NONE);
        Sent batch = next();
        assertThat(batch.request().transactions()).extracting(AddPartitionsToTxnTransaction::transactionalId)
                .containsExactlyInAnyOrder("txn-b", "txn-c");
        AddPartitionsToTxnResponseData response = new AddPartitionsToTxnResponseData();
        response.resultsByTransaction().add(AddPartitionsToTxnResponse.resultForTransaction("txn-b", Map.of(TP,
                Errors.TRANSACTION_ABORTABLE)));
        response.resultsByTransaction().add(AddPartitionsToTxnResponse.resultForTransaction("txn-c", Map.of(other,
                Errors.NONE)));
        batch.answer().complete(response);
        assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo(Errors.TRANSACTION_ABORTABLE);
        assertThat(third.get(10, TimeUnit.SECONDS)).isEqualTo(Errors.NONE);

        // The same id under a newer epoch waited for a request of its own.
        Sent last = next();
        assertThat(last.request().transactions().find("txn-b").producerEpoch()).isEqualTo((short) 1);
        last.answer(Errors.NONE);
        assertThat(newerEpoch.get(10, TimeUnit.SECONDS)).isEqualTo(Errors.NONE);
    }

    @Test
    void refusesBadInputWithoutAskingAnyone() throws Exception {
        assertThat(verifier.verify(null, 42, (short) 3, TP).get()).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(verifier.verify("", 42, (short) 3, TP).get()).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(verifier.verify("txn", -1, (short) 3, TP).get()).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(verifier.verify("txn", 42, (short) -1, TP).get()).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(verifier.add("", 42, (short) 3, TP).get()).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(verifier.add("txn", 42, (short) -1, TP).get()).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(sent).isEmpty();
    }

    @Test
    void withoutATransactionStateTopicTheProducerRetries() throws Exception {
        // Not started: its image has no __transaction_state.
        TransactionCoordinatorService empty = new TransactionCoordinatorService(NODE_ID,
                TransactionCoordinatorConfig.defaults(), new ReplicaManager(NODE_ID, null, null), () -> 1L,
                (markers, completion) -> { }, group -> 0, Time.SYSTEM);
        try {
            CoordinatorTransactionVerifier noTopic = new CoordinatorTransactionVerifier(NODE_ID, empty,
                    (brokerId, api, minVersion, request) -> CompletableFuture.failedFuture(new AssertionError("sent")));
            assertThat(noTopic.verify("txn", 42, (short) 3, TP).get()).isEqualTo(Errors.NOT_ENOUGH_REPLICAS);
        } finally {
            empty.close();
        }
    }
}
