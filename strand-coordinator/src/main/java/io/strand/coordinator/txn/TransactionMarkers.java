package io.strand.coordinator.txn;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.requests.TransactionResult;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest.TxnMarkerEntry;

/**
 * The commit or abort markers one transaction needs, handed to the {@link TransactionMarkerChannel}
 * once its PrepareCommit or PrepareAbort record is committed in {@code __transaction_state} (or,
 * after a failover, once the shard that found it in that state is loaded). Immutable.
 *
 * @param transactionalId           the transaction's id (for logs; not sent)
 * @param transactionStatePartition the {@code __transaction_state} partition of the coordinator sending
 * @param producerId                the producer id the markers are written for
 * @param producerEpoch             the producer epoch they carry: the epoch of the Prepare record, which
 *                                  with transactions v2 is already the bumped one
 * @param coordinatorEpoch          the leader epoch of {@code transactionStatePartition}; partition
 *                                  leaders refuse markers of an older coordinator epoch
 * @param result                    commit or abort
 * @param transactionVersion        the client's {@code transaction.version} for this transaction
 *                                  (WriteTxnMarkers v2 carries it)
 * @param partitions                the data partitions (and {@code __consumer_offsets} partitions) to mark
 */
public record TransactionMarkers(String transactionalId, int transactionStatePartition, long producerId,
                                 short producerEpoch, int coordinatorEpoch, TransactionResult result,
                                 short transactionVersion, Set<TopicPartition> partitions) {

    public TransactionMarkers {
        Objects.requireNonNull(transactionalId, "transactionalId");
        Objects.requireNonNull(result, "result");
        partitions = Set.copyOf(partitions);
    }

    /**
     * The WriteTxnMarkers entry for {@code subset} of the partitions (those one broker leads), in a
     * stable order.
     */
    public TxnMarkerEntry toEntry(Set<TopicPartition> subset) {
        List<TopicPartition> sorted = new ArrayList<>(subset);
        sorted.sort(Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
        return new TxnMarkerEntry(producerId, producerEpoch, coordinatorEpoch, result, sorted, transactionVersion);
    }
}
