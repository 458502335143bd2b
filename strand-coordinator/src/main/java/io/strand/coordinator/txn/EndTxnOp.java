package io.strand.coordinator.txn;

import io.strand.coordinator.runtime.CoordinatorResult;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.TransactionResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * EndTxn, and the aborts the coordinator starts itself (fencing an older producer, a transaction
 * past its time-out): the decision, written as a PrepareCommit or PrepareAbort record; once that is
 * committed the answer is released and the markers start ({@link MarkerTracker}).
 *
 * <h2>Transactions v0/v1 (EndTxn before v5)</h2>
 * The producer id and epoch must be the current ones. From Ongoing the decision keeps the epoch. A
 * retry of a completed EndTxn of the same kind answers NONE; PrepareCommit/PrepareAbort answer
 * CONCURRENT_TRANSACTIONS to the same kind (markers still being written); every other combination is
 * INVALID_TXN_STATE. Answers carry producer id and epoch -1.
 *
 * <h2>Transactions v2 (EndTxn v5+, KIP-890)</h2>
 * Every decision bumps the epoch; when the epochs of the producer id are exhausted a new producer id
 * is drawn, written as the next producer id, and the client moves to it at epoch 0. A successful
 * answer carries what the client continues with. A retry is a request with the epoch just before
 * the current one, or with the old producer id at {@code Short.MAX_VALUE - 1} after a rotation:
 * <pre>
 *                  | Abort                 | Commit
 *                  | retry   | current     | retry   | current
 * Empty            | FENCED  | bump        | FENCED  | INVALID_TXN_STATE
 * CompleteAbort    | NONE    | bump        | INVALID | INVALID_TXN_STATE
 * CompleteCommit   | INVALID | bump        | NONE    | INVALID_TXN_STATE
 * </pre>
 * ("bump": a new, empty transaction is aborted: PrepareAbort with the epoch bumped.)
 *
 * <p>Not thread-safe: runs on the shard's thread.
 */
final class EndTxnOp {

    private static final Logger LOG = LoggerFactory.getLogger(EndTxnOp.class);

    private final TxnShardContext context;
    private final TransactionStore store;
    private final MarkerTracker markers;

    EndTxnOp(TxnShardContext context, TransactionStore store, MarkerTracker markers) {
        this.context = context;
        this.store = store;
        this.markers = markers;
    }

    /**
     * EndTxn from a client.
     *
     * @param clientTransactionVersion the level the request's version implies
     *                                 ({@link TransactionVersions#forEndTxnVersion})
     */
    CoordinatorResult<EndTxnResult, TransactionRecord> end(String transactionalId, long producerId, short producerEpoch,
                                                           TransactionResult result, short clientTransactionVersion) {
        TransactionMetadata current = store.get(transactionalId);
        if (current == null) {
            return error(Errors.INVALID_PRODUCER_ID_MAPPING);
        }
        return TransactionVersions.supportsEpochBump(clientTransactionVersion)
                ? endV2(transactionalId, current, producerId, producerEpoch, result, clientTransactionVersion)
                : endV1(transactionalId, current, producerId, producerEpoch, result);
    }

    private CoordinatorResult<EndTxnResult, TransactionRecord> endV1(String transactionalId, TransactionMetadata current,
                                                                     long producerId, short producerEpoch,
                                                                     TransactionResult result) {
        if (current.producerId() != producerId) {
            return error(Errors.INVALID_PRODUCER_ID_MAPPING);
        }
        if (current.producerEpoch() != producerEpoch) {
            return error(Errors.PRODUCER_FENCED);
        }
        boolean commit = result == TransactionResult.COMMIT;
        return switch (current.state()) {
            case ONGOING -> prepared(transactionalId, current.prepareEnd(transactionalId,
                    commit ? TransactionState.PREPARE_COMMIT : TransactionState.PREPARE_ABORT, TransactionVersions.TV_0,
                    TransactionMetadata.NO_PRODUCER_ID, context.nowMs(), false), EndTxnResult.of(Errors.NONE));
            case COMPLETE_COMMIT -> error(commit ? Errors.NONE : invalidState(transactionalId, current, result));
            case COMPLETE_ABORT -> error(!commit ? Errors.NONE : invalidState(transactionalId, current, result));
            case PREPARE_COMMIT -> error(commit ? Errors.CONCURRENT_TRANSACTIONS
                    : invalidState(transactionalId, current, result));
            case PREPARE_ABORT -> error(!commit ? Errors.CONCURRENT_TRANSACTIONS
                    : invalidState(transactionalId, current, result));
            case EMPTY -> error(invalidState(transactionalId, current, result));
            case DEAD, PREPARE_EPOCH_FENCE -> throw neverStored(transactionalId, current);
        };
    }

    private CoordinatorResult<EndTxnResult, TransactionRecord> endV2(String transactionalId, TransactionMetadata current,
                                                                     long producerId, short producerEpoch,
                                                                     TransactionResult result, short clientVersion) {
        boolean retryOnOverflow = current.previousProducerId() == producerId && producerEpoch == Short.MAX_VALUE - 1
                && current.producerEpoch() == 0;
        boolean retryOnEpochBump = current.producerEpoch() == producerEpoch + 1;
        boolean validEpoch = switch (current.state()) {
            case ONGOING, EMPTY, DEAD, PREPARE_EPOCH_FENCE -> producerEpoch == current.producerEpoch();
            case PREPARE_COMMIT, PREPARE_ABORT -> retryOnEpochBump;
            case COMPLETE_COMMIT, COMPLETE_ABORT -> retryOnEpochBump || retryOnOverflow
                    || producerEpoch == current.producerEpoch();
        };
        boolean retry = retryOnEpochBump || retryOnOverflow;
        if (current.producerId() != producerId && !retryOnOverflow) {
            return error(Errors.INVALID_PRODUCER_ID_MAPPING);
        }
        if (!validEpoch) {
            return error(Errors.PRODUCER_FENCED);
        }
        boolean commit = result == TransactionResult.COMMIT;
        EndTxnResult retried = new EndTxnResult(Errors.NONE, current.producerId(), current.producerEpoch());
        return switch (current.state()) {
            case ONGOING -> prepareV2(transactionalId, current,
                    commit ? TransactionState.PREPARE_COMMIT : TransactionState.PREPARE_ABORT, clientVersion, false);
            case COMPLETE_COMMIT -> commit
                    ? (retry ? CoordinatorResult.response(retried) : error(invalidState(transactionalId, current, result)))
                    : (retry ? error(invalidState(transactionalId, current, result))
                    : prepareV2(transactionalId, current, TransactionState.PREPARE_ABORT, clientVersion, true));
            case COMPLETE_ABORT -> !commit
                    ? (retry ? CoordinatorResult.response(retried)
                    : prepareV2(transactionalId, current, TransactionState.PREPARE_ABORT, clientVersion, true))
                    : error(invalidState(transactionalId, current, result));
            case PREPARE_COMMIT -> error(commit ? Errors.CONCURRENT_TRANSACTIONS
                    : invalidState(transactionalId, current, result));
            case PREPARE_ABORT -> error(!commit ? Errors.CONCURRENT_TRANSACTIONS
                    : invalidState(transactionalId, current, result));
            case EMPTY -> !commit
                    ? prepareV2(transactionalId, current, TransactionState.PREPARE_ABORT, clientVersion, true)
                    : error(invalidState(transactionalId, current, result));
            case DEAD, PREPARE_EPOCH_FENCE -> throw neverStored(transactionalId, current);
        };
    }

    /** A v2 decision: the epoch bumped, and a next producer id if this one's epochs are exhausted. */
    private CoordinatorResult<EndTxnResult, TransactionRecord> prepareV2(String transactionalId,
                                                                         TransactionMetadata current,
                                                                         TransactionState next, short clientVersion,
                                                                         boolean noPartitionAdded) {
        long nextProducerId;
        try {
            nextProducerId = current.isProducerEpochExhausted() ? context.producerIds().nextProducerId()
                    : TransactionMetadata.NO_PRODUCER_ID;
        } catch (ApiException e) {
            return error(Errors.forException(e));
        }
        TransactionMetadata prepared = current.prepareEnd(transactionalId, next, clientVersion, nextProducerId,
                context.nowMs(), noPartitionAdded);
        boolean rotates = nextProducerId != TransactionMetadata.NO_PRODUCER_ID;
        return prepared(transactionalId, prepared, new EndTxnResult(Errors.NONE,
                rotates ? nextProducerId : prepared.producerId(), rotates ? 0 : prepared.producerEpoch()));
    }

    /**
     * The PrepareAbort that fences the producer of {@code current}'s ongoing transaction (InitProducerId
     * from a new producer, or the transaction's time-out), as the finalized {@code transaction.version}
     * has it: below 2 the epoch is bumped once and the previous epoch forgotten; from 2 the abort
     * bumps it as every v2 decision does (so once in all), moving to a new producer id at completion
     * when the epochs are exhausted.
     *
     * @throws ApiException          if a new producer id is needed and none is available
     * @throws IllegalStateException if the epoch cannot be bumped any more (Short.MAX_VALUE)
     */
    TransactionMetadata fenceAndAbort(String transactionalId, TransactionMetadata current, long nowMs) {
        short level = context.transactionVersion().level();
        if (TransactionVersions.supportsEpochBump(level)) {
            current.state().checkTransitionTo(TransactionState.PREPARE_EPOCH_FENCE, transactionalId);
            if (current.producerEpoch() == Short.MAX_VALUE) {
                throw new IllegalStateException("Cannot fence a producer at epoch Short.MAX_VALUE: transactionalId="
                        + transactionalId);
            }
            long nextProducerId = current.isProducerEpochExhausted() ? context.producerIds().nextProducerId()
                    : TransactionMetadata.NO_PRODUCER_ID;
            return current.prepareEnd(transactionalId, TransactionState.PREPARE_ABORT, level, nextProducerId, nowMs,
                    false);
        }
        return current.fenceEpoch(transactionalId).prepareEnd(transactionalId, TransactionState.PREPARE_ABORT,
                TransactionVersions.TV_0, TransactionMetadata.NO_PRODUCER_ID, nowMs, false);
    }

    /**
     * Writes {@code prepared} and answers {@code response} once it is committed, then starts the markers.
     */
    <T> CoordinatorResult<T, TransactionRecord> prepared(String transactionalId, TransactionMetadata prepared,
                                                         T response) {
        CompletableFuture<Void> committed = new CompletableFuture<>();
        committed.thenRun(() -> markers.start(transactionalId, prepared));
        return new CoordinatorResult<>(List.of(new TransactionRecord(transactionalId, prepared)), response, true,
                committed);
    }

    private Errors invalidState(String transactionalId, TransactionMetadata current, TransactionResult result) {
        LOG.warn("TransactionalId {} is in state {} but EndTxn asked to {}; answering INVALID_TXN_STATE",
                transactionalId, current.state().stateName(), result);
        return Errors.INVALID_TXN_STATE;
    }

    static IllegalStateException neverStored(String transactionalId, TransactionMetadata current) {
        return new IllegalStateException("TransactionalId " + transactionalId + " is stored in state "
                + current.state().stateName() + ", which is never written");
    }

    private static CoordinatorResult<EndTxnResult, TransactionRecord> error(Errors error) {
        return CoordinatorResult.response(EndTxnResult.of(error));
    }
}
