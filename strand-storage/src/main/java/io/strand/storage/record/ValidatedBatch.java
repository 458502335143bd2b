package io.strand.storage.record;

import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;

/**
 * A produce request's single batch after {@link BatchValidator}: the records to write (the request's
 * own buffer, or a re-compressed copy), the batch inside them whose header the writer stamps with
 * offsets, the number of records and the largest record timestamp.
 */
public record ValidatedBatch(MemoryRecords records, MutableRecordBatch batch, int recordCount, long maxTimestampMs) {
}
