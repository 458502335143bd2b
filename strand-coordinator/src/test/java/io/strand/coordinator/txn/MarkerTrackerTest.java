package io.strand.coordinator.txn;

import static io.strand.coordinator.txn.TxnShardHarness.T0;
import static io.strand.coordinator.txn.TxnShardHarness.T1;
import static org.apache.kafka.common.requests.TransactionResult.COMMIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

class MarkerTrackerTest {

    private final TxnShardHarness h = new TxnShardHarness(TransactionVersions.TV_0);

    /** Producer 1000 epoch 0 commits a transaction of T0 and T1: PrepareCommit, markers sent. */
    private RecordingMarkerChannel.Sent commit() {
        h.init();
        h.add(1000L, (short) 0, T0, T1);
        h.end(1000L, (short) 0, COMMIT, TransactionVersions.TV_0);
        return h.channel.last();
    }

    @Test
    void deletedTopicsAndPartitionsThatTakeNoMarkersCountAsDone() {
        RecordingMarkerChannel.Sent sent = commit();

        sent.completion().onPartitionDone(T0, Errors.UNKNOWN_TOPIC_OR_PARTITION);
        sent.completion().onPartitionDone(T1, Errors.UNSUPPORTED_FOR_MESSAGE_FORMAT);
        h.runScheduled();

        assertThat(h.txn().state()).isEqualTo(TransactionState.COMPLETE_COMMIT);
    }

    @Test
    void aFencedMarkerStopsCompletionUntilThePartitionIsLoadedAgain() {
        RecordingMarkerChannel.Sent sent = commit();
        int records = h.log.recordCount(0);

        sent.completion().onPartitionDone(T0, Errors.TRANSACTION_COORDINATOR_FENCED);
        sent.completion().onPartitionDone(T1, Errors.NONE);
        h.runScheduled();

        assertThat(h.txn().state()).isEqualTo(TransactionState.PREPARE_COMMIT);
        assertThat(h.log.recordCount(0)).isEqualTo(records);
    }

    @Test
    void aRetriableErrorReportedAnywaySendsThatPartitionAgain() {
        RecordingMarkerChannel.Sent sent = commit();

        sent.completion().onPartitionDone(T0, Errors.NOT_LEADER_OR_FOLLOWER);
        h.runScheduled();

        assertThat(h.channel.last().markers().partitions()).containsExactly(T0);
        h.channel.last().completion().onPartitionDone(T0, Errors.NONE);
        sent.completion().onPartitionDone(T1, Errors.NONE);
        h.runScheduled();
        assertThat(h.txn().state()).isEqualTo(TransactionState.COMPLETE_COMMIT);
    }

    @Test
    void aLoadedShardResumesTheMarkersOfPreparedTransactionsAtItsEpoch() {
        RecordingMarkerChannel.Sent old = commit();
        h.channel.clear();

        h.load(7);

        assertThat(h.channel.cancelled).containsExactly(0);
        assertThat(h.channel.sent).hasSize(1);
        TransactionMarkers resumed = h.channel.last().markers();
        assertThat(resumed.coordinatorEpoch()).isEqualTo(7);
        assertThat(resumed.partitions()).isEqualTo(Set.of(T0, T1));
        assertThat(resumed.producerEpoch()).isEqualTo(old.markers().producerEpoch());

        // The old shard's outcomes are ignored; the new shard's complete the transaction.
        old.completion().onPartitionDone(T0, Errors.NONE);
        old.completion().onPartitionDone(T1, Errors.NONE);
        h.runScheduled();
        assertThat(h.txn().state()).isEqualTo(TransactionState.PREPARE_COMMIT);
        h.writeMarkers();
        assertThat(h.txn().state()).isEqualTo(TransactionState.COMPLETE_COMMIT);
    }

    @Test
    void aCompletedTransactionIsNotResumed() {
        commit();
        h.writeMarkers();
        h.channel.clear();

        h.load(1);

        assertThat(h.channel.sent).isEmpty();
        assertThat(h.txn().state()).isEqualTo(TransactionState.COMPLETE_COMMIT);
    }
}
