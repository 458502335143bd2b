package io.strand.coordinator.txn;

import io.strand.coordinator.runtime.CoordinatorResult;
import java.util.List;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * InitProducerId for a transactional id (KIP-98, with KIP-360's retries and recovery): a producer
 * id and a bumped epoch, written as an Empty record.
 *
 * <ul>
 *   <li>A new transactional id gets a new producer id ({@link ProducerIdSource}) at epoch 0.</li>
 *   <li>A client may name the producer id and epoch it has (KIP-360); it is fenced
 *       (PRODUCER_FENCED) unless that is the current producer id, or the previous one at an exhausted
 *       epoch (a retry after a rotation), or the id has no epoch yet.</li>
 *   <li>Empty, CompleteCommit, CompleteAbort: the epoch is bumped; a client naming the epoch just
 *       before the current one is retrying and gets the current one again; once the epochs are
 *       exhausted ({@code Short.MAX_VALUE - 1}) the producer id is replaced by a new one at epoch 0.</li>
 *   <li>Ongoing: another producer with the same id still has a transaction open. It is fenced: the
 *       transaction is aborted with a bumped epoch (see {@link EndTxnOp#fenceAndAbort}) and the
 *       caller gets CONCURRENT_TRANSACTIONS, to retry once the abort completed; the retry bumps the
 *       epoch again (or moves to a new producer id).</li>
 *   <li>PrepareCommit, PrepareAbort: CONCURRENT_TRANSACTIONS until the markers are written.</li>
 * </ul>
 * The time-out is checked by the caller ({@link TransactionCoordinator}) against
 * {@code transaction.max.timeout.ms}; a producer id that cannot be drawn answers its error.
 *
 * <p>Not thread-safe: runs on the shard's thread.
 */
final class InitProducerIdOp {

    private static final Logger LOG = LoggerFactory.getLogger(InitProducerIdOp.class);

    private final TxnShardContext context;
    private final TransactionStore store;
    private final EndTxnOp endTxn;

    InitProducerIdOp(TxnShardContext context, TransactionStore store, EndTxnOp endTxn) {
        this.context = context;
        this.store = store;
        this.endTxn = endTxn;
    }

    /**
     * @param expectedProducerId    the producer id the client has, -1 if none
     * @param expectedProducerEpoch its epoch, -1 if none (both or neither: the caller checks)
     */
    CoordinatorResult<InitProducerIdResult, TransactionRecord> init(String transactionalId, int transactionTimeoutMs,
                                                                    long expectedProducerId,
                                                                    short expectedProducerEpoch) {
        long nowMs = context.nowMs();
        boolean expected = expectedProducerId != TransactionMetadata.NO_PRODUCER_ID;
        try {
            TransactionMetadata current = store.get(transactionalId);
            if (current == null) {
                current = TransactionMetadata.fresh(context.producerIds().nextProducerId(), transactionTimeoutMs, nowMs);
            }
            if (expected && !isValidProducerId(current, expectedProducerId, expectedProducerEpoch)) {
                return error(Errors.PRODUCER_FENCED);
            }
            return switch (current.state()) {
                case PREPARE_COMMIT, PREPARE_ABORT -> error(Errors.CONCURRENT_TRANSACTIONS);
                case EMPTY, COMPLETE_COMMIT, COMPLETE_ABORT -> {
                    TransactionMetadata next;
                    if (current.isProducerEpochExhausted()
                            && (!expected || expectedProducerEpoch == current.producerEpoch())) {
                        next = current.rotateProducerId(transactionalId, context.producerIds().nextProducerId(),
                                transactionTimeoutMs, nowMs, expected);
                    } else {
                        next = current.incrementEpoch(transactionalId, transactionTimeoutMs,
                                expected ? expectedProducerEpoch : null, nowMs);
                    }
                    yield CoordinatorResult.of(List.of(new TransactionRecord(transactionalId, next)),
                            InitProducerIdResult.of(next.producerId(), next.producerEpoch()));
                }
                case ONGOING -> {
                    TransactionMetadata aborting = endTxn.fenceAndAbort(transactionalId, current, nowMs);
                    LOG.info("InitProducerId for transactionalId {} fences producer {} epoch {}: aborting its ongoing "
                            + "transaction with epoch {}", transactionalId, current.producerId(),
                            current.producerEpoch(), aborting.producerEpoch());
                    yield endTxn.prepared(transactionalId, aborting,
                            InitProducerIdResult.error(Errors.CONCURRENT_TRANSACTIONS));
                }
                case DEAD, PREPARE_EPOCH_FENCE -> throw EndTxnOp.neverStored(transactionalId, current);
            };
        } catch (RuntimeException e) {
            // As Kafka: a producer id that cannot be drawn, a fenced epoch, or (rarely) an epoch that can no
            // longer be bumped answers the error it maps to.
            Errors error = Errors.forException(e);
            if (error == Errors.UNKNOWN_SERVER_ERROR) {
                LOG.error("InitProducerId for transactionalId {} failed", transactionalId, e);
            }
            return error(error);
        }
    }

    /**
     * Kafka's check of the producer id a client names: accepted if the id has no epoch yet, if it is
     * the current producer id (the epoch is checked by the bump), or if it is the previous one at an
     * exhausted epoch — a retry of the call that rotated it.
     */
    private static boolean isValidProducerId(TransactionMetadata current, long producerId, short producerEpoch) {
        return current.producerEpoch() == TransactionMetadata.NO_PRODUCER_EPOCH || producerId == current.producerId()
                || (producerId == current.previousProducerId() && TransactionMetadata.isEpochExhausted(producerEpoch));
    }

    private static CoordinatorResult<InitProducerIdResult, TransactionRecord> error(Errors error) {
        return CoordinatorResult.response(InitProducerIdResult.error(error));
    }
}
