package io.strand.coordinator.txn;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's own clean-ups, run from the shard's tick:
 * <ul>
 *   <li>every {@code transaction.abort.timed.out.transaction.cleanup.interval.ms}, each Ongoing
 *       transaction whose start is more than its time-out ago is aborted, fencing its producer as
 *       InitProducerId from a new producer would ({@link EndTxnOp#fenceAndAbort}), so a producer
 *       that comes back finds its epoch fenced;</li>
 *   <li>every {@code transaction.remove.expired.transaction.cleanup.interval.ms}, each transactional
 *       id in Empty, CompleteCommit or CompleteAbort not updated for
 *       {@code transactional.id.expiration.ms} is removed with a tombstone (at most
 *       {@value #MAX_TOMBSTONES_PER_BATCH} per batch; the rest on the next tick).</li>
 * </ul>
 *
 * <p>Not thread-safe: runs on the shard's thread.
 */
final class TransactionExpiry {

    private static final Logger LOG = LoggerFactory.getLogger(TransactionExpiry.class);
    static final int MAX_TOMBSTONES_PER_BATCH = 1000;

    private final TxnShardContext context;
    private final TransactionStore store;
    private final EndTxnOp endTxn;
    private long nextAbortCheckMs = Long.MAX_VALUE;
    private long nextExpiryCheckMs = Long.MAX_VALUE;

    TransactionExpiry(TxnShardContext context, TransactionStore store, EndTxnOp endTxn) {
        this.context = context;
        this.store = store;
        this.endTxn = endTxn;
    }

    /** The shard serves from now: both checks start one interval later. */
    void start(long nowMs) {
        nextAbortCheckMs = nowMs + context.config().abortTimedOutIntervalMs();
        nextExpiryCheckMs = nowMs + context.config().removeExpiredIntervalMs();
    }

    /** The PrepareAbort records of the transactions past their time-out, if the check is due. */
    List<TransactionRecord> maybeAbortTimedOut(long nowMs) {
        if (nowMs < nextAbortCheckMs) {
            return List.of();
        }
        nextAbortCheckMs = nowMs + context.config().abortTimedOutIntervalMs();
        List<TransactionRecord> aborts = new ArrayList<>();
        for (Map.Entry<String, TransactionMetadata> e : store.entries()) {
            TransactionMetadata txn = e.getValue();
            if (txn.state() != TransactionState.ONGOING
                    || txn.startTimestampMs() + txn.transactionTimeoutMs() >= nowMs) {
                continue;
            }
            try {
                TransactionMetadata aborting = endTxn.fenceAndAbort(e.getKey(), txn, nowMs);
                LOG.info("Aborting the transaction of transactionalId {} (producer {} epoch {}): open for more than its "
                        + "time-out of {} ms", e.getKey(), txn.producerId(), txn.producerEpoch(),
                        txn.transactionTimeoutMs());
                aborts.add(new TransactionRecord(e.getKey(), aborting));
            } catch (RuntimeException ex) {
                LOG.warn("Cannot abort the timed-out transaction of transactionalId {} now: {}", e.getKey(),
                        ex.toString());
            }
        }
        return aborts;
    }

    /** Tombstones of the transactional ids idle past {@code transactional.id.expiration.ms}, if the check is due. */
    List<TransactionRecord> maybeExpire(long nowMs) {
        if (nowMs < nextExpiryCheckMs) {
            return List.of();
        }
        nextExpiryCheckMs = nowMs + context.config().removeExpiredIntervalMs();
        long cutoffMs = nowMs - context.config().transactionalIdExpirationMs();
        List<TransactionRecord> tombstones = new ArrayList<>();
        for (Map.Entry<String, TransactionMetadata> e : store.entries()) {
            TransactionMetadata txn = e.getValue();
            if (!txn.state().isExpirationAllowed() || txn.lastUpdateTimestampMs() > cutoffMs) {
                continue;
            }
            if (tombstones.size() == MAX_TOMBSTONES_PER_BATCH) {
                nextExpiryCheckMs = nowMs;
                break;
            }
            txn.checkExpirable(e.getKey());
            tombstones.add(TransactionRecord.tombstone(e.getKey()));
        }
        if (!tombstones.isEmpty()) {
            LOG.info("Removing {} transactional ids of __transaction_state-{} idle for more than {} ms",
                    tombstones.size(), context.partition(), context.config().transactionalIdExpirationMs());
        }
        return tombstones;
    }
}
