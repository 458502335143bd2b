package io.strand.storage.log;

import io.strand.storage.file.CorruptFileException;
import io.strand.storage.file.LogFileNames;
import io.strand.storage.index.OffsetIndex;
import io.strand.storage.index.TimeIndex;
import io.strand.storage.index.TransactionIndex;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One segment of a partition log: the {@code <baseOffset>.log} file holding v2 record batches exactly
 * as they came over the wire (with offsets assigned), its {@link OffsetIndex} and {@link TimeIndex},
 * and its {@link TransactionIndex} of the aborted transactions whose marker it holds. Every batch in it
 * has offsets at or above {@code baseOffset}, and below the next segment's base offset.
 *
 * <p><b>Threads.</b> Only the partition's writer appends, truncates, rolls, recovers and closes.
 * Readers call {@link #read}, {@link #findOffsetByTimestamp} and the getters without locks; they never
 * look past the file position the log has published for this segment.
 *
 * <p><b>Crash.</b> Bytes written reach the page cache at once and the disk at {@link #flush()}. After an
 * unclean shutdown {@link #recover} re-reads the file, keeps the longest prefix of intact batches and
 * rebuilds the offset and time indexes from it; the transaction index, which needs the producer state
 * before the segment, is rebuilt by the loader's producer-state replay.
 *
 * <p>Public for the cleaner ({@code io.strand.storage.cleaner}), which reads inactive segments and
 * writes their replacement ({@link #create} with the {@code .cleaned} suffix); the broker never sees a
 * segment.
 */
public final class LogSegment {

    private static final Logger LOG = LoggerFactory.getLogger(LogSegment.class);

    /** The largest timestamp in the segment and the base offset of the first batch that has it. */
    record MaxTimestamp(long timestampMs, long offset) {
    }

    private final long baseOffset;
    private final FileRecords log;
    private final OffsetIndex offsetIndex;
    private final TimeIndex timeIndex;
    private final TransactionIndex txnIndex;
    private final long createdMs;
    private final long rollJitterMs;
    private final boolean indexesRebuilt;

    // Writer-owned.
    private int bytesSinceLastIndexEntry;
    private long rollingBasedTimestampMs = RecordBatch.NO_TIMESTAMP;

    private volatile MaxTimestamp maxTimestamp;
    private volatile boolean deleted;

    private LogSegment(long baseOffset, FileRecords log, OffsetIndex offsetIndex, TimeIndex timeIndex,
            TransactionIndex txnIndex, long createdMs, long rollJitterMs, boolean indexesRebuilt) {
        this.baseOffset = baseOffset;
        this.log = log;
        this.offsetIndex = offsetIndex;
        this.timeIndex = timeIndex;
        this.txnIndex = txnIndex;
        this.createdMs = createdMs;
        this.rollJitterMs = rollJitterMs;
        this.indexesRebuilt = indexesRebuilt;
        this.maxTimestamp = new MaxTimestamp(timeIndex.lastTimestamp(), timeIndex.lastOffset());
        this.bytesSinceLastIndexEntry = Math.max(0, log.sizeInBytes() - offsetIndex.lastPosition());
    }

    /** Creates a new, empty segment; leftover files of the same name are replaced. */
    static LogSegment create(Path dir, long baseOffset, LogConfig config, long nowMs, long rollJitterMs)
            throws IOException {
        return create(dir, baseOffset, "", config, nowMs, rollJitterMs);
    }

    /**
     * Creates a new, empty segment whose file names end with {@code suffix} after the usual ones
     * (the cleaner's {@code .cleaned}); leftover files of the same names are replaced.
     */
    public static LogSegment create(Path dir, long baseOffset, String suffix, LogConfig config, long nowMs,
            long rollJitterMs) throws IOException {
        Path logPath = withSuffix(LogFileNames.logFile(dir, baseOffset), suffix);
        Path offsetPath = withSuffix(LogFileNames.indexFile(dir, baseOffset), suffix);
        Path timePath = withSuffix(LogFileNames.timeIndexFile(dir, baseOffset), suffix);
        Path txnPath = withSuffix(LogFileNames.txnIndexFile(dir, baseOffset), suffix);
        Files.deleteIfExists(logPath);
        Files.deleteIfExists(offsetPath);
        Files.deleteIfExists(timePath);
        Files.deleteIfExists(txnPath);
        FileRecords log = FileRecords.open(logPath.toFile(), false,
                config.preallocate() ? config.segmentBytes() : 0, config.preallocate());
        return withIndexes(offsetPath, timePath, txnPath, baseOffset, log, config, nowMs, rollJitterMs);
    }

    private static Path withSuffix(Path path, String suffix) {
        return suffix.isEmpty() ? path : path.resolveSibling(path.getFileName() + suffix);
    }

    /**
     * Opens an existing segment. Missing or malformed offset or time index files, and a malformed
     * transaction index, are replaced by empty ones and the segment reports {@link #needsRecovery()}.
     * A missing transaction index is an empty one.
     */
    static LogSegment open(Path dir, long baseOffset, LogConfig config, long nowMs, long rollJitterMs)
            throws IOException {
        FileRecords log = FileRecords.open(LogFileNames.logFile(dir, baseOffset).toFile(), true, 0, false);
        return withIndexes(LogFileNames.indexFile(dir, baseOffset), LogFileNames.timeIndexFile(dir, baseOffset),
                LogFileNames.txnIndexFile(dir, baseOffset), baseOffset, log, config, nowMs, rollJitterMs);
    }

    private static LogSegment withIndexes(Path offsetPath, Path timePath, Path txnPath, long baseOffset,
            FileRecords log, LogConfig config, long nowMs, long rollJitterMs) throws IOException {
        boolean rebuilt = log.sizeInBytes() > 0 && (!Files.exists(offsetPath) || !Files.exists(timePath));
        OffsetIndex offsetIndex = null;
        TimeIndex timeIndex = null;
        TransactionIndex txnIndex = null;
        try {
            try {
                offsetIndex = new OffsetIndex(offsetPath, baseOffset, config.segmentIndexBytes());
                timeIndex = new TimeIndex(timePath, baseOffset, config.segmentIndexBytes());
            } catch (CorruptFileException e) {
                LOG.warn("Rebuilding indexes of segment file={}: {}", log.file(), e.getMessage());
                if (offsetIndex != null) {
                    offsetIndex.close();
                }
                Files.deleteIfExists(offsetPath);
                Files.deleteIfExists(timePath);
                offsetIndex = new OffsetIndex(offsetPath, baseOffset, config.segmentIndexBytes());
                timeIndex = new TimeIndex(timePath, baseOffset, config.segmentIndexBytes());
                rebuilt = true;
            }
            try {
                txnIndex = new TransactionIndex(txnPath, baseOffset);
            } catch (CorruptFileException e) {
                LOG.warn("Rebuilding transaction index of segment file={}: {}", log.file(), e.getMessage());
                Files.deleteIfExists(txnPath);
                txnIndex = new TransactionIndex(txnPath, baseOffset);
                rebuilt = true;
            }
        } catch (IOException | RuntimeException e) {
            log.close();
            if (offsetIndex != null) {
                offsetIndex.close();
            }
            if (timeIndex != null) {
                timeIndex.close();
            }
            throw e;
        }
        return new LogSegment(baseOffset, log, offsetIndex, timeIndex, txnIndex, nowMs, rollJitterMs, rebuilt);
    }

    public long baseOffset() {
        return baseOffset;
    }

    public int sizeInBytes() {
        return log.sizeInBytes();
    }

    public FileRecords fileRecords() {
        return log;
    }

    public OffsetIndex offsetIndex() {
        return offsetIndex;
    }

    public TimeIndex timeIndex() {
        return timeIndex;
    }

    /** The aborted transactions whose marker is in this segment (written by the partition's writer). */
    public TransactionIndex txnIndex() {
        return txnIndex;
    }

    MaxTimestamp maxTimestamp() {
        return maxTimestamp;
    }

    boolean isDeleted() {
        return deleted;
    }

    /** True if the indexes were missing or malformed when opened, or do not look like the log file's. */
    boolean needsRecovery() {
        if (indexesRebuilt || !offsetIndex.looksValid() || !timeIndex.looksValid()) {
            return true;
        }
        return offsetIndex.entries() > 0 && offsetIndex.lastPosition() >= log.sizeInBytes();
    }

    /** The timestamp retention compares with {@code retention.ms}: the largest record timestamp, else the file's mtime. */
    public long largestTimestampMs() throws IOException {
        long ts = maxTimestamp.timestampMs();
        return ts >= 0 ? ts : Files.getLastModifiedTime(log.file().toPath()).toMillis();
    }

    /** Writer only: whether the next batch must go to a new segment. */
    boolean shouldRoll(LogConfig config, int batchBytes, long batchMaxTimestampMs, long batchLastOffset,
            long nowMs) {
        int size = log.sizeInBytes();
        if (size == 0) {
            return false;
        }
        boolean full = size > (long) config.segmentBytes() - batchBytes;
        boolean old = timeWaitedForRollMs(nowMs, batchMaxTimestampMs) > config.segmentMs() - rollJitterMs;
        return full || old || offsetIndex.isFull() || timeIndex.isFull()
                || batchLastOffset - baseOffset > Integer.MAX_VALUE;
    }

    /**
     * How long this segment has been filling: by record timestamps (the incoming batch's against the
     * first batch's) when the first batch has one, else by the wall clock since the segment was made.
     */
    private long timeWaitedForRollMs(long nowMs, long batchMaxTimestampMs) {
        if (rollingBasedTimestampMs == RecordBatch.NO_TIMESTAMP) {
            for (FileChannelRecordBatch batch : log.batches()) {
                rollingBasedTimestampMs = batch.maxTimestamp();
                break;
            }
        }
        return rollingBasedTimestampMs >= 0 ? batchMaxTimestampMs - rollingBasedTimestampMs : nowMs - createdMs;
    }

    /** Writer only: appends one batch already stamped with its offsets; indexes it if due. */
    void append(long batchBaseOffset, long batchMaxTimestampMs, MemoryRecords records, int indexIntervalBytes)
            throws IOException {
        int position = log.sizeInBytes();
        if (position == 0) {
            rollingBasedTimestampMs = batchMaxTimestampMs;
        }
        log.append(records);
        onBatchWritten(batchBaseOffset, batchMaxTimestampMs, position, records.sizeInBytes(), indexIntervalBytes);
    }

    /**
     * Writer only (a follower's log, or the cleaner for a segment nobody else sees yet): appends batches
     * that already carry their offsets in one write, indexing them as {@link #append} does.
     */
    public void appendBatches(MemoryRecords records, int indexIntervalBytes) throws IOException {
        int position = log.sizeInBytes();
        if (position == 0) {
            for (RecordBatch first : records.batches()) {
                rollingBasedTimestampMs = first.maxTimestamp();
                break;
            }
        }
        log.append(records);
        for (RecordBatch batch : records.batches()) {
            onBatchWritten(batch.baseOffset(), batch.maxTimestamp(), position, batch.sizeInBytes(), indexIntervalBytes);
            position += batch.sizeInBytes();
        }
    }

    private void onBatchWritten(long batchBaseOffset, long batchMaxTimestampMs, int position, int batchBytes,
            int indexIntervalBytes) throws IOException {
        MaxTimestamp max = maxTimestamp;
        if (batchMaxTimestampMs > max.timestampMs()) {
            max = new MaxTimestamp(batchMaxTimestampMs, batchBaseOffset);
            maxTimestamp = max;
        }
        if (bytesSinceLastIndexEntry > indexIntervalBytes) {
            offsetIndex.append(batchBaseOffset, position);
            timeIndex.maybeAppend(max.timestampMs(), max.offset());
            bytesSinceLastIndexEntry = 0;
        }
        bytesSinceLastIndexEntry += batchBytes;
    }

    /**
     * Reads from the batch holding {@code fetchOffset}: at most {@code maxBytes} (at least that whole
     * batch if {@code minOneBatch}), ending before the first batch whose last offset is at or above
     * {@code maxOffsetExclusive} and before file position {@code maxPosition}.
     *
     * @return the slice, {@link MemoryRecords#EMPTY}, or null if no batch here holds {@code fetchOffset}
     */
    Records read(long fetchOffset, int maxBytes, long maxOffsetExclusive, int maxPosition, boolean minOneBatch) {
        FileRecords.LogOffsetPosition start =
                log.searchForOffsetFromPosition(fetchOffset, offsetIndex.lookupPosition(fetchOffset));
        if (start == null || start.position >= maxPosition) {
            return start == null ? null : MemoryRecords.EMPTY;
        }
        int endPosition = maxPosition;
        if (maxOffsetExclusive != Long.MAX_VALUE) {
            int from = Math.max(start.position, offsetIndex.lookupPosition(maxOffsetExclusive));
            FileRecords.LogOffsetPosition limit = log.searchForOffsetFromPosition(maxOffsetExclusive, from);
            if (limit != null && limit.position < endPosition) {
                endPosition = limit.position;
            }
        }
        int available = endPosition - start.position;
        int size = Math.min(Math.max(maxBytes, 0), available);
        if (minOneBatch && start.size <= available) {
            size = Math.max(size, start.size);
        }
        return size <= 0 ? MemoryRecords.EMPTY : log.slice(start.position, size);
    }

    /** The first record at or above {@code minOffset} with timestamp {@code >= targetMs}, or null. */
    FileRecords.TimestampAndOffset findOffsetByTimestamp(long targetMs, long minOffset) {
        long from = Math.max(timeIndex.lookupOffset(targetMs), minOffset);
        int position = offsetIndex.lookupPosition(from);
        return log.searchForTimestamp(targetMs, position, minOffset);
    }

    /** The offset after this segment's last batch, found from the last index entry onwards. */
    long readNextOffset() {
        long next = baseOffset;
        for (FileChannelRecordBatch batch : log.batchesFrom(offsetIndex.lastPosition())) {
            next = batch.nextOffset();
        }
        return next;
    }

    /**
     * Writer only: re-reads every batch, checks its CRC and framing, cuts the file at the first bad
     * byte and rebuilds both indexes. Each intact batch is handed to {@code onBatch}.
     *
     * @return the number of bytes cut off
     */
    int recover(int indexIntervalBytes, Consumer<RecordBatch> onBatch) throws IOException {
        offsetIndex.reset();
        timeIndex.reset();
        maxTimestamp = new MaxTimestamp(RecordBatch.NO_TIMESTAMP, baseOffset);
        bytesSinceLastIndexEntry = 0;
        rollingBasedTimestampMs = RecordBatch.NO_TIMESTAMP;
        int validBytes = 0;
        long expectedMinOffset = baseOffset;
        String problem = "incomplete batch";
        try {
            for (FileChannelRecordBatch batch : log.batches()) {
                if (batch.magic() != RecordBatch.MAGIC_VALUE_V2) {
                    throw new CorruptRecordException("magic=" + batch.magic());
                }
                batch.ensureValid();
                if (batch.baseOffset() < expectedMinOffset || batch.lastOffset() < batch.baseOffset()
                        || batch.lastOffset() - baseOffset > Integer.MAX_VALUE) {
                    throw new CorruptRecordException("baseOffset=" + batch.baseOffset() + " lastOffset="
                            + batch.lastOffset() + " expectedAtLeast=" + expectedMinOffset);
                }
                onBatchWritten(batch.baseOffset(), batch.maxTimestamp(), validBytes, batch.sizeInBytes(),
                        indexIntervalBytes);
                onBatch.accept(batch);
                validBytes += batch.sizeInBytes();
                expectedMinOffset = batch.nextOffset();
            }
        } catch (CorruptRecordException | InvalidRecordException e) {
            problem = e.getMessage();
        }
        int truncated = log.sizeInBytes() - validBytes;
        if (truncated > 0) {
            LOG.warn("Truncating segment file={} at position={} truncatedBytes={} reason={}",
                    log.file(), validBytes, truncated, problem);
            log.truncateTo(validBytes);
        }
        return truncated;
    }

    /**
     * Writer only: removes every batch from the one holding {@code offset} onwards.
     *
     * @return the number of bytes removed
     */
    int truncateTo(long offset) throws IOException {
        FileRecords.LogOffsetPosition at =
                log.searchForOffsetFromPosition(offset, offsetIndex.lookupPosition(offset));
        if (at == null) {
            return 0;
        }
        offsetIndex.truncateTo(at.offset);
        timeIndex.truncateTo(at.offset);
        txnIndex.truncateTo(at.offset);
        int removed = log.truncateTo(at.position);
        MaxTimestamp max = new MaxTimestamp(timeIndex.lastTimestamp(), timeIndex.lastOffset());
        for (FileChannelRecordBatch batch : log.batchesFrom(offsetIndex.lookupPosition(max.offset()))) {
            if (batch.maxTimestamp() > max.timestampMs()) {
                max = new MaxTimestamp(batch.maxTimestamp(), batch.baseOffset());
            }
        }
        maxTimestamp = max;
        bytesSinceLastIndexEntry = Math.max(0, log.sizeInBytes() - offsetIndex.lastPosition());
        rollingBasedTimestampMs = RecordBatch.NO_TIMESTAMP;
        return removed;
    }

    /** Writer only: the segment stops being active: final time-index entry, files trimmed to their data. */
    public void onBecomeInactive() throws IOException {
        MaxTimestamp max = maxTimestamp;
        timeIndex.appendFinal(max.timestampMs(), max.offset());
        offsetIndex.trimToValidSize();
        timeIndex.trimToValidSize();
        log.trim();
    }

    /** Writer only: the segment becomes active (again): indexes get their full size back. */
    void onBecomeActive() throws IOException {
        offsetIndex.resize(offsetIndex.maxEntries());
        timeIndex.resize(timeIndex.maxEntries());
    }

    public void flush() throws IOException {
        log.flush();
        offsetIndex.flush();
        timeIndex.flush();
        txnIndex.flush();
    }

    /** Renames the files to {@code *.deleted}; readers holding slices keep reading until {@link #closeAndDelete()}. */
    void markDeleted() throws IOException {
        deleted = true;
        Path logPath = log.file().toPath();
        log.renameTo(logPath.resolveSibling(logPath.getFileName() + LogFileNames.DELETED_SUFFIX).toFile());
        offsetIndex.renameTo(offsetIndex.path().resolveSibling(offsetIndex.path().getFileName()
                + LogFileNames.DELETED_SUFFIX));
        timeIndex.renameTo(timeIndex.path().resolveSibling(timeIndex.path().getFileName()
                + LogFileNames.DELETED_SUFFIX));
        txnIndex.renameTo(txnIndex.path().resolveSibling(txnIndex.path().getFileName()
                + LogFileNames.DELETED_SUFFIX));
    }

    /**
     * Renames the files from names ending in {@code fromSuffix} to names ending in {@code toSuffix}
     * (either may be empty), the log file last; open readers keep reading.
     */
    void renameFiles(String fromSuffix, String toSuffix) throws IOException {
        offsetIndex.renameTo(replaceSuffix(offsetIndex.path(), fromSuffix, toSuffix));
        timeIndex.renameTo(replaceSuffix(timeIndex.path(), fromSuffix, toSuffix));
        txnIndex.renameTo(replaceSuffix(txnIndex.path(), fromSuffix, toSuffix));
        log.renameTo(replaceSuffix(log.file().toPath(), fromSuffix, toSuffix).toFile());
    }

    private static Path replaceSuffix(Path path, String fromSuffix, String toSuffix) {
        String name = path.getFileName().toString();
        if (!name.endsWith(fromSuffix)) {
            throw new IllegalStateException("File=" + path + " does not end with suffix=" + fromSuffix);
        }
        return path.resolveSibling(name.substring(0, name.length() - fromSuffix.length()) + toSuffix);
    }

    public void closeAndDelete() throws IOException {
        deleted = true;
        log.deleteIfExists();
        offsetIndex.closeAndDelete();
        timeIndex.closeAndDelete();
        txnIndex.closeAndDelete();
    }

    /** Closes the files as they are, without trimming: what a crash leaves behind. */
    public void closeHandles() throws IOException {
        log.closeHandlers();
        offsetIndex.close();
        timeIndex.close();
        txnIndex.close();
    }

    @Override
    public String toString() {
        return "LogSegment(baseOffset=" + baseOffset + ", sizeInBytes=" + log.sizeInBytes() + ")";
    }
}
