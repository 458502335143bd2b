package io.strand.storage.cleaner;

import io.strand.storage.file.LogFileNames;
import io.strand.storage.producer.LastRecord;
import io.strand.storage.log.LogConfig;
import io.strand.storage.log.LogSegment;
import io.strand.storage.log.PartitionLog;
import io.strand.storage.log.SwapObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.utils.BufferSupplier;
import org.apache.kafka.common.utils.CloseableIterator;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cleans one compacted log once (Kafka's {@code Cleaner}):
 * <ol>
 *   <li>builds the {@link OffsetMap} (key hash → latest offset) over the dirty section
 *       [firstDirty, firstUncleanable), batch by batch, stopping early when the map is full — the
 *       section up to the map's last offset is then cleaned and the rest waits for the next pass; records
 *       of aborted transactions (from the transaction indexes) do not enter it, so they never shadow a
 *       committed value;</li>
 *   <li>rewrites every segment from the log start up to that end offset through a
 *       {@link CompactionFilter} (which also drops aborted transactions' records and, after
 *       {@code delete.retention.ms}, markers with no data left), grouping neighbouring segments while
 *       their sizes add up to at most {@code segment.bytes} (and their indexes fit), one {@code .cleaned}
 *       segment per group, with offsets kept as they are (gaps, never renumbering), its transaction index
 *       holding the aborted transactions whose kept marker it holds;</li>
 *   <li>swaps each cleaned segment in with {@link PartitionLog#replaceSegments}.</li>
 * </ol>
 * The result's {@code endOffset} is the new end of the clean section, to be checkpointed.
 *
 * <p><b>Threads.</b> Not thread-safe: owned by the cleaner thread. It reads segments without the log's
 * lock (inactive segments do not change); the swap takes the lock and gives up if retention,
 * DeleteRecords or truncation removed a segment meanwhile. I/O is bounded by the {@link Throttler}.
 * A cleaning abandoned midway (shutdown, failure) deletes its {@code .cleaned} files and changes nothing.
 */
final class Cleaner {

    private static final Logger LOG = LoggerFactory.getLogger(Cleaner.class);
    static final int INITIAL_BUFFER_BYTES = 1024 * 1024;
    /** Bytes before a batch's size field: base offset (8), then the size (4). */
    private static final int SIZE_FIELD = 8;
    private static final int LOG_OVERHEAD = 12;

    /** What one cleaning did. {@code endOffset} is -1 if it did nothing. */
    record Result(long endOffset, long bytesRead, long bytesWritten, int segmentsBefore, int segmentsAfter,
            long earliestDeleteHorizonMs) {
    }

    private final Time time;
    private final long dedupeBufferBytes;
    private final Throttler throttler;
    private final BooleanSupplier stopRequested;
    private volatile SwapObserver swapObserver = SwapObserver.NONE;
    private OffsetMap map;
    private ByteBuffer readBuffer = ByteBuffer.allocate(INITIAL_BUFFER_BYTES);
    private ByteBuffer writeBuffer = ByteBuffer.allocate(INITIAL_BUFFER_BYTES);
    private long bytesRead;
    private long bytesWritten;

    /** {@code stopRequested} is polled between batches; once true, a cleaning in progress is abandoned. */
    Cleaner(Time time, long dedupeBufferBytes, double ioMaxBytesPerSecond, BooleanSupplier stopRequested) {
        this.time = time;
        this.stopRequested = stopRequested;
        this.dedupeBufferBytes = dedupeBufferBytes;
        this.throttler = new Throttler(ioMaxBytesPerSecond, time);
    }

    void setSwapObserver(SwapObserver observer) {
        this.swapObserver = observer;
    }

    Result clean(PartitionLog log, CleanableRange range) throws IOException {
        if (map == null) {
            map = new OffsetMap(dedupeBufferBytes);
        }
        bytesRead = 0;
        bytesWritten = 0;
        throttler.start();
        long nowMs = time.milliseconds();
        long endOffset = buildOffsetMap(log, range.firstDirtyOffset(), range.firstUncleanableOffset());
        if (endOffset <= range.firstDirtyOffset() && range.dirtyBytes() > 0) {
            return new Result(-1L, bytesRead, 0, 0, 0, Long.MAX_VALUE);
        }
        LogConfig config = log.config();
        Map<Long, LastRecord> lastRecords = log.lastRecordsOfProducers();
        List<List<LogSegment>> groups = groupBySize(log.segmentMap().headMap(endOffset, false), config);
        int before = 0;
        long earliestDeleteHorizonMs = Long.MAX_VALUE;
        for (List<LogSegment> group : groups) {
            before += group.size();
            long horizonMs = cleanGroup(log, group, lastRecords, config, nowMs);
            if (horizonMs < 0) {
                LOG.info("Cleaning of partition={} gave up at baseOffset={}: segments changed meanwhile",
                        log.topicPartition(), group.get(0).baseOffset());
                return new Result(-1L, bytesRead, bytesWritten, before, groups.size(), Long.MAX_VALUE);
            }
            earliestDeleteHorizonMs = Math.min(earliestDeleteHorizonMs, horizonMs);
        }
        return new Result(endOffset, bytesRead, bytesWritten, before, groups.size(), earliestDeleteHorizonMs);
    }

    /** Fills the map from the dirty section; returns the offset after the last batch it covers. */
    private long buildOffsetMap(PartitionLog log, long firstDirty, long firstUncleanable) throws IOException {
        map.clear();
        NavigableMap<Long, LogSegment> segments = log.segmentMap();
        Long fromKey = segments.floorKey(firstDirty);
        long end = firstDirty;
        CleanedTransactions transactions = new CleanedTransactions(null);
        transactions.addAborted(log.collectAbortedTransactions(firstDirty, firstUncleanable));
        for (LogSegment segment : segments.subMap(fromKey == null ? firstDirty : fromKey, true, firstUncleanable,
                false).values()) {
            int position = segment.offsetIndex().lookupPosition(firstDirty);
            for (FileChannelRecordBatch batch : segment.fileRecords().batchesFrom(position)) {
                if (batch.lastOffset() < firstDirty) {
                    continue;
                }
                checkNotStopped();
                boolean keyed;
                if (batch.isControlBatch()) {
                    transactions.onControlBatchRead(batch);
                    keyed = false;
                } else {
                    keyed = !transactions.onBatchRead(batch);
                }
                if (keyed) {
                    Integer count = batch.countOrNull();
                    int records = count == null ? (int) (batch.lastOffset() - batch.baseOffset() + 1) : count;
                    if (map.size() + records > map.maxEntries()) {
                        if (end == firstDirty) {
                            throw new IllegalStateException("log.cleaner.dedupe.buffer.size too small for one batch:"
                                    + " partition=" + log.topicPartition() + " records=" + records
                                    + " maxEntries=" + map.maxEntries());
                        }
                        return end;
                    }
                    try (CloseableIterator<Record> it = batch.streamingIterator(BufferSupplier.NO_CACHING)) {
                        while (it.hasNext()) {
                            Record r = it.next();
                            if (r.hasKey() && r.offset() >= firstDirty) {
                                map.put(r.key(), r.offset());
                            }
                        }
                    }
                }
                map.updateLatestOffset(batch.lastOffset());
                end = batch.nextOffset();
                bytesRead += batch.sizeInBytes();
                throttler.maybeThrottle(batch.sizeInBytes());
            }
        }
        return end;
    }

    /** Consecutive segments whose sizes add up to at most segment.bytes and whose indexes fit one segment's. */
    static List<List<LogSegment>> groupBySize(NavigableMap<Long, LogSegment> segments, LogConfig config) {
        List<List<LogSegment>> groups = new ArrayList<>();
        List<LogSegment> group = new ArrayList<>();
        long bytes = 0;
        long offsetIndexBytes = 0;
        long timeIndexBytes = 0;
        for (Map.Entry<Long, LogSegment> e : segments.entrySet()) {
            LogSegment s = e.getValue();
            Long next = segments.higherKey(e.getKey());
            long spanOffsets = next == null ? 0 : next - (group.isEmpty() ? s.baseOffset() : group.get(0).baseOffset());
            long oib = offsetIndexBytes + s.offsetIndex().entries() * 8L;
            long tib = timeIndexBytes + s.timeIndex().entries() * 12L;
            if (!group.isEmpty() && (bytes + s.sizeInBytes() > config.segmentBytes() || spanOffsets > Integer.MAX_VALUE
                    || oib > config.segmentIndexBytes() || tib > config.segmentIndexBytes())) {
                groups.add(group);
                group = new ArrayList<>();
                bytes = 0;
                oib = s.offsetIndex().entries() * 8L;
                tib = s.timeIndex().entries() * 12L;
            }
            group.add(s);
            bytes += s.sizeInBytes();
            offsetIndexBytes = oib;
            timeIndexBytes = tib;
        }
        if (!group.isEmpty()) {
            groups.add(group);
        }
        return groups;
    }

    /**
     * Cleans one group into one {@code .cleaned} segment, its transaction index holding the aborted
     * transactions whose kept marker it holds, and swaps it in.
     *
     * @return the earliest delete horizon of what it kept, or -1 if the swap gave up
     */
    private long cleanGroup(PartitionLog log, List<LogSegment> group, Map<Long, LastRecord> lastRecords,
            LogConfig config, long nowMs) throws IOException {
        LogSegment cleaned = LogSegment.create(log.dir(), group.get(0).baseOffset(), LogFileNames.CLEANED_SUFFIX,
                config, nowMs, 0L);
        CleanedTransactions transactions = new CleanedTransactions(cleaned.txnIndex());
        CompactionFilter filter = new CompactionFilter(nowMs, config.deleteRetentionMs(), map, lastRecords,
                transactions);
        NavigableMap<Long, LogSegment> segments = log.segmentMap();
        boolean installed = false;
        try {
            for (LogSegment source : group) {
                Long next = segments.higherKey(source.baseOffset());
                long upperBound = next != null ? next : log.logEndOffset();
                transactions.addAborted(log.collectAbortedTransactions(source.baseOffset(), upperBound));
                filterInto(source.fileRecords(), cleaned, filter, config);
            }
            cleaned.onBecomeInactive();
            cleaned.flush();
            installed = log.replaceSegments(group, cleaned, swapObserver);
            return installed ? filter.earliestDeleteHorizonMs() : -1L;
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } finally {
            if (!installed) {
                if (log.isClosed()) {
                    cleaned.closeHandles();
                } else {
                    cleaned.closeAndDelete();
                }
            }
        }
    }

    private void filterInto(FileRecords file, LogSegment cleaned, CompactionFilter filter, LogConfig config)
            throws IOException {
        int size = file.sizeInBytes();
        int position = 0;
        while (position < size) {
            readBuffer.clear();
            readBuffer.limit(Math.min(readBuffer.capacity(), size - position));
            checkNotStopped();
            file.readInto(readBuffer, position);
            MemoryRecords records = MemoryRecords.readableRecords(readBuffer);
            writeBuffer.clear();
            MemoryRecords.FilterResult result = records.filterTo(filter, writeBuffer, BufferSupplier.NO_CACHING);
            if (result.bytesRead() == 0) {
                growReadBuffer(readBuffer, file, position);
                continue;
            }
            position += result.bytesRead();
            ByteBuffer out = result.outputBuffer();
            out.flip();
            if (out.hasRemaining()) {
                cleaned.appendBatches(MemoryRecords.readableRecords(out), config.indexIntervalBytes());
            }
            bytesRead += result.bytesRead();
            bytesWritten += out.limit();
            throttler.maybeThrottle((long) result.bytesRead() + out.limit());
            if (out.capacity() > writeBuffer.capacity()) {
                writeBuffer = ByteBuffer.allocate(out.capacity());
            }
        }
    }

    private void checkNotStopped() {
        if (stopRequested.getAsBoolean()) {
            throw new CancellationException("Cleaner is stopping");
        }
    }

    /** The next batch does not fit the read buffer: make it big enough (a corrupt size would fail recovery first). */
    private void growReadBuffer(ByteBuffer buffer, FileRecords file,
            int position) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(LOG_OVERHEAD);
        file.readInto(header, position);
        int batchBytes = header.getInt(SIZE_FIELD) + LOG_OVERHEAD;
        if (batchBytes <= buffer.capacity()) {
            throw new IllegalStateException("Unreadable batch at position=" + position + " of file=" + file.file());
        }
        readBuffer = ByteBuffer.allocate(batchBytes);
        writeBuffer = ByteBuffer.allocate(Math.max(writeBuffer.capacity(), batchBytes));
    }
}
