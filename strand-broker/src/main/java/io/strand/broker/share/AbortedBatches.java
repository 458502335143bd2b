package io.strand.broker.share;

import io.strand.storage.index.AbortedTxn;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.LongPredicate;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * The offsets of a read that a read_committed share group must never be delivered: the data batches of
 * aborted transactions. A ShareFetch response has no aborted-transactions list for the client to filter
 * with (as Fetch has), so the share-partition archives these records instead of acquiring them, as Kafka
 * does.
 *
 * <p>A transactional data batch is aborted when its producer has an aborted transaction (from the log's
 * transaction index) that began at or before the batch and whose ABORT marker comes after it: walking the
 * batches in offset order, a producer joins the aborted set when the walk reaches its aborted transaction's
 * first offset and leaves it at its ABORT marker. Control batches themselves are left to the client, which
 * acknowledges their offsets as gaps.
 *
 * <p>Immutable once built; a sorted list of offset ranges.
 */
final class AbortedBatches implements LongPredicate {

    static final AbortedBatches NONE = new AbortedBatches(List.of());

    private final List<long[]> ranges;

    private AbortedBatches(List<long[]> ranges) {
        this.ranges = ranges;
    }

    /**
     * The aborted data batches among {@code batches} (in offset order) up to the one holding {@code lastOffset}.
     *
     * @param aborted the aborted transactions overlapping the read (any order)
     */
    static AbortedBatches in(Iterable<? extends RecordBatch> batches, long lastOffset, List<AbortedTxn> aborted) {
        if (aborted.isEmpty()) {
            return NONE;
        }
        PriorityQueue<AbortedTxn> byFirstOffset = new PriorityQueue<>(Comparator.comparingLong(AbortedTxn::firstOffset));
        byFirstOffset.addAll(aborted);
        Set<Long> abortedProducers = new HashSet<>();
        List<long[]> ranges = new ArrayList<>();
        for (RecordBatch batch : batches) {
            if (batch.baseOffset() > lastOffset) {
                break;
            }
            if (!batch.hasProducerId()) {
                continue;
            }
            while (!byFirstOffset.isEmpty() && byFirstOffset.peek().firstOffset() <= batch.lastOffset()) {
                abortedProducers.add(byFirstOffset.poll().producerId());
            }
            if (isAbortMarker(batch)) {
                abortedProducers.remove(batch.producerId());
            } else if (!batch.isControlBatch() && batch.isTransactional()
                    && abortedProducers.contains(batch.producerId())) {
                ranges.add(new long[] {batch.baseOffset(), batch.lastOffset()});
            }
        }
        return ranges.isEmpty() ? NONE : new AbortedBatches(List.copyOf(ranges));
    }

    private static boolean isAbortMarker(RecordBatch batch) {
        if (!batch.isControlBatch()) {
            return false;
        }
        Iterator<Record> records = batch.iterator();
        return records.hasNext() && ControlRecordType.parse(records.next().key()) == ControlRecordType.ABORT;
    }

    /** Whether {@code offset} lies in an aborted data batch. */
    @Override
    public boolean test(long offset) {
        int low = 0;
        int high = ranges.size() - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            long[] range = ranges.get(mid);
            if (offset < range[0]) {
                high = mid - 1;
            } else if (offset > range[1]) {
                low = mid + 1;
            } else {
                return true;
            }
        }
        return false;
    }

    boolean isEmpty() {
        return ranges.isEmpty();
    }
}
