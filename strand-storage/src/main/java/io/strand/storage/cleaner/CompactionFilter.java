package io.strand.storage.cleaner;

import io.strand.storage.producer.LastRecord;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Decides, record by record, what a cleaning keeps; applied by kafka-clients'
 * {@link MemoryRecords#filterTo}, which rewrites each batch that loses records (decompressing and
 * recompressing with the batch's own codec, keeping its base offset, last offset, producer id, epoch
 * and base sequence) and copies untouched batches as they are.
 *
 * <p>A record is kept iff its offset is at or above the latest offset the {@link OffsetMap} holds for its
 * key (so records newer than the map covers are always kept), and, if it is a tombstone (null value),
 * its batch has no delete horizon yet or the horizon is still in the future. The first cleaning that
 * keeps a tombstone stamps its batch with {@code deleteHorizonMs = now + delete.retention.ms} (done by
 * {@code filterTo}, KIP-534); a later cleaning past that time drops it.
 *
 * <p><b>Transactions</b> (Kafka's rules, tracked by {@link CleanedTransactions} as the walk goes): the
 * records of an aborted transaction's batches are dropped. A commit or abort marker is kept whole while
 * data of its transaction is left; once none is, its batch is stamped with a delete horizon the same way
 * and dropped by a cleaning past it.
 *
 * <p>A producer's latest record is kept even when all its records go (as an empty batch with its
 * header), so its sequence numbers survive a restart that replays the log: its last data batch, or, if
 * a marker bumped its epoch after its data, its marker of that epoch.
 *
 * <p><b>Threads.</b> Not thread-safe: one per cleaned group, on the cleaner thread.
 */
final class CompactionFilter extends MemoryRecords.RecordFilter {

    private final OffsetMap map;
    private final Map<Long, LastRecord> lastRecordOfProducer;
    private final CleanedTransactions transactions;
    private long earliestDeleteHorizonMs = Long.MAX_VALUE;
    /** Whether the batch {@link #checkBatchRetention} just looked at loses all its records. */
    private boolean discardBatchRecords;

    CompactionFilter(long nowMs, long deleteRetentionMs, OffsetMap map, Map<Long, LastRecord> lastRecordOfProducer,
            CleanedTransactions transactions) {
        super(nowMs, deleteRetentionMs);
        this.map = map;
        this.lastRecordOfProducer = lastRecordOfProducer;
        this.transactions = transactions;
    }

    /** The earliest time a kept tombstone or discardable marker may go (a batch's horizon, or now + retention). */
    long earliestDeleteHorizonMs() {
        return earliestDeleteHorizonMs;
    }

    @Override
    protected BatchRetentionResult checkBatchRetention(RecordBatch batch) {
        boolean discardable = batch.isControlBatch() ? transactions.onControlBatchRead(batch)
                : transactions.onBatchRead(batch);
        if (batch.isControlBatch()) {
            OptionalLong horizonMs = batch.deleteHorizonMs();
            discardBatchRecords = discardable && horizonMs.isPresent() && horizonMs.getAsLong() <= currentTime;
            if (discardable && !discardBatchRecords) {
                earliestDeleteHorizonMs = Math.min(earliestDeleteHorizonMs,
                        horizonMs.isPresent() ? horizonMs.getAsLong() : currentTime + deleteRetentionMs);
            }
        } else {
            discardBatchRecords = discardable;
        }
        BatchRetention retention;
        if (batch.hasProducerId() && isLastRecordOfProducer(batch)) {
            retention = BatchRetention.RETAIN_EMPTY;
        } else if (discardBatchRecords) {
            retention = BatchRetention.DELETE;
        } else {
            retention = BatchRetention.DELETE_EMPTY;
        }
        return new BatchRetentionResult(retention, discardable && batch.isControlBatch());
    }

    private boolean isLastRecordOfProducer(RecordBatch batch) {
        LastRecord last = lastRecordOfProducer.get(batch.producerId());
        if (last == null) {
            return false;
        }
        return last.lastDataOffset() >= 0 ? batch.lastOffset() == last.lastDataOffset()
                : batch.isControlBatch() && batch.producerEpoch() == last.producerEpoch();
    }

    @Override
    protected boolean shouldRetainRecord(RecordBatch batch, Record record) {
        if (discardBatchRecords) {
            return false;
        }
        if (batch.isControlBatch() || !record.hasKey()) {
            return true;
        }
        if (record.offset() < map.get(record.key())) {
            return false;
        }
        if (record.hasValue()) {
            return true;
        }
        OptionalLong horizonMs = batch.deleteHorizonMs();
        long keptUntilMs = horizonMs.isPresent() ? horizonMs.getAsLong() : currentTime + deleteRetentionMs;
        if (horizonMs.isPresent() && horizonMs.getAsLong() <= currentTime) {
            return false;
        }
        earliestDeleteHorizonMs = Math.min(earliestDeleteHorizonMs, keptUntilMs);
        return true;
    }
}
