package io.strand.storage.cleaner;

import io.strand.storage.index.AbortedTxn;
import io.strand.storage.index.TransactionIndex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * What a cleaning knows of transactions as it walks a log in offset order (Kafka's
 * {@code CleanedTransactionMetadata}): the aborted transactions of the range it reads (from the
 * transaction indexes, {@link #addAborted}), which of them and which committed ones are open at the
 * current position, and so:
 * <ul>
 *   <li>{@link #onBatchRead}: a data batch of an aborted transaction may be discarded (its keys never
 *       enter the offset map, and its records are dropped);</li>
 *   <li>{@link #onControlBatchRead}: a marker may be discarded once no batch of its transaction is left
 *       in the log: an abort marker whose transaction had no data batch in this walk (the data went in an
 *       earlier cleaning), a commit marker likewise; a marker whose data is still there is kept, and a kept
 *       abort marker's entry is written to the cleaned segment's transaction index. The caller drops a
 *       discardable marker only once its batch's delete horizon ({@code delete.retention.ms} after it
 *       first became discardable) has passed, so a consumer that read the data still sees the marker.</li>
 * </ul>
 * Not thread-safe: one per pass over a range, on the cleaner thread.
 */
final class CleanedTransactions {

    /** An aborted transaction the walk is inside of, and whether a batch of it was read. */
    private static final class OpenAbort {
        final AbortedTxn txn;
        boolean batchSeen;

        OpenAbort(AbortedTxn txn) {
            this.txn = txn;
        }
    }

    private final PriorityQueue<AbortedTxn> pending = new PriorityQueue<>(Comparator.comparingLong(AbortedTxn::firstOffset));
    private final Map<Long, OpenAbort> openAborts = new HashMap<>();
    private final Set<Long> openCommits = new HashSet<>();
    private final TransactionIndex cleanedIndex;

    /** {@code cleanedIndex}: where kept abort markers' entries go, or null (building the offset map). */
    CleanedTransactions(TransactionIndex cleanedIndex) {
        this.cleanedIndex = cleanedIndex;
    }

    /** Adds aborted transactions of the next stretch to walk (duplicates of ones already added are ignored). */
    void addAborted(List<AbortedTxn> aborted) {
        pending.addAll(aborted);
    }

    /** A data batch was read: true if it belongs to an aborted transaction (it may be discarded). */
    boolean onBatchRead(RecordBatch batch) {
        openUpTo(batch.lastOffset());
        if (!batch.isTransactional()) {
            return false;
        }
        OpenAbort abort = openAborts.get(batch.producerId());
        if (abort != null) {
            abort.batchSeen = true;
            return true;
        }
        openCommits.add(batch.producerId());
        return false;
    }

    /** A control batch was read: true if it may be discarded (its transaction has no data left). */
    boolean onControlBatchRead(RecordBatch batch) {
        openUpTo(batch.lastOffset());
        Iterator<Record> records = batch.iterator();
        if (!records.hasNext()) {
            return true;
        }
        Record record = records.next();
        ControlRecordType type = record.hasKey() ? ControlRecordType.parse(record.key()) : ControlRecordType.UNKNOWN;
        long producerId = batch.producerId();
        if (type == ControlRecordType.ABORT) {
            OpenAbort abort = openAborts.remove(producerId);
            if (abort != null && abort.batchSeen) {
                if (cleanedIndex != null) {
                    try {
                        cleanedIndex.append(abort.txn);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                return false;
            }
            return true;
        }
        if (type == ControlRecordType.COMMIT) {
            return !openCommits.remove(producerId);
        }
        return false;
    }

    /** The aborted transactions starting at or below {@code offset} are open from here on. */
    private void openUpTo(long offset) {
        while (!pending.isEmpty() && pending.peek().firstOffset() <= offset) {
            AbortedTxn txn = pending.poll();
            openAborts.putIfAbsent(txn.producerId(), new OpenAbort(txn));
        }
    }
}
