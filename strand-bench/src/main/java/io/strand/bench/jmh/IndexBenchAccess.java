package io.strand.bench.jmh;

import io.strand.storage.index.OffsetIndex;
import io.strand.storage.index.TimeIndex;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A benchmark's handle on one segment's {@link OffsetIndex} and {@link TimeIndex}, through their public
 * API in {@code io.strand.storage.index}, so {@link IndexLookupBenchmark} times the real lookups.
 * Benchmark code only.
 *
 * <p>{@link #createFull} builds both indexes filled to capacity the way a segment's writer would: the
 * offset index gets one entry every {@code offsetStep} offsets, {@code positionStep} bytes apart; the
 * time index one entry every {@code offsetStep} offsets, one millisecond apart. Single-threaded: the
 * benchmark thread both fills and reads. Nothing survives: {@link #closeAndDelete} removes the files.
 */
final class IndexBenchAccess implements AutoCloseable {

    private final OffsetIndex offsetIndex;
    private final TimeIndex timeIndex;
    private final long firstTimestampMs;

    private IndexBenchAccess(OffsetIndex offsetIndex, TimeIndex timeIndex, long firstTimestampMs) {
        this.offsetIndex = offsetIndex;
        this.timeIndex = timeIndex;
        this.firstTimestampMs = firstTimestampMs;
    }

    /**
     * Creates {@code <baseOffset>.index} and {@code <baseOffset>.timeindex} in {@code dir}, each
     * pre-allocated to {@code indexBytes} (as {@code segment.index.bytes}), and fills them.
     */
    static IndexBenchAccess createFull(Path dir, long baseOffset, int indexBytes, int offsetStep,
            int positionStep, long firstTimestampMs) throws IOException {
        OffsetIndex offsets = new OffsetIndex(dir.resolve(baseOffset + ".index"), baseOffset, indexBytes);
        TimeIndex times = new TimeIndex(dir.resolve(baseOffset + ".timeindex"), baseOffset, indexBytes);
        for (long i = 0; !offsets.isFull(); i++) {
            offsets.append(baseOffset + i * offsetStep, Math.toIntExact(i * positionStep));
        }
        for (long i = 0; !times.isFull(); i++) {
            times.maybeAppend(firstTimestampMs + i, baseOffset + i * offsetStep);
        }
        return new IndexBenchAccess(offsets, times, firstTimestampMs);
    }

    int offsetEntries() {
        return offsetIndex.entries();
    }

    int timeEntries() {
        return timeIndex.entries();
    }

    /** The offset of the offset index's last entry. */
    long lastIndexedOffset() {
        return offsetIndex.lastOffset();
    }

    /** The timestamp of the time index's first entry. */
    long firstTimestampMs() {
        return firstTimestampMs;
    }

    /** The time index's last timestamp. */
    long lastTimestampMs() {
        return timeIndex.lastTimestamp();
    }

    /** {@link OffsetIndex#lookupPosition}: where a scan for {@code targetOffset} starts. */
    int lookupPosition(long targetOffset) {
        return offsetIndex.lookupPosition(targetOffset);
    }

    /** {@link TimeIndex#lookupOffset}: the batch offset a search for {@code targetMs} starts at. */
    long lookupOffset(long targetMs) {
        return timeIndex.lookupOffset(targetMs);
    }

    @Override
    public void close() throws IOException {
        closeAndDelete();
    }

    void closeAndDelete() throws IOException {
        try {
            offsetIndex.closeAndDelete();
        } finally {
            timeIndex.closeAndDelete();
        }
    }
}
