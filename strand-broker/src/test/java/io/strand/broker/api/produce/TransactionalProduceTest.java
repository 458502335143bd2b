package io.strand.broker.api.produce;

import static io.strand.broker.replica.ReplicatedPartitionFixture.TOPIC;
import static io.strand.broker.replica.ReplicatedPartitionFixture.TOPIC_ID;
import static io.strand.broker.replica.ReplicatedPartitionFixture.TP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.broker.api.Requests;
import io.strand.broker.replica.ReplicatedPartitionFixture;
import io.strand.broker.txn.ScriptedVerifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ProduceRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Produce of transactional batches on a single-replica partition: the verifier asked first, its
 * refusals answered as Kafka's ReplicaManager translates them, appends in order behind slow
 * verifications, and the whole-request refusals.
 */
class TransactionalProduceTest {

    private static final String TRANSACTIONAL_ID = "txn-1";
    private static final long PRODUCER_ID = 4_000L;
    private static final short EPOCH = 3;

    @TempDir
    Path dir;

    private ReplicatedPartitionFixture cluster;
    private final ExecutorService appendExecutor = Executors.newSingleThreadExecutor();
    /** The verifier's answers, taken in order; each call is recorded. */
    private final Queue<CompletableFuture<Errors>> verdicts = new ArrayDeque<>();
    private final List<String> verified = new CopyOnWriteArrayList<>();
    private ProduceHandler handler;
    private ScriptedVerifier verifier;

    @BeforeEach
    void setUp() {
        cluster = new ReplicatedPartitionFixture(dir, List.of(1), List.of(1), 1);
        verifier = new ScriptedVerifier((transactionalId, producerId, producerEpoch, partition) -> {
            verified.add(transactionalId + "/" + producerId + "/" + producerEpoch + "/" + partition);
            synchronized (verdicts) {
                CompletableFuture<Errors> next = verdicts.poll();
                return next != null ? next : CompletableFuture.completedFuture(Errors.NONE);
            }
        });
        handler = new ProduceHandler(cluster.replicaManager, cluster::image, verifier, appendExecutor);
    }

    @AfterEach
    void tearDown() throws Exception {
        appendExecutor.shutdownNow();
        assertThat(appendExecutor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        cluster.close();
    }

    private void verdict(CompletableFuture<Errors> answer) {
        synchronized (verdicts) {
            verdicts.add(answer);
        }
    }

    private CompletableFuture<ProduceResponseData> produce(short version, String transactionalId,
                                                           MemoryRecords records) {
        ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(5_000)
                .setTransactionalId(transactionalId);
        ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData()
                .setName(version < 13 ? TOPIC : "").setTopicId(version < 13 ? Uuid.ZERO_UUID : TOPIC_ID);
        topic.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records));
        data.topicData().add(topic);
        ProduceRequest request = new ProduceRequest.Builder(version, version, data).build(version);
        return handler.handle(Requests.context(request), request);
    }

    private static PartitionProduceResponse only(ProduceResponseData response) {
        return response.responses().iterator().next().partitionResponses().get(0);
    }

    private static MemoryRecords transactional(int baseSequence, String... values) {
        return MemoryRecords.withTransactionalRecords(Compression.NONE, PRODUCER_ID, EPOCH, baseSequence,
                records(values));
    }

    private static SimpleRecord[] records(String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = new SimpleRecord(System.currentTimeMillis(), null, values[i].getBytes(StandardCharsets.UTF_8));
        }
        return records;
    }

    private long logEndOffset() {
        return cluster.partition().log().logEndOffset();
    }

    @Test
    void aVerifiedTransactionalBatchIsAppendedAndOpensTheTransaction() {
        PartitionProduceResponse answer = only(produce((short) 12, TRANSACTIONAL_ID, transactional(0, "a", "b")).join());

        assertThat(answer.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(answer.baseOffset()).isZero();
        assertThat(verified).containsExactly(TRANSACTIONAL_ID + "/" + PRODUCER_ID + "/" + EPOCH + "/" + TP);
        assertThat(verifier.kinds()).as("v12 is a transactions v2 producer's: its partition is added")
                .containsExactly("add");
        assertThat(logEndOffset()).isEqualTo(2);
        assertThat(cluster.partition().highWatermark()).isEqualTo(2);
        assertThat(cluster.partition().lastStableOffset()).isZero();
    }

    @Test
    void aBatchOfATransactionAlreadyOngoingInThePartitionIsNotVerifiedAgainUntilItsMarker() {
        assertThat(only(produce((short) 12, TRANSACTIONAL_ID, transactional(0, "a")).join()).errorCode()).isZero();
        assertThat(only(produce((short) 12, TRANSACTIONAL_ID, transactional(1, "b")).join()).errorCode()).isZero();

        assertThat(verified).hasSize(1); // the partition's producer state shows the transaction ongoing

        cluster.partition().log().appendMarker(PRODUCER_ID, EPOCH, 0, true, cluster.partition().log().latestEpoch());
        verdict(CompletableFuture.completedFuture(Errors.INVALID_TXN_STATE));
        PartitionProduceResponse late = only(produce((short) 12, TRANSACTIONAL_ID, transactional(2, "c")).join());

        assertThat(verified).hasSize(2);
        assertThat(late.errorCode()).isEqualTo(Errors.INVALID_TXN_STATE.code());
        assertThat(logEndOffset()).isEqualTo(3); // a, b and the marker
    }

    @Test
    void aRefusedVerificationAppendsNothing() {
        verdict(CompletableFuture.completedFuture(Errors.INVALID_TXN_STATE));

        PartitionProduceResponse answer = only(produce((short) 12, TRANSACTIONAL_ID, transactional(0, "a")).join());

        assertThat(Errors.forCode(answer.errorCode())).isEqualTo(Errors.INVALID_TXN_STATE);
        assertThat(answer.errorMessage()).contains("transaction");
        assertThat(answer.baseOffset()).isEqualTo(-1);
        assertThat(logEndOffset()).isZero();
    }

    /** Kafka's translations (ReplicaManager and AddPartitionsToTxnManager), by Produce version. */
    @ParameterizedTest
    @CsvSource({
        "NOT_COORDINATOR, 12, NOT_ENOUGH_REPLICAS",
        "COORDINATOR_NOT_AVAILABLE, 9, NOT_ENOUGH_REPLICAS",
        "COORDINATOR_LOAD_IN_PROGRESS, 12, NOT_ENOUGH_REPLICAS",
        "NETWORK_EXCEPTION, 12, NOT_ENOUGH_REPLICAS",
        "CONCURRENT_TRANSACTIONS, 11, NOT_ENOUGH_REPLICAS",
        "CONCURRENT_TRANSACTIONS, 12, CONCURRENT_TRANSACTIONS",
        "PRODUCER_FENCED, 12, INVALID_PRODUCER_EPOCH",
        "TRANSACTION_ABORTABLE, 10, INVALID_TXN_STATE",
        "TRANSACTION_ABORTABLE, 11, TRANSACTION_ABORTABLE",
        "INVALID_PRODUCER_EPOCH, 12, INVALID_PRODUCER_EPOCH"
    })
    void verificationErrorsAreAnsweredAsKafkaTranslatesThem(Errors fromVerifier, short version, Errors answered) {
        verdict(CompletableFuture.completedFuture(fromVerifier));

        PartitionProduceResponse answer = only(produce(version, TRANSACTIONAL_ID, transactional(0, "a")).join());

        assertThat(Errors.forCode(answer.errorCode())).isEqualTo(answered);
        if (answered == Errors.NOT_ENOUGH_REPLICAS) {
            assertThat(answer.errorMessage()).contains(fromVerifier.name());
        }
        assertThat(logEndOffset()).isZero();
    }

    @Test
    void aVerifierThatFailsIsAnErrorForThePartitionNotAHang() {
        verdict(CompletableFuture.failedFuture(new IllegalStateException("boom")));

        PartitionProduceResponse answer = only(produce((short) 12, TRANSACTIONAL_ID, transactional(0, "a")).join());

        assertThat(Errors.forCode(answer.errorCode())).isEqualTo(Errors.UNKNOWN_SERVER_ERROR);
        assertThat(logEndOffset()).isZero();
    }

    @Test
    void aVerificationThatNeverAnswersTimesOutWithTheRequest() {
        verdict(new CompletableFuture<>());
        ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(50)
                .setTransactionalId(TRANSACTIONAL_ID);
        ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData().setName(TOPIC);
        topic.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0)
                .setRecords(transactional(0, "a")));
        data.topicData().add(topic);
        ProduceRequest request = new ProduceRequest.Builder((short) 12, (short) 12, data).build((short) 12);

        PartitionProduceResponse answer = only(handler.handle(Requests.context(request), request)
                .orTimeout(10, TimeUnit.SECONDS).join());

        assertThat(Errors.forCode(answer.errorCode())).isEqualTo(Errors.NOT_ENOUGH_REPLICAS);
        assertThat(answer.errorMessage()).contains(Errors.NETWORK_EXCEPTION.name());
        assertThat(logEndOffset()).isZero();
    }

    @Test
    void aPipelinedBatchWaitsBehindTheSlowVerificationOfTheOneBeforeIt() throws Exception {
        CompletableFuture<Errors> slow = new CompletableFuture<>();
        verdict(slow);

        CompletableFuture<ProduceResponseData> first = produce((short) 12, TRANSACTIONAL_ID, transactional(0, "a", "b"));
        CompletableFuture<ProduceResponseData> second = produce((short) 12, TRANSACTIONAL_ID, transactional(2, "c"));
        assertThat(first).isNotDone();
        assertThat(second).isNotDone();
        assertThat(logEndOffset()).isZero();

        slow.complete(Errors.NONE);

        PartitionProduceResponse firstAnswer = only(first.get(10, TimeUnit.SECONDS));
        PartitionProduceResponse secondAnswer = only(second.get(10, TimeUnit.SECONDS));
        assertThat(firstAnswer.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(firstAnswer.baseOffset()).isZero();
        assertThat(secondAnswer.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(secondAnswer.baseOffset()).isEqualTo(2);
        assertThat(logEndOffset()).isEqualTo(3);
    }

    @Test
    void anotherProducersBatchDoesNotWaitBehindASlowVerification() throws Exception {
        CompletableFuture<Errors> slow = new CompletableFuture<>();
        verdict(slow);
        CompletableFuture<ProduceResponseData> first = produce((short) 12, TRANSACTIONAL_ID, transactional(0, "a"));

        PartitionProduceResponse other = only(produce((short) 12, "txn-2", MemoryRecords.withTransactionalRecords(
                Compression.NONE, PRODUCER_ID + 1, EPOCH, 0, records("x"))).get(10, TimeUnit.SECONDS));

        assertThat(other.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(other.baseOffset()).isZero();
        assertThat(first).isNotDone();
        slow.complete(Errors.NONE);
        assertThat(only(first.get(10, TimeUnit.SECONDS)).baseOffset()).isEqualTo(1);
    }

    @Test
    void aTransactionalBatchWithoutTransactionalIdFailsTheWholeRequest() {
        assertThatThrownBy(() -> produce((short) 12, null, transactional(0, "a")).join())
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(TransactionalIdAuthorizationException.class);
        assertThat(verified).isEmpty();
        assertThat(logEndOffset()).isZero();
    }

    @Test
    void aPlainBatchOfAProducerInATransactionIsInvalidTxnState() {
        assertThat(only(produce((short) 12, TRANSACTIONAL_ID, transactional(0, "a")).join()).errorCode())
                .isEqualTo(Errors.NONE.code());

        PartitionProduceResponse plain = only(produce((short) 12, null, MemoryRecords.withIdempotentRecords(
                Compression.NONE, PRODUCER_ID, EPOCH, 1, records("b"))).join());

        assertThat(Errors.forCode(plain.errorCode())).isEqualTo(Errors.INVALID_TXN_STATE);
        assertThat(logEndOffset()).isEqualTo(1);
    }

    @Test
    void aPartitionElsewhereIsNotVerified() {
        ProduceRequestData data = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(5_000)
                .setTransactionalId(TRANSACTIONAL_ID);
        ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData().setName(TOPIC);
        topic.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(7)
                .setRecords(transactional(0, "a")));
        data.topicData().add(topic);
        ProduceRequest request = new ProduceRequest.Builder((short) 12, (short) 12, data).build((short) 12);

        PartitionProduceResponse answer = only(handler.handle(Requests.context(request), request).join());

        assertThat(Errors.forCode(answer.errorCode())).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(verified).isEmpty();
    }

    @Test
    void beforeVersion12ThePartitionIsOnlyVerified() {
        assertThat(only(produce((short) 11, TRANSACTIONAL_ID, transactional(0, "a")).join()).errorCode()).isZero();

        assertThat(verifier.kinds()).containsExactly("verify");
    }

    @Test
    void aConcurrentTransactionsAnswerToAnAddIsPassedOnFromVersion12() {
        verdict(CompletableFuture.completedFuture(Errors.CONCURRENT_TRANSACTIONS));
        PartitionProduceResponse v12 = only(produce((short) 12, TRANSACTIONAL_ID, transactional(0, "a")).join());
        verdict(CompletableFuture.completedFuture(Errors.CONCURRENT_TRANSACTIONS));
        PartitionProduceResponse v11 = only(produce((short) 11, TRANSACTIONAL_ID, transactional(0, "a")).join());

        assertThat(Errors.forCode(v12.errorCode())).as("v2 clients retry it").isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
        assertThat(Errors.forCode(v11.errorCode())).isEqualTo(Errors.NOT_ENOUGH_REPLICAS);
        assertThat(logEndOffset()).isZero();
    }
}
