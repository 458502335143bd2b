package io.strand.coordinator.txn;

import static io.strand.coordinator.txn.TxnShardHarness.T0;
import static io.strand.coordinator.txn.TxnShardHarness.TIMEOUT_MS;
import static io.strand.coordinator.txn.TxnShardHarness.TXN;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.TransactionResult;
import org.junit.jupiter.api.Test;

class TransactionExpiryTest {

    private static final long ABORT_INTERVAL_MS = 1_000;
    private static final long EXPIRY_MS = 100_000;
    private static final long REMOVE_INTERVAL_MS = 10_000;

    private final TxnShardHarness h = new TxnShardHarness(TransactionVersions.TV_0, Map.of(
            TransactionCoordinatorConfig.ABORT_TIMED_OUT_INTERVAL_MS, Long.toString(ABORT_INTERVAL_MS),
            TransactionCoordinatorConfig.TRANSACTIONAL_ID_EXPIRATION_MS, Long.toString(EXPIRY_MS),
            TransactionCoordinatorConfig.REMOVE_EXPIRED_INTERVAL_MS, Long.toString(REMOVE_INTERVAL_MS)));

    @Test
    void anOngoingTransactionPastItsTimeoutIsAbortedWithABumpedEpoch() {
        h.init();
        h.add(1000L, (short) 0, T0);

        h.advance(TIMEOUT_MS);
        assertThat(h.txn().state()).as("not past its time-out yet").isEqualTo(TransactionState.ONGOING);
        h.advance(ABORT_INTERVAL_MS);

        assertThat(h.txn().state()).isEqualTo(TransactionState.PREPARE_ABORT);
        assertThat(h.txn().producerEpoch()).isEqualTo((short) 1);
        assertThat(h.channel.last().markers().result()).isEqualTo(TransactionResult.ABORT);
        h.writeMarkers();
        assertThat(h.txn().state()).isEqualTo(TransactionState.COMPLETE_ABORT);
        // The producer that timed out is fenced.
        assertThat(h.add(1000L, (short) 0, T0)).isEqualTo(Errors.PRODUCER_FENCED);
        assertThat(h.end(1000L, (short) 0, TransactionResult.COMMIT, TransactionVersions.TV_0).error())
                .isEqualTo(Errors.PRODUCER_FENCED);
    }

    @Test
    void timedOutTransactionsAreLookedForOnlyEveryInterval() {
        h.init();
        h.add(1000L, (short) 0, T0);
        h.advance(TIMEOUT_MS - 1); // a check just before the time-out; the next one an interval later

        h.advance(2);

        assertThat(h.txn().state()).as("past its time-out, but the next check is not due")
                .isEqualTo(TransactionState.ONGOING);
        h.advance(ABORT_INTERVAL_MS);
        assertThat(h.txn().state()).isEqualTo(TransactionState.PREPARE_ABORT);
    }

    @Test
    void idleTransactionalIdsExpireWithATombstoneAndOpenOnesDoNot() {
        h.init();
        h.run(s -> s.initProducerIdOp().init("open", TIMEOUT_MS, -1, (short) -1));
        h.run(s -> s.addPartitionsOp().add("open", 1001L, (short) 0, java.util.Set.of(T0), TransactionVersions.TV_0));

        h.time.sleep(EXPIRY_MS);
        h.advance(REMOVE_INTERVAL_MS);

        assertThat(h.txn()).isNull();
        // The open transaction timed out meanwhile and is being aborted: not idle, so kept.
        assertThat(h.shard.transaction("open").state()).isEqualTo(TransactionState.PREPARE_ABORT);
        assertThat(h.log.records(0).get(h.log.recordCount(0) - 1).hasValue()).isFalse();
        h.load(1);
        assertThat(h.txn()).as("gone after a reload too").isNull();
    }

    @Test
    void anIdUpdatedRecentlyIsKept() {
        h.init();
        h.time.sleep(EXPIRY_MS - REMOVE_INTERVAL_MS);
        h.init();

        h.advance(REMOVE_INTERVAL_MS);

        assertThat(h.shard.transaction(TXN)).isNotNull();
    }
}
