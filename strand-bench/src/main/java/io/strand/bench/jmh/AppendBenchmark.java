package io.strand.bench.jmh;

import io.strand.storage.log.LogAppendResult;
import io.strand.storage.log.PartitionLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * {@link PartitionLog#appendAsLeader} of one producer batch, validation included, into a real log on
 * disk (page cache; no fsync per append, Kafka's default flush policy): what a produce request costs
 * the storage layer. Primary score in ops/s (batches); the {@code mb} and {@code records} counters are
 * the same rate in MB (10^6 bytes of batch as stored, i.e. compressed for lz4) and records per second.
 *
 * <p><b>Fresh buffers.</b> An append rewrites the batch header in place (base offset, partition leader
 * epoch; validation would reject a second append of the same bytes since the base offset is no longer
 * 0). Instead of copying a batch per invocation ({@code Level.Invocation} setup costs timer calls of
 * the same order as a small append), the benchmark cycles through a pool of {@value #POOL_SIZE}
 * distinct copies and rewinds each one just before its append by writing back the 12 producer bytes
 * ({@link ProducerBatches#resetToProducerHeader}): CRC does not cover them, so the batch is then
 * byte-for-byte what the producer sent (checked once in setup). The rewind is two stores in the
 * measured time; the pool (512 KiB at 16 KiB) keeps the batch bytes from all staying in L1/L2, as
 * request buffers of a real broker would not.
 *
 * <p><b>Disk.</b> Segments of {@value #SEGMENT_BYTES} bytes, {@code retention.bytes} of
 * {@value #RETENTION_BYTES} checked every second; as on a single-replica partition the high watermark
 * follows each append (one volatile write, measured), else retention could delete nothing and the log
 * would fill the page cache. So the log stays within a few GiB even at 2 GB/s; rolls
 * and their background flushes and deletions happen inside the measurement as they would in a broker.
 * The directory is deleted in {@code @TearDown}. On a disk, a run of more than a few seconds is bound
 * by the kernel's writeback (dirty-page throttling, the roll fsyncs) and its score varies by iteration;
 * {@code -p logParentDir=/dev/shm} (tmpfs) measures validation, locking and copying alone.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
@Fork(jvmArgsAppend = "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn")
public class AppendBenchmark {

    static final int POOL_SIZE = 32;
    static final long SEGMENT_BYTES = 128L * 1024 * 1024;
    static final long RETENTION_BYTES = 256L * 1024 * 1024;

    /** Uncompressed record bytes per batch (the producer's batch.size). */
    @Param({"16384"})
    public int batchBytes;

    /** Bytes of each record's value. */
    @Param({"100"})
    public int recordBytes;

    /** The producer's codec; the topic keeps it ({@code compression.type=producer}), so lz4 is decompressed to validate, not re-compressed. */
    @Param({"none", "lz4"})
    public String compression;

    /**
     * Parent of the log directory; empty: the system temp directory (a disk: sustained appends end up
     * bound by writeback and the roll fsyncs). {@code /dev/shm} (tmpfs) leaves only the CPU cost.
     */
    @Param({""})
    public String logParentDir;

    private TempLog tempLog;
    private PartitionLog log;
    private MemoryRecords[] pool;
    private ByteBuffer[] poolBuffers;
    private int next;
    private int storedBytes;
    private int recordsPerBatch;

    /** Per-second rates reported beside ops/s. Read {@code mb} as MB/s. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Rates {
        public double mb;
        public long records;

        @Setup(Level.Iteration)
        public void reset() {
            mb = 0;
            records = 0;
        }
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        tempLog = TempLog.create(logParentDir, "strand-jmh-append", 1_000L, Map.of(
                TopicConfig.SEGMENT_BYTES_CONFIG, SEGMENT_BYTES,
                TopicConfig.RETENTION_BYTES_CONFIG, RETENTION_BYTES));
        log = tempLog.log();
        MemoryRecords producerBatch = ProducerBatches.build(batchBytes, recordBytes, compression,
                System.currentTimeMillis(), new Random(42));
        storedBytes = producerBatch.sizeInBytes();
        recordsPerBatch = producerBatch.batches().iterator().next().countOrNull();
        pool = new MemoryRecords[POOL_SIZE];
        poolBuffers = new ByteBuffer[POOL_SIZE];
        for (int i = 0; i < POOL_SIZE; i++) {
            ByteBuffer copy = ByteBuffer.allocate(storedBytes);
            copy.put(producerBatch.buffer());
            copy.flip();
            poolBuffers[i] = copy;
            pool[i] = MemoryRecords.readableRecords(copy);
        }
        checkRewindRestoresProducerBytes(producerBatch);
    }

    /**
     * Two appends of one pool buffer, each followed by the rewind: the second append must have got the
     * next offsets and the rewound bytes must be the producer's again, else the benchmark would lie.
     */
    private void checkRewindRestoresProducerBytes(MemoryRecords producerBatch) {
        byte[] expected = new byte[storedBytes];
        producerBatch.buffer().get(expected);
        ByteBuffer buffer = poolBuffers[0];
        log.appendAsLeader(pool[0], 0);
        ProducerBatches.resetToProducerHeader(buffer);
        LogAppendResult second = log.appendAsLeader(pool[0], 0);
        if (second.firstOffset() != recordsPerBatch) {
            throw new IllegalStateException("Second append got firstOffset=" + second.firstOffset()
                    + ", expected=" + recordsPerBatch);
        }
        ProducerBatches.resetToProducerHeader(buffer);
        byte[] actual = new byte[storedBytes];
        buffer.duplicate().get(actual);
        if (!Arrays.equals(expected, actual)) {
            throw new IllegalStateException("Rewound batch differs from the producer's: compression=" + compression);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (tempLog != null) {
            tempLog.close();
        }
    }

    @Benchmark
    public LogAppendResult append(Rates rates) {
        int i = next++ & (POOL_SIZE - 1);
        ProducerBatches.resetToProducerHeader(poolBuffers[i]);
        LogAppendResult result = log.appendAsLeader(pool[i], 0);
        // A single-replica partition: the high watermark follows the log end, so retention may delete.
        log.updateHighWatermark(result.lastOffset() + 1);
        rates.mb += storedBytes / 1e6;
        rates.records += recordsPerBatch;
        return result;
    }
}
