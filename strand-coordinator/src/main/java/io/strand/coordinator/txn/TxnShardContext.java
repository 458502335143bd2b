package io.strand.coordinator.txn;

import io.strand.coordinator.runtime.CoordinatorResult;
import java.util.function.Function;
import org.apache.kafka.common.utils.Time;

/**
 * What every part of one {@link TransactionShard} shares besides the transactions themselves: the
 * {@code __transaction_state} partition and the leader epoch it was loaded for (the coordinator
 * epoch its markers carry), the configuration, the clock, and the broker's services.
 *
 * <p>Not thread-safe: used on the shard's thread only (the services it names are thread-safe).
 *
 * @param scheduler runs follow-up work (a marker's outcome) as an operation of the partition's current shard
 */
record TxnShardContext(int partition, int coordinatorEpoch, TransactionCoordinatorConfig config, Time time,
                       ProducerIdSource producerIds, FinalizedTransactionVersion transactionVersion,
                       TransactionMarkerChannel markerChannel, ShardScheduler scheduler) {

    long nowMs() {
        return time.milliseconds();
    }

    /**
     * Queues work for the shard of a partition, to run on its thread like any operation: its records
     * are written and its state read as of its turn. If the partition is not (or no longer) loaded the
     * work is dropped, which is what follow-up work of an unloaded shard wants.
     */
    @FunctionalInterface
    interface ShardScheduler {
        void schedule(int partition, String opName,
                      Function<TransactionShard, CoordinatorResult<Void, TransactionRecord>> op);
    }
}
