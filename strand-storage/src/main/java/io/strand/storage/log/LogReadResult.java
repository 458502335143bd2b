package io.strand.storage.log;

import org.apache.kafka.common.record.internal.Records;

/**
 * The answer to one {@link PartitionLog#read}: {@code records} is a slice of a segment file
 * ({@link org.apache.kafka.common.record.internal.FileRecords}, ready for a zero-copy send) or
 * {@link org.apache.kafka.common.record.internal.MemoryRecords#EMPTY}, plus the log's offsets as they
 * were when the read started.
 */
public record LogReadResult(Records records, long logStartOffset, long logEndOffset, long highWatermark) {
}
