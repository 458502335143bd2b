package io.strand.broker.txn;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * Checks, before a transactional batch is appended, that its partition is in its producer's ongoing
 * transaction (KIP-890 part 1: the partition leader asks the transaction coordinator), so that a batch
 * of a transaction that has ended or was never told of the partition is refused. Thread-safe; never
 * blocks the caller.
 */
@FunctionalInterface
public interface TransactionVerifier {

    /** Verifies nothing: every transactional batch may be appended. */
    TransactionVerifier NONE = (transactionalId, producerId, producerEpoch, partition) ->
            CompletableFuture.completedFuture(Errors.NONE);

    /**
     * Completes with {@link Errors#NONE} if the batch may be appended, else with the error to answer for
     * the partition (as Kafka answers it: INVALID_TXN_STATE, INVALID_PRODUCER_EPOCH, NOT_COORDINATOR …).
     * Never completes exceptionally.
     */
    CompletableFuture<Errors> verify(String transactionalId, long producerId, short producerEpoch,
                                     TopicPartition partition);
}
