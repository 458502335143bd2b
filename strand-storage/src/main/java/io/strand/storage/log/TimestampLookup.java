package io.strand.storage.log;

import java.util.Collection;
import java.util.Optional;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;

/**
 * ListOffsets by timestamp over a log's segments, lock-free: each segment's largest timestamp picks
 * the segment, its time index the starting batch, and a scan of the records the answer. Stateless.
 */
final class TimestampLookup {

    private TimestampLookup() {
    }

    /** The first record in [{@code minOffset}, {@code endOffset}) whose timestamp is {@code >= targetMs}. */
    static Optional<TimestampAndOffset> firstAtOrAfter(Collection<LogSegment> segments, long targetMs,
            long minOffset, long endOffset) {
        for (LogSegment segment : segments) {
            if (segment.maxTimestamp().timestampMs() >= targetMs) {
                FileRecords.TimestampAndOffset found = segment.findOffsetByTimestamp(targetMs, minOffset);
                if (found != null && found.offset < endOffset) {
                    return Optional.of(new TimestampAndOffset(found.timestamp, found.offset,
                            found.leaderEpoch.orElse(-1)));
                }
            }
        }
        return Optional.empty();
    }

    /** The first record holding the largest timestamp of all segments. */
    static Optional<TimestampAndOffset> max(Collection<LogSegment> segments) {
        LogSegment best = null;
        for (LogSegment segment : segments) {
            long ts = segment.maxTimestamp().timestampMs();
            if (ts >= 0 && (best == null || ts > best.maxTimestamp().timestampMs())) {
                best = segment;
            }
        }
        if (best == null) {
            return Optional.empty();
        }
        LogSegment.MaxTimestamp max = best.maxTimestamp();
        int position = best.offsetIndex().lookupPosition(max.offset());
        for (FileChannelRecordBatch batch : best.fileRecords().batchesFrom(position)) {
            if (batch.maxTimestamp() == max.timestampMs()) {
                long offset = batch.offsetOfMaxTimestamp().orElse(batch.baseOffset());
                return Optional.of(new TimestampAndOffset(max.timestampMs(), offset, batch.partitionLeaderEpoch()));
            }
        }
        return Optional.empty();
    }
}
