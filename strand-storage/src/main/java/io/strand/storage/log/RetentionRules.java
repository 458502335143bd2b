package io.strand.storage.log;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NavigableMap;
import java.util.function.LongSupplier;

/**
 * Which segments retention may delete, Kafka's rules. Stateless; called by the partition's writer
 * with the segment map it owns.
 *
 * <p>Segments go oldest first and only as a contiguous prefix: the walk stops at the first segment the
 * rule keeps, at the first one holding data at or above the high watermark, and at an empty active
 * segment. The rules:
 * <ul>
 *   <li>{@link #olderThan}: the segment's largest record timestamp (else its file's mtime) is more than
 *       {@code retention.ms} old;</li>
 *   <li>{@link #beyondSize}: deleting it still leaves at least {@code retention.bytes};</li>
 *   <li>{@link #belowLogStart}: the next segment starts at or below the log start offset.</li>
 * </ul>
 */
final class RetentionRules {

    /** Whether {@code segment} (followed by {@code next}, null for the active one) may go. */
    @FunctionalInterface
    interface SegmentRule {
        boolean test(LogSegment segment, LogSegment next) throws IOException;
    }

    private RetentionRules() {
    }

    static SegmentRule olderThan(long retentionMs, long nowMs) {
        return (s, next) -> nowMs - s.largestTimestampMs() > retentionMs;
    }

    /** Stateful: use for one walk only. */
    static SegmentRule beyondSize(long logSizeInBytes, long retentionBytes) {
        long[] excess = {logSizeInBytes - retentionBytes};
        return (s, next) -> {
            if (excess[0] - s.sizeInBytes() >= 0) {
                excess[0] -= s.sizeInBytes();
                return true;
            }
            return false;
        };
    }

    static SegmentRule belowLogStart(LongSupplier logStartOffset) {
        return (s, next) -> next != null && next.baseOffset() <= logStartOffset.getAsLong();
    }

    /** The oldest segments {@code rule} lets go, never one holding offsets at or above {@code highWatermark}. */
    static List<LogSegment> deletablePrefix(NavigableMap<Long, LogSegment> segments, long logEndOffset,
            long highWatermark, SegmentRule rule) throws IOException {
        List<LogSegment> deletable = new ArrayList<>();
        Iterator<LogSegment> it = segments.values().iterator();
        LogSegment segment = it.hasNext() ? it.next() : null;
        while (segment != null) {
            LogSegment next = it.hasNext() ? it.next() : null;
            long upperOffset = next != null ? next.baseOffset() : logEndOffset;
            boolean lastAndEmpty = next == null && segment.sizeInBytes() == 0;
            if (highWatermark < upperOffset || lastAndEmpty || !rule.test(segment, next)) {
                break;
            }
            deletable.add(segment);
            segment = next;
        }
        return deletable;
    }
}
