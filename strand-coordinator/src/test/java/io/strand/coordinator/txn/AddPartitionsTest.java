package io.strand.coordinator.txn;

import static io.strand.coordinator.txn.TxnShardHarness.T0;
import static io.strand.coordinator.txn.TxnShardHarness.T1;
import static io.strand.coordinator.txn.TxnShardHarness.TXN;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;
import org.apache.kafka.common.requests.TransactionResult;
import org.junit.jupiter.api.Test;

class AddPartitionsTest {

    private final TxnShardHarness h = new TxnShardHarness(TransactionVersions.TV_0);

    private Map<TopicPartition, Errors> verify(long producerId, short epoch, TopicPartition... partitions) {
        return AddPartitionsToTxnResponse.errorsForTransaction(h.shard.addPartitionsOp()
                .verify(TXN, producerId, epoch, Set.of(partitions)).topicResults());
    }

    @Test
    void firstPartitionStartsTheTransaction() {
        h.init();
        long startMs = h.time.milliseconds();

        assertThat(h.add(1000L, (short) 0, T0)).isEqualTo(Errors.NONE);
        h.time.sleep(10);
        assertThat(h.add(1000L, (short) 0, T1)).isEqualTo(Errors.NONE);

        assertThat(h.txn().state()).isEqualTo(TransactionState.ONGOING);
        assertThat(h.txn().partitions()).containsExactlyInAnyOrder(T0, T1);
        assertThat(h.txn().startTimestampMs()).isEqualTo(startMs);
        assertThat(h.txn().lastUpdateTimestampMs()).isEqualTo(startMs + 10);
    }

    @Test
    void partitionsAlreadyInTheTransactionAreAnsweredWithoutAWrite() {
        h.init();
        h.add(1000L, (short) 0, T0, T1);
        int records = h.log.recordCount(0);

        assertThat(h.add(1000L, (short) 0, T1)).isEqualTo(Errors.NONE);

        assertThat(h.log.recordCount(0)).isEqualTo(records);
    }

    @Test
    void wrongProducerIdsAndEpochsAndUnknownIdsAreRefused() {
        assertThat(h.add(1000L, (short) 0, T0)).isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING);
        h.init();
        h.init();

        assertThat(h.add(999L, (short) 1, T0)).isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING);
        assertThat(h.add(1000L, (short) 0, T0)).isEqualTo(Errors.PRODUCER_FENCED);
        assertThat(h.txn().state()).isEqualTo(TransactionState.EMPTY);
    }

    @Test
    void noPartitionsAreAddedWhileMarkersAreWritten() {
        h.init();
        h.add(1000L, (short) 0, T0);
        h.end(1000L, (short) 0, TransactionResult.COMMIT, TransactionVersions.TV_0);

        assertThat(h.add(1000L, (short) 0, T1)).isEqualTo(Errors.CONCURRENT_TRANSACTIONS);

        h.writeMarkers();
        assertThat(h.add(1000L, (short) 0, T1)).as("the next transaction").isEqualTo(Errors.NONE);
        assertThat(h.txn().partitions()).containsExactly(T1);
    }

    @Test
    void verifyAnswersWhetherEachPartitionIsInTheOngoingTransaction() {
        h.init();
        h.add(1000L, (short) 0, T0);

        assertThat(verify(1000L, (short) 0, T0, T1)).isEqualTo(Map.of(T0, Errors.NONE,
                T1, Errors.TRANSACTION_ABORTABLE));
        assertThat(verify(1000L, (short) 1, T0)).isEqualTo(Map.of(T0, Errors.PRODUCER_FENCED));
        assertThat(verify(7L, (short) 0, T0)).isEqualTo(Map.of(T0, Errors.INVALID_PRODUCER_ID_MAPPING));
        h.end(1000L, (short) 0, TransactionResult.ABORT, TransactionVersions.TV_0);
        assertThat(verify(1000L, (short) 0, T0)).isEqualTo(Map.of(T0, Errors.CONCURRENT_TRANSACTIONS));
    }

    @Test
    void theClientsTransactionVersionIsRecorded() {
        h.init();

        h.add(1000L, (short) 0, TransactionVersions.TV_2, T0);

        assertThat(h.txn().clientTransactionVersion()).isEqualTo(TransactionVersions.TV_2);
    }
}
