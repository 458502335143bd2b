package io.strand.storage.cleaner;

import io.strand.storage.log.LogConfig;
import io.strand.storage.log.LogSegment;
import io.strand.storage.log.PartitionLog;
import java.io.IOException;
import java.util.Map;
import java.util.NavigableMap;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Where a compacted log's clean and dirty sections lie, Kafka's rules. Computed without the log's lock
 * from its segment map (segments below the active one do not change but may be removed).
 *
 * <ul>
 *   <li>{@code firstDirtyOffset}: the cleaner checkpoint, or the log start if the checkpoint is missing or
 *       outside [log start, log end]. Everything below it was cleaned before (the clean section).</li>
 *   <li>{@code firstUncleanableOffset}: the base offset of the first segment, from the one holding the
 *       first dirty offset on, that may not be cleaned: the active segment, one holding offsets at or
 *       above the last stable offset (the high watermark, or the first offset of a transaction not yet
 *       decided, or decided but not yet replicated), or one whose largest timestamp is less than
 *       {@code min.compaction.lag.ms} old.</li>
 *   <li>{@code dirtyRatio}: dirty bytes (segments in [firstDirty, firstUncleanable)) over those plus the
 *       clean bytes (segments in [log start, firstDirty)).</li>
 *   <li>{@code overdue}: the first dirty segment's first batch is more than {@code max.compaction.lag.ms}
 *       old, so the log is cleaned even below {@code min.cleanable.dirty.ratio}.</li>
 * </ul>
 */
record CleanableRange(long firstDirtyOffset, long firstUncleanableOffset, long cleanBytes, long dirtyBytes,
        boolean overdue) {

    double dirtyRatio() {
        long total = cleanBytes + dirtyBytes;
        return total == 0 ? 0.0 : (double) dirtyBytes / total;
    }

    /** Whether the cleaner should pick this log now. */
    boolean cleanable(LogConfig config) {
        return dirtyBytes > 0 && (overdue || dirtyRatio() > config.minCleanableDirtyRatio());
    }

    static CleanableRange of(PartitionLog log, long checkpointedOffset, long nowMs) throws IOException {
        LogConfig config = log.config();
        long logStart = log.logStartOffset();
        long logEnd = log.logEndOffset();
        long lastStableOffset = log.lastStableOffset();
        LogSegment active = log.activeSegment();
        NavigableMap<Long, LogSegment> segments = log.segmentMap();
        long firstDirty = checkpointedOffset < logStart || checkpointedOffset > logEnd ? logStart : checkpointedOffset;
        long cleanBytes = 0;
        long dirtyBytes = 0;
        long firstUncleanable = -1L;
        boolean overdue = false;
        boolean firstDirtySegment = true;
        for (Map.Entry<Long, LogSegment> e : segments.entrySet()) {
            LogSegment segment = e.getValue();
            Long nextBase = segments.higherKey(e.getKey());
            long upper = nextBase == null ? logEnd : nextBase;
            if (upper <= logStart) {
                continue;
            }
            if (upper <= firstDirty) {
                cleanBytes += segment.sizeInBytes();
                continue;
            }
            boolean oldEnough = config.minCompactionLagMs() == 0 || segment.sizeInBytes() == 0
                    || nowMs - segment.largestTimestampMs() >= config.minCompactionLagMs();
            boolean cleanable = segment != active && nextBase != null && upper <= lastStableOffset && oldEnough;
            if (!cleanable) {
                firstUncleanable = segment.baseOffset();
                break;
            }
            dirtyBytes += segment.sizeInBytes();
            if (firstDirtySegment) {
                firstDirtySegment = false;
                long firstBatchMs = firstBatchTimestampMs(segment);
                overdue = firstBatchMs != RecordBatch.NO_TIMESTAMP
                        && nowMs - firstBatchMs > config.maxCompactionLagMs();
            }
        }
        if (firstUncleanable < 0) {
            firstUncleanable = active.baseOffset();
        }
        return new CleanableRange(firstDirty, Math.max(firstUncleanable, firstDirty), cleanBytes, dirtyBytes, overdue);
    }

    private static long firstBatchTimestampMs(LogSegment segment) {
        for (FileChannelRecordBatch batch : segment.fileRecords().batches()) {
            return batch.maxTimestamp();
        }
        return RecordBatch.NO_TIMESTAMP;
    }
}
