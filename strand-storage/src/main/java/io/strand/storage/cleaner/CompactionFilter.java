package io.strand.storage.cleaner;

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
 * {@code filterTo}, KIP-534); a later cleaning past that time drops it. Control batches are kept
 * whole. A producer's latest batch is kept even when all its records go (as an empty batch with its
 * header), so its sequence numbers survive a restart that replays the log.
 *
 * <p><b>Threads.</b> Not thread-safe: one per cleaning, on the cleaner thread.
 */
final class CompactionFilter extends MemoryRecords.RecordFilter {

    private final OffsetMap map;
    private final Map<Long, Long> lastBatchOffsetOfProducer;
    private long earliestDeleteHorizonMs = Long.MAX_VALUE;

    CompactionFilter(long nowMs, long deleteRetentionMs, OffsetMap map, Map<Long, Long> lastBatchOffsetOfProducer) {
        super(nowMs, deleteRetentionMs);
        this.map = map;
        this.lastBatchOffsetOfProducer = lastBatchOffsetOfProducer;
    }

    /** The earliest time a kept tombstone may go (a batch's horizon, or now + retention for a new one). */
    long earliestDeleteHorizonMs() {
        return earliestDeleteHorizonMs;
    }

    @Override
    protected BatchRetentionResult checkBatchRetention(RecordBatch batch) {
        boolean producersLast = batch.hasProducerId()
                && Long.valueOf(batch.lastOffset()).equals(lastBatchOffsetOfProducer.get(batch.producerId()));
        return new BatchRetentionResult(producersLast ? BatchRetention.RETAIN_EMPTY : BatchRetention.DELETE_EMPTY,
                false);
    }

    @Override
    protected boolean shouldRetainRecord(RecordBatch batch, Record record) {
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
