package io.strand.coordinator.txn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.message.DescribeTransactionsResponseData;
import org.apache.kafka.common.message.ListTransactionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;
import org.apache.kafka.common.requests.TransactionResult;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The coordinator on its runtime: real threads, an in-memory log, markers answered by the test. */
class TransactionCoordinatorTest {

    private static final int PARTITIONS = 3;
    private static final TopicPartition T0 = new TopicPartition("t", 0);

    private final InMemoryTransactionStateLog log = new InMemoryTransactionStateLog();
    private final RecordingMarkerChannel channel = new RecordingMarkerChannel();
    private final CountingProducerIds producerIds = new CountingProducerIds();
    private volatile short transactionVersion = TransactionVersions.TV_2;
    private final TransactionCoordinator coordinator = new TransactionCoordinator(
            TransactionCoordinatorConfig.from(Map.of(TransactionCoordinatorConfig.STATE_LOG_PARTITIONS,
                    Integer.toString(PARTITIONS))), 2, log, Time.SYSTEM, producerIds, () -> transactionVersion,
            channel, groupId -> 7);

    @AfterEach
    void close() {
        coordinator.close();
    }

    private void leadAndAwait(Map<Integer, Integer> partitionEpochs) {
        coordinator.onLeadership(partitionEpochs);
        await().atMost(Duration.ofSeconds(10)).until(() -> partitionEpochs.keySet().stream()
                .allMatch(coordinator::isActive));
    }

    private void leadAll() {
        leadAndAwait(Map.of(0, 0, 1, 0, 2, 0));
    }

    private DescribeTransactionsResponseData.TransactionState describe(String id) {
        return coordinator.describeTransaction(id).join();
    }

    @Test
    void transactionalIdLivesInThePartitionOfItsHashAsInKafka() {
        for (String id : List.of("txn", "my-app-0", "Aa", "BB", "polygenelubricants")) {
            assertThat(coordinator.partitionFor(id)).isEqualTo(Utils.abs(id.hashCode()) % PARTITIONS);
        }
    }

    @Test
    void aWholeTransactionCommitsThroughTheRuntime() {
        leadAll();
        InitProducerIdResult init = coordinator.initProducerId("app", 10_000, -1, (short) -1, false).join();
        assertThat(init).isEqualTo(InitProducerIdResult.of(1000L, (short) 0));

        assertThat(coordinator.addPartitionsToTxn("app", 1000L, (short) 0, List.of(T0), TransactionVersions.TV_0)
                .join()).isEqualTo(Errors.NONE);
        assertThat(coordinator.addOffsetsToTxn("app", 1000L, (short) 0, "group").join()).isEqualTo(Errors.NONE);
        assertThat(describe("app").topics()).extracting(t -> t.topic())
                .containsExactlyInAnyOrder("t", "__consumer_offsets");
        EndTxnResult end = coordinator.endTxn("app", 1000L, (short) 0, TransactionResult.COMMIT,
                TransactionVersions.TV_2).join();

        assertThat(end).isEqualTo(new EndTxnResult(Errors.NONE, 1000L, (short) 1));
        TransactionMarkers markers = channel.last().markers();
        assertThat(markers.partitions()).containsExactlyInAnyOrder(T0, new TopicPartition("__consumer_offsets", 7));
        assertThat(markers.transactionStatePartition()).isEqualTo(coordinator.partitionFor("app"));
        assertThat(describe("app").transactionState()).isEqualTo("PrepareCommit");

        channel.writeAllOfLast(); // from the test's thread, as a channel's own thread would
        await().atMost(Duration.ofSeconds(10)).until(() -> describe("app").transactionState().equals("CompleteCommit"));
        assertThat(describe("app").producerEpoch()).isEqualTo((short) 1);
    }

    @Test
    void idsOfPartitionsNotLedHereGetNotCoordinator() {
        int partition = coordinator.partitionFor("app");
        leadAndAwait(Map.of((partition + 1) % PARTITIONS, 0));

        assertThat(coordinator.initProducerId("app", 10_000, -1, (short) -1, false).join().error())
                .isEqualTo(Errors.NOT_COORDINATOR);
        assertThat(coordinator.endTxn("app", 1, (short) 0, TransactionResult.ABORT, TransactionVersions.TV_0).join()
                .error()).isEqualTo(Errors.NOT_COORDINATOR);
        assertThat(describe("app").errorCode()).isEqualTo(Errors.NOT_COORDINATOR.code());
    }

    @Test
    void requestsThatNeedNoShardAreCheckedFirst() {
        assertThat(coordinator.initProducerId(null, 0, -1, (short) -1, false).join())
                .as("an idempotent producer").isEqualTo(InitProducerIdResult.of(1000L, (short) 0));
        assertThat(coordinator.initProducerId("", 10_000, -1, (short) -1, false).join().error())
                .isEqualTo(Errors.INVALID_REQUEST);
        assertThat(coordinator.initProducerId("app", 10_000, 5L, (short) -1, false).join().error())
                .isEqualTo(Errors.INVALID_REQUEST);
        assertThat(coordinator.initProducerId("app", 0, -1, (short) -1, false).join().error())
                .isEqualTo(Errors.INVALID_TRANSACTION_TIMEOUT);
        assertThat(coordinator.initProducerId("app", 15 * 60 * 1000 + 1, -1, (short) -1, false).join().error())
                .isEqualTo(Errors.INVALID_TRANSACTION_TIMEOUT);
        assertThat(coordinator.initProducerId("app", 10_000, -1, (short) -1, true).join().error())
                .isEqualTo(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
        assertThat(coordinator.addPartitionsToTxn("", 1, (short) 0, List.of(T0), TransactionVersions.TV_0).join())
                .isEqualTo(Errors.INVALID_REQUEST);
        assertThat(AddPartitionsToTxnResponse.errorsForTransaction(coordinator.verifyPartitionsInTxn(null, 1,
                (short) 0, List.of(T0)).join().topicResults())).isEqualTo(Map.of(T0, Errors.INVALID_REQUEST));
        assertThat(coordinator.endTxn(null, 1, (short) 0, TransactionResult.ABORT, TransactionVersions.TV_0).join())
                .isEqualTo(EndTxnResult.of(Errors.INVALID_REQUEST));
    }

    @Test
    void aFailedAppendAnswersNotCoordinatorAndChangesNothing() {
        leadAll();
        coordinator.initProducerId("app", 10_000, -1, (short) -1, false).join();
        log.failNextAppend(new NotLeaderOrFollowerException("moved"));

        Errors error = coordinator.addPartitionsToTxn("app", 1000L, (short) 0, List.of(T0), TransactionVersions.TV_0)
                .join();

        assertThat(error).isEqualTo(Errors.NOT_COORDINATOR);
        await().atMost(Duration.ofSeconds(10)).until(() -> coordinator.isActive(coordinator.partitionFor("app")));
        assertThat(describe("app").transactionState()).isEqualTo("Empty");
    }

    @Test
    void anEndTxnIsAnsweredOnlyOnceItsDecisionIsCommitted() {
        leadAll();
        coordinator.initProducerId("app", 10_000, -1, (short) -1, false).join();
        coordinator.addPartitionsToTxn("app", 1000L, (short) 0, List.of(T0), TransactionVersions.TV_0).join();
        log.holdCommits();

        CompletableFuture<EndTxnResult> end = coordinator.endTxn("app", 1000L, (short) 0, TransactionResult.ABORT,
                TransactionVersions.TV_0);
        await().atMost(Duration.ofSeconds(10)).until(() -> log.heldCount() == 1);

        assertThat(end).isNotDone();
        assertThat(channel.sent).as("no markers before the decision is durable").isEmpty();
        log.commitHeld();
        assertThat(end.join()).isEqualTo(EndTxnResult.of(Errors.NONE));
        await().atMost(Duration.ofSeconds(10)).until(() -> channel.sent.size() == 1);
    }

    @Test
    void aNewLeaderEpochResumesTheMarkersWithItsEpoch() {
        leadAll();
        int partition = coordinator.partitionFor("app");
        coordinator.initProducerId("app", 10_000, -1, (short) -1, false).join();
        coordinator.addPartitionsToTxn("app", 1000L, (short) 0, List.of(T0), TransactionVersions.TV_0).join();
        coordinator.endTxn("app", 1000L, (short) 0, TransactionResult.COMMIT, TransactionVersions.TV_0).join();
        await().atMost(Duration.ofSeconds(10)).until(() -> channel.sent.size() == 1);

        coordinator.onLeadership(Map.of(0, 4, 1, 4, 2, 4));

        await().atMost(Duration.ofSeconds(10)).until(() -> channel.sent.size() == 2);
        assertThat(channel.last().markers().coordinatorEpoch()).isEqualTo(4);
        assertThat(channel.cancelled).contains(partition);
        channel.writeAllOfLast();
        await().atMost(Duration.ofSeconds(10)).until(() -> describe("app").transactionState().equals("CompleteCommit"));
    }

    @Test
    void listTransactionsFiltersAcrossShards() {
        leadAll();
        for (String id : List.of("a-1", "a-2", "b-1")) {
            coordinator.initProducerId(id, 10_000, -1, (short) -1, false).join();
        }
        long producerOfA2 = describe("a-2").producerId();
        coordinator.addPartitionsToTxn("a-2", producerOfA2, (short) 0, List.of(T0), TransactionVersions.TV_0).join();

        ListTransactionsResponseData all = coordinator.listTransactions(Set.of(), Set.of(), -1, null).join();
        ListTransactionsResponseData ongoing = coordinator.listTransactions(Set.of(), Set.of("Ongoing", "Bogus"), -1,
                null).join();
        ListTransactionsResponseData byPattern = coordinator.listTransactions(Set.of(), Set.of(), -1, "a-.*").join();
        ListTransactionsResponseData badPattern = coordinator.listTransactions(Set.of(), Set.of(), -1, "(").join();
        ListTransactionsResponseData onlyUnknownStates = coordinator.listTransactions(Set.of(), Set.of("Bogus"), -1,
                null).join();

        assertThat(all.transactionStates()).extracting(s -> s.transactionalId())
                .containsExactlyInAnyOrder("a-1", "a-2", "b-1");
        assertThat(ongoing.transactionStates()).extracting(s -> s.transactionalId()).containsExactly("a-2");
        assertThat(ongoing.unknownStateFilters()).containsExactly("Bogus");
        assertThat(onlyUnknownStates.transactionStates()).as("a state filter was given: it matches nothing, as in Kafka")
                .isEmpty();
        assertThat(onlyUnknownStates.unknownStateFilters()).containsExactly("Bogus");
        assertThat(byPattern.transactionStates()).extracting(s -> s.transactionalId())
                .containsExactlyInAnyOrder("a-1", "a-2");
        assertThat(coordinator.listTransactions(Set.of(producerOfA2), Set.of(), -1, null).join().transactionStates())
                .extracting(s -> s.transactionalId()).containsExactly("a-2");
        assertThat(badPattern.errorCode()).isEqualTo(Errors.INVALID_REGULAR_EXPRESSION.code());
        assertThat(describe("nobody").errorCode()).isEqualTo(Errors.TRANSACTIONAL_ID_NOT_FOUND.code());
    }

    @Test
    void producerFencedBecomesInvalidProducerEpochForOldClients() {
        assertThat(TransactionErrors.forClient(ApiKeys.INIT_PRODUCER_ID, (short) 3, Errors.PRODUCER_FENCED))
                .isEqualTo(Errors.INVALID_PRODUCER_EPOCH);
        assertThat(TransactionErrors.forClient(ApiKeys.INIT_PRODUCER_ID, (short) 4, Errors.PRODUCER_FENCED))
                .isEqualTo(Errors.PRODUCER_FENCED);
        assertThat(TransactionErrors.forClient(ApiKeys.END_TXN, (short) 1, Errors.PRODUCER_FENCED))
                .isEqualTo(Errors.INVALID_PRODUCER_EPOCH);
        assertThat(TransactionErrors.forClient(ApiKeys.ADD_PARTITIONS_TO_TXN, (short) 2, Errors.PRODUCER_FENCED))
                .isEqualTo(Errors.PRODUCER_FENCED);
        assertThat(TransactionErrors.forClient(ApiKeys.ADD_OFFSETS_TO_TXN, (short) 0, Errors.CONCURRENT_TRANSACTIONS))
                .isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
    }

    /** Commits a transaction of "app" on {@code T0} and returns once its markers are handed to the channel. */
    private void commitAwaitingMarkers() {
        leadAll();
        coordinator.initProducerId("app", 10_000, -1, (short) -1, false).join();
        coordinator.addPartitionsToTxn("app", 1000L, (short) 0, List.of(T0), TransactionVersions.TV_0).join();
        assertThat(coordinator.endTxn("app", 1000L, (short) 0, TransactionResult.COMMIT, TransactionVersions.TV_0)
                .join()).isEqualTo(EndTxnResult.of(Errors.NONE));
        await().atMost(Duration.ofSeconds(10)).until(() -> channel.sent.size() == 1);
    }

    @Test
    void anAddWhileMarkersAreWrittenIsAnsweredOnceTheTransactionCompletes() {
        commitAwaitingMarkers();
        TopicPartition t1 = new TopicPartition("t", 1);

        CompletableFuture<Errors> add = coordinator.addPartitionsToTxn("app", 1000L, (short) 0, List.of(t1),
                TransactionVersions.TV_0);
        await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(10)).until(() -> !add.isDone());
        channel.writeAllOfLast();

        assertThat(add.join()).as("held, not CONCURRENT_TRANSACTIONS").isEqualTo(Errors.NONE);
        DescribeTransactionsResponseData.TransactionState state = describe("app");
        assertThat(state.transactionState()).isEqualTo("Ongoing");
        assertThat(state.topics()).singleElement().satisfies(topic -> assertThat(topic.partitions()).containsExactly(1));
    }

    @Test
    void anAddWhoseMarkersAreNotWrittenInTimeGetsConcurrentTransactions() {
        commitAwaitingMarkers();

        long startNs = System.nanoTime();
        Errors error = coordinator.addOffsetsToTxn("app", 1000L, (short) 0, "group").join();

        assertThat(error).isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
        assertThat(Duration.ofNanos(System.nanoTime() - startNs))
                .isGreaterThanOrEqualTo(Duration.ofMillis(TransactionCoordinator.CONCURRENT_TRANSACTIONS_HOLD_MS));
        assertThat(describe("app").transactionState()).isEqualTo("PrepareCommit");
    }

    @Test
    void anAddWhoseMarkersAreGivenUpGetsConcurrentTransactions() {
        commitAwaitingMarkers();
        CompletableFuture<Errors> add = coordinator.addPartitionsToTxn("app", 1000L, (short) 0, List.of(T0),
                TransactionVersions.TV_0);
        await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(10)).until(() -> !add.isDone());

        channel.last().completion().onPartitionDone(T0, Errors.TRANSACTION_COORDINATOR_FENCED);

        assertThat(add.orTimeout(30, java.util.concurrent.TimeUnit.SECONDS).join())
                .as("the transaction stays prepared").isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
        assertThat(describe("app").transactionState()).isEqualTo("PrepareCommit");
    }

    @Test
    void closeEndsItsThreads() {
        leadAll();

        coordinator.close();

        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(
                t -> t.getName().startsWith("strand-transaction-coordinator") && t.isAlive());
    }
}
