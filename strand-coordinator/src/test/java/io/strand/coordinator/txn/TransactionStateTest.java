package io.strand.coordinator.txn;

import static io.strand.coordinator.txn.TransactionState.COMPLETE_ABORT;
import static io.strand.coordinator.txn.TransactionState.COMPLETE_COMMIT;
import static io.strand.coordinator.txn.TransactionState.DEAD;
import static io.strand.coordinator.txn.TransactionState.EMPTY;
import static io.strand.coordinator.txn.TransactionState.ONGOING;
import static io.strand.coordinator.txn.TransactionState.PREPARE_ABORT;
import static io.strand.coordinator.txn.TransactionState.PREPARE_COMMIT;
import static io.strand.coordinator.txn.TransactionState.PREPARE_EPOCH_FENCE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class TransactionStateTest {

    @Test
    void idsAndNamesAreKafkas() {
        assertThat(EnumSet.allOf(TransactionState.class)).extracting(TransactionState::id)
                .containsExactly((byte) 0, (byte) 1, (byte) 2, (byte) 3, (byte) 4, (byte) 5, (byte) 6, (byte) 7);
        assertThat(PREPARE_EPOCH_FENCE.stateName()).isEqualTo("PrepareEpochFence");
        assertThat(TransactionState.fromName("CompleteCommit")).isEqualTo(COMPLETE_COMMIT);
        assertThat(TransactionState.fromName("completecommit")).isNull();
        assertThat(TransactionState.fromId((byte) 3)).isEqualTo(PREPARE_ABORT);
    }

    @Test
    void legalTransitionsAreKafkas() {
        assertThat(EMPTY.validPreviousStates()).containsExactlyInAnyOrder(EMPTY, COMPLETE_COMMIT, COMPLETE_ABORT);
        assertThat(ONGOING.validPreviousStates()).containsExactlyInAnyOrder(ONGOING, EMPTY, COMPLETE_COMMIT,
                COMPLETE_ABORT);
        assertThat(PREPARE_COMMIT.validPreviousStates()).containsExactly(ONGOING);
        assertThat(PREPARE_ABORT.validPreviousStates()).containsExactlyInAnyOrder(ONGOING, PREPARE_EPOCH_FENCE,
                EMPTY, COMPLETE_COMMIT, COMPLETE_ABORT);
        assertThat(COMPLETE_COMMIT.validPreviousStates()).containsExactly(PREPARE_COMMIT);
        assertThat(COMPLETE_ABORT.validPreviousStates()).containsExactly(PREPARE_ABORT);
        assertThat(DEAD.validPreviousStates()).containsExactlyInAnyOrder(EMPTY, COMPLETE_COMMIT, COMPLETE_ABORT);
        assertThat(PREPARE_EPOCH_FENCE.validPreviousStates()).containsExactly(ONGOING);
        assertThat(EnumSet.allOf(TransactionState.class).stream().filter(TransactionState::isExpirationAllowed))
                .containsExactlyInAnyOrder(EMPTY, COMPLETE_COMMIT, COMPLETE_ABORT);
    }

    @Test
    void anIllegalTransitionNamesBothStatesAndTheId() {
        assertThatThrownBy(() -> PREPARE_COMMIT.checkTransitionTo(ONGOING, "tx-9"))
                .isInstanceOf(IllegalTransactionTransitionException.class)
                .hasMessageContaining("transactionalId=tx-9").hasMessageContaining("from=PrepareCommit")
                .hasMessageContaining("to=Ongoing");
    }

    @Test
    void transitionsRefuseIllegalMoves() {
        TransactionMetadata ongoing = new TransactionMetadata(1L, 1L, -1L, (short) 0, (short) -1, (short) -1, 1000,
                ONGOING, Set.of(new TopicPartition("t", 0)), 0L, 0L, (short) 0);

        assertThatThrownBy(() -> ongoing.complete("tx", 5L)).isInstanceOf(IllegalTransactionTransitionException.class);
        assertThatThrownBy(() -> ongoing.incrementEpoch("tx", 1000, null, 5L))
                .isInstanceOf(IllegalTransactionTransitionException.class);
        assertThatThrownBy(() -> ongoing.checkExpirable("tx"))
                .isInstanceOf(IllegalTransactionTransitionException.class);
    }
}
