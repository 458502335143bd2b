package io.strand.coordinator.txn;

/**
 * The cluster's finalized {@code transaction.version} feature level now (0 while it is not
 * finalized), as the broker's metadata image has it. It decides the {@code __transaction_state}
 * value version written ({@link TransactionVersions#logValueVersion}) and whether aborts the
 * coordinator starts itself (fencing, time-outs) bump the epoch as transactions v2 do. Called on
 * shard threads: thread-safe and cheap.
 */
@FunctionalInterface
public interface FinalizedTransactionVersion {
    short level();
}
