package io.strand.broker.sim;

import io.strand.storage.checkpoint.EpochEndOffset;
import io.strand.storage.checkpoint.LeaderEpochCache;
import io.strand.storage.log.LogAppendResult;
import io.strand.storage.log.LogConfig;
import io.strand.storage.log.LogReadResult;
import io.strand.storage.log.ReplicaLog;
import io.strand.storage.log.UnexpectedAppendOffsetException;
import io.strand.storage.record.BatchValidator;
import io.strand.storage.record.ValidatedBatch;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.Time;

/**
 * A partition replica's log in memory, with {@link io.strand.storage.log.PartitionLog}'s contract
 * where the replication layer relies on it: offsets assigned and batches validated as the leader's
 * append does ({@link BatchValidator}), a follower's batches checked and kept with the leader's
 * offsets and epochs, a partial batch at the end of a fetch dropped, reads that return the batches
 * from the one holding the offset (cut at {@code maxBytes}, at least one whole batch if asked) and
 * never a batch reaching {@code maxOffsetExclusive}, whole-batch truncation, the leader-epoch cache's
 * rules ({@link LeaderEpochCache}) and a high watermark clamped to the log.
 *
 * <p><b>Crash</b> (a kill -9, as {@link SimLogStore} models it): the records, the epochs and the log
 * start are {@link Stored} as the files and the epoch checkpoint are, so every append survives (the
 * page cache outlives the process); the high watermark survives only as last checkpointed, which the
 * file log's manager does when a log is truncated. Reopening trims the epochs that begin at the log
 * end, as loading a file log does. One log directory of one segment: no rolls, no retention, no
 * idempotent producers (an append with a producer id is refused).
 *
 * <p>Not thread-safe: the simulation's event loop only.
 */
final class SimLog implements ReplicaLog {

    /** One batch's place in {@link Stored#data}. */
    record BatchPosition(long baseOffset, long lastOffset, int position, int size) {
    }

    /** What survives the process: the bytes, batch positions, epochs and checkpointed offsets. */
    static final class Stored {
        final Uuid topicId;
        private ByteBuffer data = ByteBuffer.allocate(4096);
        private final List<BatchPosition> batches = new ArrayList<>();
        private List<LeaderEpochCache.Entry> epochs = new ArrayList<>();
        private long logStartOffset;
        private long logEndOffset;
        private long checkpointedHighWatermark;

        Stored(Uuid topicId) {
            this.topicId = topicId;
        }

        private void write(ByteBuffer batchBytes, BatchPosition position) {
            if (data.remaining() < batchBytes.remaining()) {
                int needed = data.position() + batchBytes.remaining();
                ByteBuffer grown = ByteBuffer.allocate(Math.max(2 * data.capacity(), needed));
                data.flip();
                grown.put(data);
                data = grown;
            }
            data.put(batchBytes);
            batches.add(position);
            logEndOffset = position.lastOffset() + 1;
        }
    }

    private final TopicPartition topicPartition;
    private final Stored stored;
    private final Time time;
    /** Called after a truncation: the store checkpoints every open log's high watermark. */
    private final Runnable onTruncated;
    private LogConfig config;
    private long highWatermark;
    private boolean closed;

    /**
     * Opens {@code stored} as loading a file log does: the epochs that begin at the log end trimmed,
     * the high watermark as last checkpointed.
     */
    SimLog(TopicPartition topicPartition, Stored stored, LogConfig config, Time time, Runnable onTruncated) {
        this.topicPartition = topicPartition;
        this.stored = stored;
        this.config = config;
        this.time = time;
        this.onTruncated = onTruncated;
        truncateEpochsFromEnd(stored.logEndOffset);
        this.highWatermark = clamp(stored.checkpointedHighWatermark);
    }

    /** The process died: this object may not write any more. */
    void close() {
        closed = true;
    }

    @Override
    public TopicPartition topicPartition() {
        return topicPartition;
    }

    @Override
    public LogAppendResult appendAsLeader(MemoryRecords records, int leaderEpoch) {
        LogConfig cfg = config;
        ValidatedBatch validated = BatchValidator.validate(topicPartition, records, cfg, time.milliseconds());
        ensureOpen();
        MutableRecordBatch batch = validated.batch();
        if (batch.hasProducerId()) {
            throw new UnsupportedOperationException("No idempotent producer in the simulation: " + topicPartition);
        }
        long firstOffset = stored.logEndOffset;
        long lastOffset = firstOffset + validated.recordCount() - 1;
        batch.setLastOffset(lastOffset);
        batch.setPartitionLeaderEpoch(leaderEpoch);
        long appendTimeMs = -1L;
        if (cfg.timestampType() == TimestampType.LOG_APPEND_TIME) {
            appendTimeMs = time.milliseconds();
            batch.setMaxTimestamp(TimestampType.LOG_APPEND_TIME, appendTimeMs);
        }
        ByteBuffer bytes = validated.records().buffer().duplicate();
        stored.write(bytes, new BatchPosition(firstOffset, lastOffset, stored.data.position(), bytes.remaining()));
        if (leaderEpoch >= 0 && leaderEpoch > latestEpoch()) {
            assignEpoch(leaderEpoch, firstOffset);
        }
        return new LogAppendResult(firstOffset, lastOffset, appendTimeMs, stored.logStartOffset,
                validated.recordCount(), false);
    }

    @Override
    public LogAppendResult appendAsFollower(MemoryRecords records) {
        List<MutableRecordBatch> batches = new ArrayList<>();
        long nextOffset = Long.MIN_VALUE;
        int recordCount = 0;
        for (MutableRecordBatch batch : records.batches()) { // stops before a partial batch at the end
            if (batch.magic() != RecordBatch.MAGIC_VALUE_V2) {
                throw new CorruptRecordException("Replicated batch has magic=" + batch.magic() + ": " + topicPartition);
            }
            batch.ensureValid();
            if (batch.lastOffset() < batch.baseOffset() || batch.baseOffset() < nextOffset) {
                throw new CorruptRecordException("Replicated batch offsets out of order: partition=" + topicPartition
                        + " baseOffset=" + batch.baseOffset() + " expectedAtLeast=" + nextOffset);
            }
            nextOffset = batch.nextOffset();
            Integer count = batch.countOrNull();
            recordCount += count == null ? 0 : count;
            batches.add(batch);
        }
        ensureOpen();
        if (batches.isEmpty()) {
            return new LogAppendResult(-1L, -1L, -1L, stored.logStartOffset, 0, false);
        }
        if (batches.get(0).baseOffset() < stored.logEndOffset) {
            throw new UnexpectedAppendOffsetException(topicPartition.toString(), batches.get(0).baseOffset(),
                    stored.logEndOffset);
        }
        for (MutableRecordBatch batch : batches) {
            ByteBuffer bytes = ByteBuffer.allocate(batch.sizeInBytes());
            batch.writeTo(bytes);
            bytes.flip();
            stored.write(bytes, new BatchPosition(batch.baseOffset(), batch.lastOffset(), stored.data.position(),
                    bytes.remaining()));
            int epoch = batch.partitionLeaderEpoch();
            if (epoch >= 0 && epoch < latestEpoch()) {
                // An epoch begun here as leader without a batch of it: the leader's older batches land there.
                truncateEpochsFromEnd(batch.baseOffset());
            }
            if (epoch >= 0 && epoch > latestEpoch()) {
                assignEpoch(epoch, batch.baseOffset());
            }
        }
        return new LogAppendResult(batches.get(0).baseOffset(), batches.get(batches.size() - 1).lastOffset(), -1L,
                stored.logStartOffset, recordCount, false);
    }

    @Override
    public void assignEpochStartOffset(int leaderEpoch, long startOffset) {
        ensureOpen();
        int latest = latestEpoch();
        if (leaderEpoch < 0 || leaderEpoch < latest) {
            throw new IllegalArgumentException("Leader epoch may not go back: partition=" + topicPartition
                    + " leaderEpoch=" + leaderEpoch + " latestEpoch=" + latest);
        }
        if (leaderEpoch == latest) {
            return;
        }
        if (startOffset != stored.logEndOffset) {
            throw new IllegalArgumentException("A leader epoch starts at the log end: partition=" + topicPartition
                    + " leaderEpoch=" + leaderEpoch + " startOffset=" + startOffset + " logEndOffset="
                    + stored.logEndOffset);
        }
        assignEpoch(leaderEpoch, startOffset);
    }

    @Override
    public LogReadResult read(long fetchOffset, int maxBytes, long maxOffsetExclusive, boolean minOneBatch) {
        long end = stored.logEndOffset;
        if (fetchOffset < stored.logStartOffset || fetchOffset > end) {
            throw new OffsetOutOfRangeException("Offset=" + fetchOffset + " is outside the log [logStartOffset="
                    + stored.logStartOffset + ", logEndOffset=" + end + "]: partition=" + topicPartition);
        }
        MemoryRecords records = MemoryRecords.EMPTY;
        if (fetchOffset < Math.min(maxOffsetExclusive, end)) {
            int first = firstBatchEndingAtOrAbove(fetchOffset);
            BatchPosition start = stored.batches.get(first);
            int endPosition = stored.data.position();
            if (maxOffsetExclusive < end) {
                endPosition = stored.batches.get(firstBatchEndingAtOrAbove(maxOffsetExclusive)).position();
            }
            int available = endPosition - start.position();
            int size = Math.min(Math.max(maxBytes, 0), available);
            if (minOneBatch && start.size() <= available) {
                size = Math.max(size, start.size());
            }
            if (size > 0) {
                // A copy, as bytes read off a file are: a later truncation must not change them.
                ByteBuffer copy = ByteBuffer.allocate(size);
                copy.put(stored.data.duplicate().position(start.position()).limit(start.position() + size));
                records = MemoryRecords.readableRecords(copy.flip());
            }
        }
        return new LogReadResult(records, stored.logStartOffset, end, highWatermark);
    }

    @Override
    public long logStartOffset() {
        return stored.logStartOffset;
    }

    @Override
    public long logEndOffset() {
        return stored.logEndOffset;
    }

    @Override
    public long highWatermark() {
        return highWatermark;
    }

    @Override
    public void updateHighWatermark(long highWatermark) {
        this.highWatermark = clamp(highWatermark);
    }

    @Override
    public EpochEndOffset endOffsetForEpoch(int requestedEpoch) {
        return LeaderEpochCache.endOffsetFor(stored.epochs, requestedEpoch, stored.logEndOffset);
    }

    @Override
    public int latestEpoch() {
        List<LeaderEpochCache.Entry> e = stored.epochs;
        return e.isEmpty() ? -1 : e.get(e.size() - 1).epoch();
    }

    @Override
    public void truncateTo(long offset) {
        ensureOpen();
        if (offset < 0) {
            throw new IllegalArgumentException("Cannot truncate partition=" + topicPartition + " to offset=" + offset);
        }
        if (offset >= stored.logEndOffset) {
            truncateEpochsFromEnd(stored.logEndOffset);
            return;
        }
        if (offset <= stored.logStartOffset) {
            startEmptyAt(offset);
        } else {
            int cut = firstBatchEndingAtOrAbove(offset); // a batch is never split
            BatchPosition from = stored.batches.get(cut);
            stored.batches.subList(cut, stored.batches.size()).clear();
            stored.data.position(from.position());
            stored.logEndOffset = cut == 0 ? stored.logStartOffset : stored.batches.get(cut - 1).lastOffset() + 1;
            highWatermark = Math.min(highWatermark, stored.logEndOffset);
            truncateEpochsFromEnd(stored.logEndOffset);
        }
        onTruncated.run();
    }

    @Override
    public void truncateFullyAndStartAt(long offset) {
        ensureOpen();
        if (offset < 0) {
            throw new IllegalArgumentException("Cannot restart partition=" + topicPartition + " at offset=" + offset);
        }
        startEmptyAt(offset);
        onTruncated.run();
    }

    @Override
    public void updateConfig(LogConfig config) {
        this.config = config;
    }

    /** The store's checkpoint of this log's high watermark (the file log's manager writes one per truncation). */
    void checkpointHighWatermark() {
        stored.checkpointedHighWatermark = highWatermark;
    }

    private void startEmptyAt(long offset) {
        stored.batches.clear();
        stored.data.clear();
        stored.logStartOffset = offset;
        stored.logEndOffset = offset;
        highWatermark = offset;
        stored.epochs = new ArrayList<>();
    }

    /** The index of the first batch whose last offset is at or above {@code offset}; one exists below the log end. */
    private int firstBatchEndingAtOrAbove(long offset) {
        List<BatchPosition> batches = stored.batches;
        int low = 0;
        int high = batches.size() - 1;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (batches.get(mid).lastOffset() < offset) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    /** As {@link LeaderEpochCache#assign}: a newer epoch only; entries at or after its start go. */
    private void assignEpoch(int epoch, long startOffset) {
        List<LeaderEpochCache.Entry> next = new ArrayList<>(stored.epochs.size() + 1);
        for (LeaderEpochCache.Entry e : stored.epochs) {
            if (e.startOffset() < startOffset) {
                next.add(e);
            }
        }
        next.add(new LeaderEpochCache.Entry(epoch, startOffset));
        stored.epochs = next;
    }

    /** As {@link LeaderEpochCache#truncateFromEnd}: forgets epochs that began at or after {@code endOffset}. */
    private void truncateEpochsFromEnd(long endOffset) {
        stored.epochs.removeIf(e -> e.startOffset() >= endOffset);
    }

    private long clamp(long offset) {
        return Math.max(stored.logStartOffset, Math.min(offset, stored.logEndOffset));
    }

    private void ensureOpen() {
        if (closed) {
            throw new KafkaStorageException("Log of " + topicPartition + " is closed: its broker was killed");
        }
    }

    @Override
    public String toString() {
        return "SimLog(" + topicPartition + ", start=" + stored.logStartOffset + ", end=" + stored.logEndOffset
                + ", hw=" + highWatermark + ", epochs=" + stored.epochs + ")";
    }
}
