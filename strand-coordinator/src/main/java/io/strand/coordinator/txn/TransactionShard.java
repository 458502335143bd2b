package io.strand.coordinator.txn;

import io.strand.coordinator.runtime.CoordinatorResult;
import io.strand.coordinator.runtime.CoordinatorShard;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transaction coordinator for the transactional ids of one {@code __transaction_state}
 * partition, at one leader epoch of it (the coordinator epoch): a {@link CoordinatorShard} run by the
 * {@link io.strand.coordinator.runtime.CoordinatorRuntime}.
 *
 * <p>Compute, then apply: the operations ({@link InitProducerIdOp}, {@link AddPartitionsOp},
 * {@link EndTxnOp}, the marker completions of {@link MarkerTracker}, the clean-ups of
 * {@link TransactionExpiry}) read the {@link TransactionStore} and return records plus a response;
 * {@link #replay} of a record is the only way a transactional id's metadata changes, live and when
 * the partition is loaded. A record replaces the id's metadata whole; a tombstone removes it.
 *
 * <p>Not durable, rebuilt on load: the markers in flight. A shard loaded with transactions in
 * PrepareCommit or PrepareAbort sends their markers again ({@link #onLoaded}); a shard unloaded
 * stops waiting for its markers ({@link #onUnloaded}).
 *
 * <p>What survives a crash: every committed record. Lost, as in Kafka: the previous producer epoch
 * ({@link TransactionMetadata#lastProducerEpoch}), so a client retrying InitProducerId across a
 * failover is fenced instead of answered again.
 *
 * <p>Not thread-safe: every method runs on the shard's one thread. Time comes from the context's
 * clock; the clean-ups run only in {@link #onTick}.
 */
final class TransactionShard implements CoordinatorShard<TransactionRecord> {

    private static final Logger LOG = LoggerFactory.getLogger(TransactionShard.class);

    private final TxnShardContext context;
    private final TransactionStore store = new TransactionStore();
    private final MarkerTracker markerTracker;
    private final EndTxnOp endTxnOp;
    private final InitProducerIdOp initProducerIdOp;
    private final AddPartitionsOp addPartitionsOp;
    private final TransactionExpiry expiry;
    private final TransactionAdminOps adminOps;

    TransactionShard(TxnShardContext context) {
        this.context = context;
        this.markerTracker = new MarkerTracker(context, store);
        this.endTxnOp = new EndTxnOp(context, store, markerTracker);
        this.initProducerIdOp = new InitProducerIdOp(context, store, endTxnOp);
        this.addPartitionsOp = new AddPartitionsOp(context, store);
        this.expiry = new TransactionExpiry(context, store, endTxnOp);
        this.adminOps = new TransactionAdminOps(context, store);
    }

    InitProducerIdOp initProducerIdOp() {
        return initProducerIdOp;
    }

    AddPartitionsOp addPartitionsOp() {
        return addPartitionsOp;
    }

    EndTxnOp endTxnOp() {
        return endTxnOp;
    }

    MarkerTracker markerTracker() {
        return markerTracker;
    }

    TransactionAdminOps adminOps() {
        return adminOps;
    }

    /** The metadata of {@code transactionalId}, or null. */
    TransactionMetadata transaction(String transactionalId) {
        return store.get(transactionalId);
    }

    @Override
    public void replay(long offset, TransactionRecord record) {
        store.apply(record);
    }

    /** Starts the clean-up intervals and sends the markers of every transaction found half-completed. */
    @Override
    public void onLoaded(long nowMs) {
        expiry.start(nowMs);
        int resumed = 0;
        for (Map.Entry<String, TransactionMetadata> e : new ArrayList<>(store.entries())) {
            if (e.getValue().state().isPrepare()) {
                markerTracker.start(e.getKey(), e.getValue());
                resumed++;
            }
        }
        if (resumed > 0) {
            LOG.info("Resuming the markers of {} transactions in __transaction_state-{} at coordinator epoch {}",
                    resumed, context.partition(), context.coordinatorEpoch());
        }
    }

    /**
     * The clean-ups due now: aborts of timed-out transactions (whose markers start once the abort is
     * committed) and tombstones of expired ids. The two never touch the same id.
     */
    @Override
    public CoordinatorResult<Void, TransactionRecord> onTick(long nowMs) {
        List<TransactionRecord> aborts = expiry.maybeAbortTimedOut(nowMs);
        List<TransactionRecord> tombstones = expiry.maybeExpire(nowMs);
        if (aborts.isEmpty() && tombstones.isEmpty()) {
            return CoordinatorResult.empty();
        }
        List<TransactionRecord> records = new ArrayList<>(aborts);
        records.addAll(tombstones);
        CompletableFuture<Void> committed = null;
        if (!aborts.isEmpty()) {
            committed = new CompletableFuture<>();
            committed.thenRun(() -> aborts.forEach(r -> markerTracker.start(r.transactionalId(), r.metadata())));
        }
        return new CoordinatorResult<>(records, null, true, committed);
    }

    /** Drops everything: this broker no longer coordinates the partition (or reloads it). */
    @Override
    public void onUnloaded() {
        markerTracker.cancelAll();
        store.clear();
    }

    /** Every transactional id's metadata, sorted by id: what a replay of the log must rebuild exactly. */
    Map<String, TransactionMetadata> snapshot() {
        Map<String, TransactionMetadata> snapshot = new TreeMap<>();
        store.entries().forEach(e -> snapshot.put(e.getKey(), e.getValue()));
        return snapshot;
    }
}
