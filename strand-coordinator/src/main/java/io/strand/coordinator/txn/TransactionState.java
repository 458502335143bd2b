package io.strand.coordinator.txn;

import java.util.EnumSet;
import java.util.Set;

/**
 * The state of one transactional id, as Kafka's transaction coordinator defines it; the id byte is
 * the {@code TransactionStatus} field of {@code __transaction_state} values, the name what
 * DescribeTransactions and ListTransactions report.
 *
 * <h2>Legal transitions (target ← previous states)</h2>
 * <pre>
 * Empty             ← Empty, CompleteCommit, CompleteAbort           (InitProducerId)
 * Ongoing           ← Ongoing, Empty, CompleteCommit, CompleteAbort  (AddPartitionsToTxn, AddOffsetsToTxn)
 * PrepareCommit     ← Ongoing                                        (EndTxn commit)
 * PrepareAbort      ← Ongoing, PrepareEpochFence,                    (EndTxn abort, fencing, time-out;
 *                     Empty, CompleteCommit, CompleteAbort             the last three with transactions v2 only)
 * CompleteCommit    ← PrepareCommit                                  (every marker written)
 * CompleteAbort     ← PrepareAbort                                   (every marker written)
 * Dead              ← Empty, CompleteCommit, CompleteAbort           (the id expired: a tombstone)
 * PrepareEpochFence ← Ongoing                                        (InitProducerId or a time-out fences)
 * </pre>
 * PrepareEpochFence and Dead are never written to the log: the first is the step between an
 * ongoing transaction and the PrepareAbort that fences it, the second is a tombstone.
 *
 * <p>Immutable.
 */
public enum TransactionState {
    /** No transaction yet since the producer epoch was last bumped. */
    EMPTY((byte) 0, "Empty", true),
    /** Partitions have been added; the transaction is open. */
    ONGOING((byte) 1, "Ongoing", false),
    /** Commit decided and durable; markers are being written. */
    PREPARE_COMMIT((byte) 2, "PrepareCommit", false),
    /** Abort decided and durable; markers are being written. */
    PREPARE_ABORT((byte) 3, "PrepareAbort", false),
    /** Every commit marker is written. */
    COMPLETE_COMMIT((byte) 4, "CompleteCommit", true),
    /** Every abort marker is written. */
    COMPLETE_ABORT((byte) 5, "CompleteAbort", true),
    /** The transactional id has expired and is being removed. */
    DEAD((byte) 6, "Dead", false),
    /** The producer epoch is being bumped to fence an older producer; its transaction is aborted next. */
    PREPARE_EPOCH_FENCE((byte) 7, "PrepareEpochFence", false);

    private final byte id;
    private final String stateName;
    private final boolean expirationAllowed;

    TransactionState(byte id, String stateName, boolean expirationAllowed) {
        this.id = id;
        this.stateName = stateName;
        this.expirationAllowed = expirationAllowed;
    }

    /** The byte stored in {@code TransactionStatus}. */
    public byte id() {
        return id;
    }

    /** Kafka's name of the state (DescribeTransactions, ListTransactions). */
    public String stateName() {
        return stateName;
    }

    /** True for the states an idle transactional id may expire in: Empty, CompleteCommit, CompleteAbort. */
    public boolean isExpirationAllowed() {
        return expirationAllowed;
    }

    /** True for PrepareCommit and PrepareAbort: markers are due. */
    public boolean isPrepare() {
        return this == PREPARE_COMMIT || this == PREPARE_ABORT;
    }

    /** True for Empty, CompleteCommit and CompleteAbort: no transaction is open. */
    public boolean isIdle() {
        return this == EMPTY || this == COMPLETE_COMMIT || this == COMPLETE_ABORT;
    }

    /** The states this one may be entered from. */
    public Set<TransactionState> validPreviousStates() {
        return switch (this) {
            case EMPTY, DEAD -> EnumSet.of(EMPTY, COMPLETE_COMMIT, COMPLETE_ABORT);
            case ONGOING -> EnumSet.of(ONGOING, EMPTY, COMPLETE_COMMIT, COMPLETE_ABORT);
            case PREPARE_COMMIT, PREPARE_EPOCH_FENCE -> EnumSet.of(ONGOING);
            case PREPARE_ABORT -> EnumSet.of(ONGOING, PREPARE_EPOCH_FENCE, EMPTY, COMPLETE_COMMIT, COMPLETE_ABORT);
            case COMPLETE_COMMIT -> EnumSet.of(PREPARE_COMMIT);
            case COMPLETE_ABORT -> EnumSet.of(PREPARE_ABORT);
        };
    }

    /**
     * Checks that this state may move to {@code next}.
     *
     * @throws IllegalTransactionTransitionException naming both states and the transactional id if not
     */
    public void checkTransitionTo(TransactionState next, String transactionalId) {
        if (!next.validPreviousStates().contains(this)) {
            throw new IllegalTransactionTransitionException(transactionalId, this, next);
        }
    }

    /** The state stored as {@code id}. */
    public static TransactionState fromId(byte id) {
        for (TransactionState state : values()) {
            if (state.id == id) {
                return state;
            }
        }
        throw new IllegalArgumentException("Unknown transaction state id " + id);
    }

    /** The state named {@code name} (Kafka's names, case-sensitive), or null. */
    public static TransactionState fromName(String name) {
        for (TransactionState state : values()) {
            if (state.stateName.equals(name)) {
                return state;
            }
        }
        return null;
    }
}
