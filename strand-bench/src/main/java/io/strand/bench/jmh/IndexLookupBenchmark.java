package io.strand.bench.jmh;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Lookups in a full segment index at random targets: the offset index ({@code OffsetIndex.lookupPosition},
 * the first step of every fetch) and the time index ({@code TimeIndex.lookupOffset}, ListOffsets by
 * timestamp). Average time per lookup in nanoseconds.
 *
 * <p>Both indexes are pre-allocated to {@code indexBytes} ({@code segment.index.bytes}, Kafka's default
 * 10 MiB: 1,310,720 offset entries, 873,813 time entries) and filled to capacity, entries
 * {@value #OFFSET_STEP} offsets apart, the offset index's positions spread over a 1 GiB segment. The
 * files are memory-mapped and in the page cache (just written), as a hot segment's are. Targets are
 * {@value #TARGETS} uniformly random offsets (timestamps) across the index, drawn once from a seeded
 * {@link Random} and cycled, so branch prediction cannot learn the search path. The files live in a
 * temporary directory deleted in {@code @TearDown}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Fork(jvmArgsAppend = "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn")
public class IndexLookupBenchmark {

    static final int OFFSET_STEP = 40;
    static final int TARGETS = 1 << 16;
    static final long SEGMENT_BYTES = 1L << 30;
    static final long BASE_OFFSET = 1_000_000L;

    @Param({"10485760"})
    public int indexBytes;

    /** Parent of the index files' directory; empty: the system temp directory. */
    @Param({""})
    public String logParentDir;

    private Path dir;
    private IndexBenchAccess indexes;
    private final long[] targetOffsets = new long[TARGETS];
    private final long[] targetTimestamps = new long[TARGETS];
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = TempLog.createTempDirectory(logParentDir, "strand-jmh-index");
        int maxEntries = indexBytes / 8;
        int positionStep = (int) (SEGMENT_BYTES / maxEntries);
        indexes = IndexBenchAccess.createFull(dir, BASE_OFFSET, indexBytes, OFFSET_STEP, positionStep,
                System.currentTimeMillis());
        Random random = new Random(42);
        long offsetSpan = indexes.lastIndexedOffset() + OFFSET_STEP - BASE_OFFSET;
        long timeSpan = indexes.lastTimestampMs() + 1 - indexes.firstTimestampMs();
        for (int i = 0; i < TARGETS; i++) {
            targetOffsets[i] = BASE_OFFSET + (long) (random.nextDouble() * offsetSpan);
            targetTimestamps[i] = indexes.firstTimestampMs() + (long) (random.nextDouble() * timeSpan);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        try {
            if (indexes != null) {
                indexes.closeAndDelete();
            }
        } finally {
            TempLog.deleteRecursively(dir);
        }
    }

    @Benchmark
    public int offsetIndexLookup() {
        return indexes.lookupPosition(targetOffsets[next++ & (TARGETS - 1)]);
    }

    @Benchmark
    public long timeIndexLookup() {
        return indexes.lookupOffset(targetTimestamps[next++ & (TARGETS - 1)]);
    }
}
