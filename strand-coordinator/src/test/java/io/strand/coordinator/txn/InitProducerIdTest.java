package io.strand.coordinator.txn;

import static io.strand.coordinator.txn.TxnShardHarness.T0;
import static io.strand.coordinator.txn.TxnShardHarness.TXN;
import static org.assertj.core.api.Assertions.assertThat;

import io.strand.coordinator.runtime.CoordinatorShard;
import java.util.Set;
import org.apache.kafka.common.errors.CoordinatorLoadInProgressException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.TransactionResult;
import org.junit.jupiter.api.Test;

class InitProducerIdTest {

    private final TxnShardHarness h = new TxnShardHarness(TransactionVersions.TV_0);

    /** Puts {@code TXN} in {@code state} at {@code epoch} of producer 500, as a committed record would. */
    private void given(TransactionState state, short epoch) {
        h.shard.replay(CoordinatorShard.UNKNOWN_OFFSET, new TransactionRecord(TXN, new TransactionMetadata(500L, 500L,
                -1L, epoch, (short) -1, (short) -1, 60_000, state,
                state == TransactionState.ONGOING || state.isPrepare() ? Set.of(T0) : Set.of(), 1L, 1L, (short) 0)));
    }

    @Test
    void newTransactionalIdGetsANewProducerIdAtEpochZero() {
        InitProducerIdResult result = h.init();

        assertThat(result).isEqualTo(InitProducerIdResult.of(1000L, (short) 0));
        assertThat(h.txn().state()).isEqualTo(TransactionState.EMPTY);
        assertThat(h.txn().transactionTimeoutMs()).isEqualTo(TxnShardHarness.TIMEOUT_MS);
        assertThat(h.log.recordCount(0)).isEqualTo(1);
    }

    @Test
    void initAgainBumpsTheEpochOfTheSameProducerId() {
        h.init();

        InitProducerIdResult second = h.init();

        assertThat(second).isEqualTo(InitProducerIdResult.of(1000L, (short) 1));
        assertThat(h.txn().lastProducerEpoch()).isEqualTo((short) -1);
    }

    @Test
    void aRetryWithThePreviousEpochGetsTheSameEpochAgain() {
        h.init();
        assertThat(h.init(TXN, 1000L, (short) 0)).isEqualTo(InitProducerIdResult.of(1000L, (short) 1));

        InitProducerIdResult retry = h.init(TXN, 1000L, (short) 0);

        assertThat(retry).isEqualTo(InitProducerIdResult.of(1000L, (short) 1));
    }

    @Test
    void anOlderProducerNamingItsEpochIsFenced() {
        h.init();
        h.init(); // a new producer: epoch 1, the previous epoch forgotten

        assertThat(h.init(TXN, 1000L, (short) 0).error()).isEqualTo(Errors.PRODUCER_FENCED);
        assertThat(h.init(TXN, 999L, (short) 1).error()).isEqualTo(Errors.PRODUCER_FENCED);
    }

    @Test
    void aRetryAcrossAFailoverIsFencedBecauseThePreviousEpochIsNotStored() {
        h.init();
        h.init(TXN, 1000L, (short) 0);
        h.load(1);

        assertThat(h.init(TXN, 1000L, (short) 0).error()).isEqualTo(Errors.PRODUCER_FENCED);
    }

    @Test
    void exhaustedEpochsMoveToANewProducerIdAndARetryIsAnsweredTheSame() {
        given(TransactionState.COMPLETE_COMMIT, (short) (Short.MAX_VALUE - 1));

        InitProducerIdResult rotated = h.init(TXN, 500L, (short) (Short.MAX_VALUE - 1));
        assertThat(h.txn().previousProducerId()).isEqualTo(500L);
        assertThat(h.txn().lastProducerEpoch()).isEqualTo((short) (Short.MAX_VALUE - 1));
        assertThat(h.init(TXN, 500L, (short) (Short.MAX_VALUE - 2)).error()).isEqualTo(Errors.PRODUCER_FENCED);
        InitProducerIdResult retry = h.init(TXN, 500L, (short) (Short.MAX_VALUE - 1));

        assertThat(rotated).isEqualTo(InitProducerIdResult.of(1000L, (short) 0));
        assertThat(retry).isEqualTo(rotated);
    }

    @Test
    void ongoingTransactionIsAbortedWithABumpedEpochAndTheCallerRetries() {
        given(TransactionState.ONGOING, (short) 4);

        InitProducerIdResult first = h.init();

        assertThat(first.error()).isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
        TransactionMetadata aborting = h.txn();
        assertThat(aborting.state()).isEqualTo(TransactionState.PREPARE_ABORT);
        assertThat(aborting.producerEpoch()).isEqualTo((short) 5);
        assertThat(aborting.lastProducerEpoch()).isEqualTo((short) -1);
        assertThat(aborting.clientTransactionVersion()).isEqualTo(TransactionVersions.TV_0);
        TransactionMarkers markers = h.channel.last().markers();
        assertThat(markers.result()).isEqualTo(TransactionResult.ABORT);
        assertThat(markers.producerId()).isEqualTo(500L);
        assertThat(markers.producerEpoch()).isEqualTo((short) 5);
        assertThat(markers.partitions()).containsExactly(T0);

        assertThat(h.init().error()).as("markers still in flight").isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
        h.writeMarkers();
        assertThat(h.txn().state()).isEqualTo(TransactionState.COMPLETE_ABORT);

        assertThat(h.init()).isEqualTo(InitProducerIdResult.of(500L, (short) 6));
    }

    @Test
    void withTransactionsV2TheFencingAbortBumpsOnceAndRotatesAtTheLastEpoch() {
        h.transactionVersion = TransactionVersions.TV_2;
        given(TransactionState.ONGOING, (short) (Short.MAX_VALUE - 1));

        assertThat(h.init().error()).isEqualTo(Errors.CONCURRENT_TRANSACTIONS);

        TransactionMetadata aborting = h.txn();
        assertThat(aborting.producerEpoch()).isEqualTo(Short.MAX_VALUE);
        assertThat(aborting.lastProducerEpoch()).isEqualTo((short) (Short.MAX_VALUE - 1));
        assertThat(aborting.nextProducerId()).isEqualTo(1000L);
        assertThat(aborting.clientTransactionVersion()).isEqualTo(TransactionVersions.TV_2);
        h.writeMarkers();
        assertThat(h.txn().producerId()).isEqualTo(1000L);
        assertThat(h.txn().producerEpoch()).isZero();
        // The fenced producer's own abort, late, is taken for a retry of the rotation.
        assertThat(h.end(500L, (short) (Short.MAX_VALUE - 1), TransactionResult.ABORT, TransactionVersions.TV_2))
                .isEqualTo(new EndTxnResult(Errors.NONE, 1000L, (short) 0));
    }

    @Test
    void preparedTransactionAnswersConcurrentTransactions() {
        given(TransactionState.PREPARE_COMMIT, (short) 3);

        assertThat(h.init().error()).isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
        assertThat(h.log.recordCount(0)).isZero();
    }

    @Test
    void aProducerIdThatCannotBeDrawnAnswersItsError() {
        h.producerIds.failNext(new CoordinatorLoadInProgressException("no block yet"));

        assertThat(h.init().error()).isEqualTo(Errors.COORDINATOR_LOAD_IN_PROGRESS);
        assertThat(h.txn()).isNull();
        assertThat(h.init()).isEqualTo(InitProducerIdResult.of(1000L, (short) 0));
    }
}
