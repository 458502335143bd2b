package io.strand.broker.txn;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * The partition leader's side of KIP-890 before a transactional batch (or a group's transactional
 * offsets) is written, by the producer's transactions version:
 * <ul>
 *   <li>{@link #verify} (part 1; Produce before v12, TxnOffsetCommit before v5): is the partition in
 *       the producer's ongoing transaction? A batch of a transaction that has ended, or was never told
 *       of the partition, is refused.</li>
 *   <li>{@link #add} (part 2, transactions v2; Produce v12+, TxnOffsetCommit v5): the producer no
 *       longer sends AddPartitionsToTxn or AddOffsetsToTxn, so the leader adds the partition to the
 *       transaction at its coordinator before writing.</li>
 * </ul>
 * Thread-safe; never blocks the caller.
 */
public interface TransactionVerifier {

    /** Verifies nothing and adds nothing: every transactional batch may be appended (tests). */
    TransactionVerifier NONE = new TransactionVerifier() {
        @Override
        public CompletableFuture<Errors> verify(String transactionalId, long producerId, short producerEpoch,
                                                TopicPartition partition) {
            return CompletableFuture.completedFuture(Errors.NONE);
        }

        @Override
        public CompletableFuture<Errors> add(String transactionalId, long producerId, short producerEpoch,
                                             TopicPartition partition) {
            return CompletableFuture.completedFuture(Errors.NONE);
        }
    };

    /**
     * Completes with {@link Errors#NONE} if the batch may be appended, else with the error to answer for
     * the partition (as Kafka's broker passes it to the produce path: TRANSACTION_ABORTABLE,
     * INVALID_PRODUCER_EPOCH, NOT_ENOUGH_REPLICAS …; the produce path answers TRANSACTION_ABORTABLE as
     * INVALID_TXN_STATE to clients before Produce v11). Never completes exceptionally.
     */
    CompletableFuture<Errors> verify(String transactionalId, long producerId, short producerEpoch,
                                     TopicPartition partition);

    /**
     * Adds {@code partition} to the producer's transaction (starting one if none is ongoing): NONE once
     * it is in, else the coordinator's error with PRODUCER_FENCED as INVALID_PRODUCER_EPOCH (what the
     * producer expects from a partition leader) and every other error as the coordinator gave it
     * (CONCURRENT_TRANSACTIONS while the previous transaction's markers are written,
     * INVALID_PRODUCER_ID_MAPPING, NOT_COORDINATOR, NETWORK_EXCEPTION …). Never completes exceptionally.
     */
    CompletableFuture<Errors> add(String transactionalId, long producerId, short producerEpoch,
                                  TopicPartition partition);

    /**
     * {@code verifier}'s adds without its verifications, for when verification is turned off
     * ({@code transaction.partition.verification.enable=false}): transactions v2 producers depend on the
     * adds, so they are made anyway, as Kafka does.
     */
    static TransactionVerifier addingOnly(TransactionVerifier verifier) {
        return new TransactionVerifier() {
            @Override
            public CompletableFuture<Errors> verify(String transactionalId, long producerId, short producerEpoch,
                                                    TopicPartition partition) {
                return CompletableFuture.completedFuture(Errors.NONE);
            }

            @Override
            public CompletableFuture<Errors> add(String transactionalId, long producerId, short producerEpoch,
                                                 TopicPartition partition) {
                return verifier.add(transactionalId, producerId, producerEpoch, partition);
            }
        };
    }
}
