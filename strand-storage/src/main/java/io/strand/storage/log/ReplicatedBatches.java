package io.strand.storage.log;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * The batches of a follower's fetch answer, checked before they enter the log. A leader already
 * validated each batch's records and stamped its offsets and leader epoch; what can still go wrong is
 * the transfer and the leader's disk, so each batch is checked as recovery checks one read back from a
 * segment: v2 magic, CRC and framing, {@code baseOffset <= lastOffset}, and offsets strictly increasing
 * from batch to batch (gaps are allowed: compaction leaves them). A fetch answer may end with a partial
 * batch cut by the fetch's byte limit; it is dropped, as Kafka's follower drops it. Record counts and
 * sizes are not checked: a compacted batch may hold fewer records than its offset range, and a leader
 * may hold batches above the follower's {@code max.message.bytes}. Stateless; runs on the caller's thread.
 *
 * @param records the bytes of the complete batches (the given records without a partial batch at the end)
 * @param batches the complete batches, in order; empty if the records hold none
 * @param recordCount the sum of the batches' header record counts
 * @param maxTimestampMs the largest of the batches' max timestamps
 */
record ReplicatedBatches(MemoryRecords records, List<MutableRecordBatch> batches, int recordCount,
        long maxTimestampMs) {

    static ReplicatedBatches check(TopicPartition tp, MemoryRecords records) {
        List<MutableRecordBatch> batches = new ArrayList<>();
        int recordCount = 0;
        int validBytes = 0;
        long maxTimestampMs = RecordBatch.NO_TIMESTAMP;
        long nextOffset = Long.MIN_VALUE;
        for (MutableRecordBatch batch : records.batches()) {
            if (batch.magic() != RecordBatch.MAGIC_VALUE_V2) {
                throw new CorruptRecordException("Replicated batch has magic=" + batch.magic() + ", only v2 is stored:"
                        + " partition=" + tp + " baseOffset=" + batch.baseOffset());
            }
            batch.ensureValid();
            if (batch.lastOffset() < batch.baseOffset() || batch.baseOffset() < nextOffset) {
                throw new CorruptRecordException("Replicated batch offsets out of order: partition=" + tp
                        + " baseOffset=" + batch.baseOffset() + " lastOffset=" + batch.lastOffset()
                        + " expectedAtLeast=" + nextOffset);
            }
            Integer count = batch.countOrNull();
            recordCount += count == null ? 0 : count;
            nextOffset = batch.nextOffset();
            validBytes += batch.sizeInBytes();
            maxTimestampMs = Math.max(maxTimestampMs, batch.maxTimestamp());
            batches.add(batch);
        }
        ByteBuffer buffer = records.buffer();
        ByteBuffer complete = buffer.duplicate().limit(buffer.position() + validBytes).slice();
        return new ReplicatedBatches(MemoryRecords.readableRecords(complete), List.copyOf(batches), recordCount,
                maxTimestampMs);
    }

    long firstOffset() {
        return batches.get(0).baseOffset();
    }

    long lastOffset() {
        return batches.get(batches.size() - 1).lastOffset();
    }
}
