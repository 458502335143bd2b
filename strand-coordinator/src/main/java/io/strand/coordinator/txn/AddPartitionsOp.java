package io.strand.coordinator.txn;

import io.strand.coordinator.runtime.CoordinatorResult;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;

/**
 * AddPartitionsToTxn and AddOffsetsToTxn (which adds the {@code __consumer_offsets} partition of the
 * group), and the verification partition leaders ask for before a transactional produce
 * (AddPartitionsToTxn v4+ with {@code verifyOnly}, KIP-890 part 1).
 *
 * <p>Checks, in Kafka's order: the id is known (else INVALID_PRODUCER_ID_MAPPING), the producer id
 * is its current one (else INVALID_PRODUCER_ID_MAPPING), the epoch is current (else
 * PRODUCER_FENCED), no markers are being written (else CONCURRENT_TRANSACTIONS). Adding partitions
 * already in the ongoing transaction answers at once; otherwise the transaction becomes (or stays)
 * Ongoing with them, its start time set by the first.
 *
 * <p>One difference from Kafka, where its pending states do not exist here: while a v2 transaction
 * that rotates the producer id is still writing its markers, a request from the new producer id
 * gets CONCURRENT_TRANSACTIONS (retriable) rather than INVALID_PRODUCER_ID_MAPPING.
 *
 * <p>Not thread-safe: runs on the shard's thread.
 */
final class AddPartitionsOp {

    private final TxnShardContext context;
    private final TransactionStore store;

    AddPartitionsOp(TxnShardContext context, TransactionStore store) {
        this.context = context;
        this.store = store;
    }

    /**
     * Adds {@code partitions} to the transaction.
     *
     * @param clientTransactionVersion the level the request implies ({@link TransactionVersions#forAddPartitionsVersion};
     *                                 0 for AddOffsetsToTxn), recorded with the transaction
     */
    CoordinatorResult<Errors, TransactionRecord> add(String transactionalId, long producerId, short producerEpoch,
                                                     Set<TopicPartition> partitions, short clientTransactionVersion) {
        TransactionMetadata current = store.get(transactionalId);
        if (current == null) {
            return CoordinatorResult.response(Errors.INVALID_PRODUCER_ID_MAPPING);
        }
        if (current.producerId() != producerId) {
            boolean nextProducer = current.state().isPrepare() && current.nextProducerId() == producerId;
            return CoordinatorResult.response(nextProducer ? Errors.CONCURRENT_TRANSACTIONS
                    : Errors.INVALID_PRODUCER_ID_MAPPING);
        }
        if (current.producerEpoch() != producerEpoch) {
            return CoordinatorResult.response(Errors.PRODUCER_FENCED);
        }
        if (current.state().isPrepare()) {
            return CoordinatorResult.response(Errors.CONCURRENT_TRANSACTIONS);
        }
        if (current.state() == TransactionState.ONGOING && current.partitions().containsAll(partitions)) {
            return CoordinatorResult.response(Errors.NONE);
        }
        TransactionMetadata next = current.addPartitions(transactionalId, partitions, context.nowMs(),
                clientTransactionVersion);
        return CoordinatorResult.of(List.of(new TransactionRecord(transactionalId, next)), Errors.NONE);
    }

    /**
     * Whether each of {@code partitions} is in the ongoing transaction: NONE if so, TRANSACTION_ABORTABLE
     * if not (the producer must abort); or one error for all of them when the producer id, epoch or
     * state does not allow the answer. Reads only.
     */
    AddPartitionsToTxnResult verify(String transactionalId, long producerId, short producerEpoch,
                                    Set<TopicPartition> partitions) {
        TransactionMetadata current = store.get(transactionalId);
        Errors error = Errors.NONE;
        if (current == null || current.producerId() != producerId) {
            error = Errors.INVALID_PRODUCER_ID_MAPPING;
        } else if (current.producerEpoch() != producerEpoch) {
            error = Errors.PRODUCER_FENCED;
        } else if (current.state().isPrepare()) {
            error = Errors.CONCURRENT_TRANSACTIONS;
        }
        Map<TopicPartition, Errors> errors = new HashMap<>();
        for (TopicPartition partition : partitions) {
            errors.put(partition, error != Errors.NONE ? error
                    : current.partitions().contains(partition) ? Errors.NONE : Errors.TRANSACTION_ABORTABLE);
        }
        return AddPartitionsToTxnResponse.resultForTransaction(transactionalId, errors);
    }
}
