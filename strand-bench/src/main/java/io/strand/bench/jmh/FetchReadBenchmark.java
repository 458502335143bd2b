package io.strand.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.channel.FileRegion;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.strand.broker.network.ResponseWriter;
import io.strand.storage.log.LogReadResult;
import io.strand.storage.log.PartitionLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.ResponseHeader;
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
 * The consumer fetch path at random offsets of a multi-segment log:
 * <ul>
 *   <li>{@code readSlice}: {@link PartitionLog#read} up to {@code maxBytes} below the high watermark,
 *       i.e. segment lookup, offset-index lookup, the scan of batch headers from the indexed position,
 *       and the file slice ({@code FileRecords}, no record bytes are read);</li>
 *   <li>{@code readAndWriteResponse}: the same read, put in a one-partition FetchResponse (latest
 *       version) and serialized with the broker's {@code ResponseWriter} into an {@link EmbeddedChannel}:
 *       header and fields into a pooled buffer, the slice as a file region (no sendfile happens). The
 *       frame's parts are drained and released; {@code mb} counts the response's bytes per second
 *       (read as MB/s), as a socket would carry them.</li>
 * </ul>
 * The log is {@value #LOG_BYTES} bytes of 16 KiB uncompressed producer batches (100 B records) in
 * segments of {@code segmentBytes}, written once in {@code @Setup(Level.Trial)} (so it is in the page
 * cache) with the high watermark at the log end; its directory is deleted in {@code @TearDown}. The
 * {@value #TARGETS} fetch offsets are uniformly random over the log, drawn from a seeded {@link Random}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
@Fork(jvmArgsAppend = "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn")
public class FetchReadBenchmark {

    static final long LOG_BYTES = 64L * 1024 * 1024;
    static final int TARGETS = 1 << 14;

    @Param({"16777216"})
    public int segmentBytes;

    /** The partition's byte limit (the consumer's max.partition.fetch.bytes default). */
    @Param({"1048576"})
    public int maxBytes;

    /** Parent of the log directory; empty: the system temp directory. */
    @Param({""})
    public String logParentDir;

    private TempLog tempLog;
    private PartitionLog log;
    private final long[] targets = new long[TARGETS];
    private int next;
    private EmbeddedChannel channel;
    private short fetchVersion;
    private ResponseHeader header;
    private Uuid topicId;

    /** Per-second rates reported beside ops/s. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Rates {
        public double mb;

        @Setup(Level.Iteration)
        public void reset() {
            mb = 0;
        }
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        tempLog = TempLog.create(logParentDir, "strand-jmh-fetch", 300_000L, Map.of(TopicConfig.SEGMENT_BYTES_CONFIG, segmentBytes));
        log = tempLog.log();
        topicId = log.topicId();
        MemoryRecords producerBatch = ProducerBatches.build(16 * 1024, 100, "none", System.currentTimeMillis(),
                new Random(42));
        ByteBuffer batch = ByteBuffer.allocate(producerBatch.sizeInBytes());
        for (long written = 0; written < LOG_BYTES; written += batch.capacity()) {
            batch.clear();
            batch.put(producerBatch.buffer());
            batch.flip();
            log.appendAsLeader(MemoryRecords.readableRecords(batch), 0);
        }
        log.updateHighWatermark(log.logEndOffset());
        Random random = new Random(42);
        long span = log.logEndOffset() - log.logStartOffset();
        for (int i = 0; i < TARGETS; i++) {
            targets[i] = log.logStartOffset() + (long) (random.nextDouble() * span);
        }
        channel = new EmbeddedChannel();
        fetchVersion = ApiKeys.FETCH.latestVersion();
        header = new ResponseHeader(1, ApiKeys.FETCH.responseHeaderVersion(fetchVersion));
        checkFrame();
    }

    /** The drained parts must add up to the frame's size prefix plus the prefix itself. */
    private void checkFrame() {
        channel.flush();
        drain();
        writeResponse(read(log.logStartOffset()));
        channel.flush();
        List<Object> parts = new ArrayList<>();
        for (Object part = channel.readOutbound(); part != null; part = channel.readOutbound()) {
            parts.add(part);
        }
        long total = 0;
        for (Object part : parts) {
            total += sizeOf(part);
        }
        int framePrefix = ((ByteBuf) parts.get(0)).getInt(((ByteBuf) parts.get(0)).readerIndex());
        parts.forEach(ReferenceCountUtil::release);
        if (total != framePrefix + 4L || parts.size() < 2) {
            throw new IllegalStateException("Fetch response frame does not add up: parts=" + parts.size()
                    + " bytes=" + total + " sizePrefix=" + framePrefix);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        try {
            if (channel != null) {
                drain();
                channel.finishAndReleaseAll();
            }
        } finally {
            if (tempLog != null) {
                tempLog.close();
            }
        }
    }

    @Benchmark
    public LogReadResult readSlice() {
        return read(targets[next++ & (TARGETS - 1)]);
    }

    @Benchmark
    public long readAndWriteResponse(Rates rates) {
        writeResponse(read(targets[next++ & (TARGETS - 1)]));
        channel.flush();
        long bytes = drain();
        rates.mb += bytes / 1e6;
        return bytes;
    }

    private LogReadResult read(long fetchOffset) {
        return log.read(fetchOffset, maxBytes, log.highWatermark(), true);
    }

    private void writeResponse(LogReadResult read) {
        FetchResponseData.PartitionData partition = new FetchResponseData.PartitionData()
                .setPartitionIndex(TempLog.TOPIC_PARTITION.partition())
                .setErrorCode(Errors.NONE.code())
                .setHighWatermark(read.highWatermark())
                .setLastStableOffset(read.highWatermark())
                .setLogStartOffset(read.logStartOffset())
                .setRecords(read.records());
        FetchResponseData.FetchableTopicResponse topic = new FetchResponseData.FetchableTopicResponse()
                .setTopic(TempLog.TOPIC_PARTITION.topic())
                .setTopicId(topicId);
        topic.partitions().add(partition);
        FetchResponseData body = new FetchResponseData().setErrorCode(Errors.NONE.code()).setSessionId(0);
        body.responses().add(topic);
        ResponseWriter.write(channel, header, body, fetchVersion);
    }

    /** Takes the written parts off the channel, releases them and returns their bytes. */
    private long drain() {
        long bytes = 0;
        for (Object part = channel.readOutbound(); part != null; part = channel.readOutbound()) {
            bytes += sizeOf(part);
            ReferenceCountUtil.release(part);
        }
        return bytes;
    }

    private static long sizeOf(Object part) {
        if (part instanceof ByteBuf buf) {
            return buf.readableBytes();
        }
        if (part instanceof FileRegion region) {
            return region.count();
        }
        throw new IllegalStateException("Unexpected outbound part " + part.getClass());
    }
}
