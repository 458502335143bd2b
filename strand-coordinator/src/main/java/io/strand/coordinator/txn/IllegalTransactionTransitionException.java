package io.strand.coordinator.txn;

/**
 * A transition the transaction state machine does not allow ({@link TransactionState}): a bug in
 * the coordinator, never a client's error (clients get INVALID_TXN_STATE or CONCURRENT_TRANSACTIONS
 * before any transition is tried).
 */
public final class IllegalTransactionTransitionException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    IllegalTransactionTransitionException(String transactionalId, TransactionState from, TransactionState to) {
        super("Illegal transaction state transition: transactionalId=" + transactionalId + " from=" + from.stateName()
                + " to=" + to.stateName());
    }
}
