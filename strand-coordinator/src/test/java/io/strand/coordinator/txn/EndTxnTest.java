package io.strand.coordinator.txn;

import static io.strand.coordinator.txn.TransactionVersions.TV_0;
import static io.strand.coordinator.txn.TransactionVersions.TV_2;
import static io.strand.coordinator.txn.TxnShardHarness.T0;
import static io.strand.coordinator.txn.TxnShardHarness.T1;
import static org.apache.kafka.common.requests.TransactionResult.ABORT;
import static org.apache.kafka.common.requests.TransactionResult.COMMIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.strand.coordinator.runtime.CoordinatorShard;
import java.util.Set;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.TransactionResult;
import org.junit.jupiter.api.Test;

class EndTxnTest {

    private final TxnShardHarness h = new TxnShardHarness(TV_2);

    /** A producer (1000, epoch 0) with partitions T0 and T1 in an ongoing transaction. */
    private void ongoing(short clientVersion) {
        assertThat(h.init()).isEqualTo(InitProducerIdResult.of(1000L, (short) 0));
        assertThat(h.add(1000L, (short) 0, clientVersion, T0, T1)).isEqualTo(Errors.NONE);
    }

    private static EndTxnResult none() {
        return EndTxnResult.of(Errors.NONE);
    }

    @Test
    void v1CommitIsAnsweredOnceDecidedAndCompletesWhenEveryMarkerIsWritten() {
        ongoing(TV_0);

        EndTxnResult answer = h.end(1000L, (short) 0, COMMIT, TV_0);

        assertThat(answer).isEqualTo(none());
        assertThat(h.txn().state()).isEqualTo(TransactionState.PREPARE_COMMIT);
        assertThat(h.txn().producerEpoch()).isZero();
        TransactionMarkers markers = h.channel.last().markers();
        assertThat(markers).isEqualTo(new TransactionMarkers(TxnShardHarness.TXN, 0, 1000L, (short) 0,
                h.coordinatorEpoch(), TransactionResult.COMMIT, TV_0, Set.of(T0, T1)));

        h.channel.last().completion().onPartitionDone(T0, Errors.NONE);
        h.runScheduled();
        assertThat(h.txn().state()).as("one marker still missing").isEqualTo(TransactionState.PREPARE_COMMIT);
        h.channel.last().completion().onPartitionDone(T1, Errors.NONE);
        h.runScheduled();

        assertThat(h.txn().state()).isEqualTo(TransactionState.COMPLETE_COMMIT);
        assertThat(h.txn().partitions()).isEmpty();
        assertThat(h.txn().producerEpoch()).isZero();
    }

    @Test
    void v1RetriesAndWrongRequestsGetKafkasAnswers() {
        ongoing(TV_0);
        assertThat(h.end(1000L, (short) 0, COMMIT, TV_0)).isEqualTo(none());

        assertThat(h.end(1000L, (short) 0, COMMIT, TV_0).error()).as("markers in flight")
                .isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
        assertThat(h.end(1000L, (short) 0, ABORT, TV_0).error()).isEqualTo(Errors.INVALID_TXN_STATE);
        h.writeMarkers();
        int records = h.log.recordCount(0);

        assertThat(h.end(1000L, (short) 0, COMMIT, TV_0)).as("retry of a completed commit").isEqualTo(none());
        assertThat(h.end(1000L, (short) 0, ABORT, TV_0).error()).isEqualTo(Errors.INVALID_TXN_STATE);
        assertThat(h.end(1000L, (short) 1, COMMIT, TV_0).error()).isEqualTo(Errors.PRODUCER_FENCED);
        assertThat(h.end(999L, (short) 0, COMMIT, TV_0).error()).isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING);
        assertThat(h.run(s -> s.endTxnOp().end("unknown", 1000L, (short) 0, COMMIT, TV_0)).error())
                .isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING);
        assertThat(h.log.recordCount(0)).isEqualTo(records);
        h.init();
        assertThat(h.end(1000L, (short) 1, ABORT, TV_0).error()).as("nothing to abort in Empty")
                .isEqualTo(Errors.INVALID_TXN_STATE);
    }

    @Test
    void v2CommitBumpsTheEpochAndAnswersIt() {
        ongoing(TV_2);

        EndTxnResult answer = h.end(1000L, (short) 0, COMMIT, TV_2);

        assertThat(answer).isEqualTo(new EndTxnResult(Errors.NONE, 1000L, (short) 1));
        assertThat(h.txn().producerEpoch()).isEqualTo((short) 1);
        assertThat(h.txn().lastProducerEpoch()).isZero();
        assertThat(h.txn().clientTransactionVersion()).isEqualTo(TV_2);
        assertThat(h.channel.last().markers().producerEpoch()).isEqualTo((short) 1);
        assertThat(h.channel.last().markers().transactionVersion()).isEqualTo(TV_2);
        assertThat(h.end(1000L, (short) 0, COMMIT, TV_2).error()).as("retry while markers are written")
                .isEqualTo(Errors.CONCURRENT_TRANSACTIONS);

        h.writeMarkers();

        assertThat(h.txn().state()).isEqualTo(TransactionState.COMPLETE_COMMIT);
        assertThat(h.end(1000L, (short) 0, COMMIT, TV_2)).as("retry after completion")
                .isEqualTo(new EndTxnResult(Errors.NONE, 1000L, (short) 1));
        assertThat(h.end(1000L, (short) 1, COMMIT, TV_2).error()).as("a second commit of nothing")
                .isEqualTo(Errors.INVALID_TXN_STATE);
        assertThat(h.end(1000L, (short) 0, ABORT, TV_2).error()).isEqualTo(Errors.INVALID_TXN_STATE);
    }

    @Test
    void v2AbortWithoutATransactionBumpsTheEpochAndCompletesAtOnce() {
        h.init();

        EndTxnResult answer = h.end(1000L, (short) 0, ABORT, TV_2);

        assertThat(answer).isEqualTo(new EndTxnResult(Errors.NONE, 1000L, (short) 1));
        assertThat(h.txn().state()).isEqualTo(TransactionState.PREPARE_ABORT);
        assertThat(h.txn().startTimestampMs()).isEqualTo(h.time.milliseconds());
        assertThat(h.channel.sent).as("no partition to mark").isEmpty();
        h.runScheduled();
        assertThat(h.txn().state()).isEqualTo(TransactionState.COMPLETE_ABORT);

        assertThat(h.end(1000L, (short) 0, ABORT, TV_2)).as("retry").isEqualTo(
                new EndTxnResult(Errors.NONE, 1000L, (short) 1));
        assertThat(h.end(1000L, (short) 1, ABORT, TV_2)).as("the next abort").isEqualTo(
                new EndTxnResult(Errors.NONE, 1000L, (short) 2));
    }

    @Test
    void v2InEmptyCommitIsInvalidAndARetryEpochIsFenced() {
        h.init();
        h.init();

        assertThat(h.end(1000L, (short) 1, COMMIT, TV_2).error()).isEqualTo(Errors.INVALID_TXN_STATE);
        assertThat(h.end(1000L, (short) 0, ABORT, TV_2).error()).isEqualTo(Errors.PRODUCER_FENCED);
    }

    @Test
    void v2CommitAtTheLastEpochMovesToANewProducerId() {
        h.shard.replay(CoordinatorShard.UNKNOWN_OFFSET, new TransactionRecord(TxnShardHarness.TXN,
                new TransactionMetadata(500L, 500L, -1L, (short) (Short.MAX_VALUE - 1), (short) -1, (short) -1, 60_000,
                        TransactionState.ONGOING, Set.of(T0), 1L, 1L, TV_2)));

        EndTxnResult answer = h.end(500L, (short) (Short.MAX_VALUE - 1), COMMIT, TV_2);

        assertThat(answer).isEqualTo(new EndTxnResult(Errors.NONE, 1000L, (short) 0));
        assertThat(h.txn().producerId()).as("until completion").isEqualTo(500L);
        assertThat(h.txn().producerEpoch()).isEqualTo(Short.MAX_VALUE);
        assertThat(h.txn().nextProducerId()).isEqualTo(1000L);
        assertThat(h.channel.last().markers().producerEpoch()).isEqualTo(Short.MAX_VALUE);
        assertThat(h.add(1000L, (short) 0, TV_2, T1)).as("the new producer id, markers in flight")
                .isEqualTo(Errors.CONCURRENT_TRANSACTIONS);

        h.writeMarkers();

        assertThat(h.txn().producerId()).isEqualTo(1000L);
        assertThat(h.txn().producerEpoch()).isZero();
        assertThat(h.txn().previousProducerId()).isEqualTo(500L);
        assertThat(h.txn().nextProducerId()).isEqualTo(-1L);
        assertThat(h.end(500L, (short) (Short.MAX_VALUE - 1), COMMIT, TV_2)).as("retry with the old producer id")
                .isEqualTo(new EndTxnResult(Errors.NONE, 1000L, (short) 0));
        assertThat(h.add(1000L, (short) 0, TV_2, T1)).isEqualTo(Errors.NONE);
    }

    @Test
    void errorsCarryNoProducerIdOrEpoch() {
        ongoing(TV_2);

        assertThat(h.end(1000L, (short) 5, COMMIT, TV_2)).isEqualTo(EndTxnResult.of(Errors.PRODUCER_FENCED));
        assertThat(h.end(77L, (short) 0, COMMIT, TV_2))
                .isEqualTo(EndTxnResult.of(Errors.INVALID_PRODUCER_ID_MAPPING));
    }
}
