package io.strand.storage.log;

import io.strand.storage.checkpoint.CheckpointedOffsets;
import io.strand.storage.checkpoint.EpochEndOffset;
import io.strand.storage.checkpoint.LeaderEpochCache;
import io.strand.storage.file.LogFileNames;
import io.strand.storage.file.StorageFiles;
import io.strand.storage.index.AbortedTxn;
import io.strand.storage.producer.ActiveProducer;
import io.strand.storage.producer.CompletedTxn;
import io.strand.storage.producer.LastRecord;
import io.strand.storage.producer.ProducerEntry;
import io.strand.storage.producer.ProducerStateManager;
import io.strand.storage.record.BatchValidator;
import io.strand.storage.record.ValidatedBatch;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log of one partition replica: an ordered set of {@link LogSegment}s in one directory, the
 * offsets that describe it, its idempotent-producer state and its leader epochs.
 *
 * <p><b>Offsets.</b> {@code logStartOffset <= highWatermark <= logEndOffset} at all times. The log end is
 * the offset the next record gets; the start is the first offset a reader may ask for (moved by
 * retention and DeleteRecords); the high watermark is set by the replication layer and bounds what
 * consumers see and what retention may delete; the recovery point is the offset below which everything
 * was fsynced.
 *
 * <p><b>Replication.</b> A leader appends produce requests with {@link #appendAsLeader}, which assigns
 * offsets and stamps its leader epoch, and records a new epoch's start at once with
 * {@link #assignEpochStartOffset}. A follower writes what it fetched with {@link #appendAsFollower},
 * keeping the leader's offsets and epochs, finds where it diverged with {@link #endOffsetForEpoch} and
 * {@link #latestEpoch}, cuts its log there with {@link #truncateTo} (or restarts it with
 * {@link #truncateFullyAndStartAt} when its fetch offset is outside the leader's log), and takes the
 * leader's high watermark with {@link #updateHighWatermark}. Both paths update the leader-epoch cache
 * and the idempotent-producer state the same way recovery rebuilds them, so any replica can become
 * leader and deduplicate a producer's retries.
 *
 * <p><b>Transactions.</b> The leader appends transactional data batches with {@link #appendAsLeader}
 * (the first one of a producer opens its transaction; whether the coordinator knows of it is the
 * broker's to check) and the coordinator's commit and abort markers with {@link #appendMarker}; a
 * follower replays both from its leader. Aborted transactions go to each segment's transaction index
 * ({@code .txnindex}), which {@link #collectAbortedTransactions} reads for read_committed fetches, bounded
 * by {@link #lastStableOffset}. Producers may not write control batches. Non-transactional batches pay
 * nothing for this: no lock, allocation or scan beyond the idempotent-producer checks.
 *
 * <p><b>Threads.</b> Appends, rolls, retention, truncation, config changes and close take the writer
 * lock, so there is one writer at a time. Reads ({@link #read}, the offset getters, timestamp and epoch
 * lookups) take no lock: segments live in a {@link ConcurrentSkipListMap}, and the log end (offset,
 * active segment, its file position) is published through one volatile after the bytes are written, so
 * a reader never sees a half-written batch. Flushes take a separate flush lock and may run on a
 * background thread while the writer appends. A deleted segment's files are renamed at once and
 * closed only {@code file.delete.delay.ms} later, so readers holding a slice finish their reads.
 *
 * <p><b>What survives a crash.</b> An append returns once its bytes are in the page cache (and, when
 * {@code flush.messages} says so, fsynced):
 * <ul>
 *   <li>process crash ({@code kill -9}, JVM abort): nothing returned by an append is lost, whatever the
 *       flush settings; the page cache outlives the process. Recovery re-checks the segments from the
 *       recovery point on and cuts a batch torn by the crash;</li>
 *   <li>power loss or kernel crash: what was not fsynced may be lost or torn. {@code flush.messages=1}
 *       fsyncs every append before it returns (nothing acknowledged is lost); {@code flush.messages=N}
 *       bounds the loss to fewer than N records; {@code flush.ms=T} has a background task fsync a log
 *       whose last flush is older than T, bounding the loss to about T plus
 *       {@code log.flush.scheduler.interval.ms}. With Kafka's defaults (both unlimited) data is fsynced
 *       when its segment rolls and at clean shutdown: durability then comes from replication, as in
 *       Kafka.</li>
 * </ul>
 * Compaction ({@link io.strand.storage.cleaner.LogCleaner}) rewrites inactive segments off the writer's
 * thread and swaps them in under the writer lock with {@link #replaceSegments}; offsets never change,
 * readers keep their slices. Checkpoints (recovery point, high watermark, log start) are written
 * periodically by the {@link io.strand.storage.LogManager} and at shutdown; DeleteRecords checkpoints
 * the new log start at once.
 */
public final class PartitionLog implements ReplicaLog {

    private static final Logger LOG = LoggerFactory.getLogger(PartitionLog.class);

    /** The published end of the log: next offset, the active segment, and its file size at that offset. */
    record LogEnd(long offset, LogSegment segment, int position) {
    }

    private final TopicPartition topicPartition;
    private final Uuid topicId;
    private final Path dir;
    private final LogEnvironment env;
    private final ReentrantLock lock = new ReentrantLock();
    private final ReentrantLock flushLock = new ReentrantLock();
    private final ConcurrentSkipListMap<Long, LogSegment> segments;
    private final ProducerStateManager producerState;
    private final LeaderEpochCache epochCache;
    private final SegmentDeleter deleter;

    private volatile LogConfig config;
    private volatile LogEnd logEnd;
    private volatile long logStartOffset;
    private volatile long highWatermark;
    private volatile long recoveryPoint;
    private volatile long lastFlushMs;
    private volatile boolean dirNeedsFsync;
    private volatile boolean closed;
    /**
     * The producer state's first unstable offset as of the writer's last change, or -1 (written under the
     * writer lock, read by {@link #lastStableOffset} without it).
     */
    private volatile long firstUnstableOffset = -1L;
    /**
     * Whether a completed transaction waits for the high watermark to pass its marker: then a high
     * watermark update takes the writer lock to let the first unstable offset move (see
     * {@link #updateHighWatermark}); otherwise it takes no lock.
     */
    private volatile boolean unreplicatedTxnsPending;
    /** The lowest offset truncated to since the cleaner last asked, or Long.MAX_VALUE. */
    private final AtomicLong truncatedToOffset =
            new AtomicLong(Long.MAX_VALUE);

    private PartitionLog(Path dir, TopicPartition topicPartition, Uuid topicId, LogConfig config,
            LogEnvironment env, LogLoader.LoadedLog loaded) {
        this.dir = dir;
        this.topicPartition = topicPartition;
        this.topicId = topicId;
        this.config = config;
        this.env = env;
        this.segments = loaded.segments();
        this.producerState = loaded.producerState();
        this.epochCache = loaded.epochCache();
        this.deleter = new SegmentDeleter(topicPartition.toString(), env.scheduler());
        LogSegment active = segments.lastEntry().getValue();
        this.logEnd = new LogEnd(loaded.logEndOffset(), active, active.sizeInBytes());
        this.logStartOffset = loaded.logStartOffset();
        this.highWatermark = loaded.highWatermark();
        this.recoveryPoint = loaded.recoveryPoint();
        this.lastFlushMs = env.time().milliseconds();
        onTransactionStateChanged();
    }

    /**
     * Opens the log in {@code dir}, recovering it if the last shutdown was not clean. After a recovery
     * the recovered data is fsynced, so the recovery point is the log end.
     */
    public static PartitionLog open(Path dir, TopicPartition tp, Uuid topicId, LogConfig config, LogEnvironment env,
            boolean hadCleanShutdown, CheckpointedOffsets checkpoint) throws IOException {
        LogLoader.LoadedLog loaded = LogLoader.load(dir, tp, config, env, hadCleanShutdown, checkpoint);
        PartitionLog log = new PartitionLog(dir, tp, topicId, config, env, loaded);
        if (!hadCleanShutdown) {
            log.dirNeedsFsync = true;
            try {
                log.flush();
            } catch (RuntimeException e) {
                log.closeHandles();
                throw e;
            }
        }
        return log;
    }

    public TopicPartition topicPartition() {
        return topicPartition;
    }

    public Uuid topicId() {
        return topicId;
    }

    /**
     * Validates and appends a produce request's records as leader. Thread-safe: validation runs on the
     * caller's thread, offset assignment and the write under the writer lock. Returns when the bytes
     * are written (and fsynced if {@code flush.messages} is reached). A rejected append changes
     * nothing. A retried idempotent batch is not written again: the result has {@code duplicate=true},
     * the original offsets and, as {@code logAppendTimeMs}, the original batch's max timestamp (Kafka's
     * answer to a retry, CreateTime topics included).
     *
     * @throws org.apache.kafka.common.errors.ApiException the kafka-clients exception for the error code:
     *     {@code CorruptRecordException}, {@code InvalidRecordException}, {@code RecordTooLargeException},
     *     {@code InvalidTimestampException}, {@code UnsupportedForMessageFormatException},
     *     {@code OutOfOrderSequenceException}, {@code InvalidProducerEpochException},
     *     {@code InvalidTxnStateException} (a non-transactional batch of a producer with an ongoing
     *     transaction), {@code KafkaStorageException}
     */
    public LogAppendResult appendAsLeader(MemoryRecords records, int leaderEpoch) {
        return appendAsLeader(records, leaderEpoch, AppendOrigin.CLIENT);
    }

    /**
     * As {@link #appendAsLeader(MemoryRecords, int)}, for a batch from {@code origin}: a
     * {@link AppendOrigin#COORDINATOR} batch (a coordinator's transactional write on a producer's behalf, every
     * one at base sequence 0 as Kafka's coordinators write them) has its epoch and transaction state checked,
     * not its sequences, and is never taken for a retry.
     */
    public LogAppendResult appendAsLeader(MemoryRecords records, int leaderEpoch, AppendOrigin origin) {
        boolean fromClient = origin == AppendOrigin.CLIENT;
        LogConfig cfg = config;
        ValidatedBatch validated = BatchValidator.validate(topicPartition, records, cfg, env.time().milliseconds());
        MutableRecordBatch batch = validated.batch();
        lock.lock();
        try {
            ensureOpen();
            if (batch.hasProducerId()) {
                ProducerEntry.BatchMetadata duplicate = producerState.checkAppend(batch.producerId(),
                        batch.producerEpoch(), batch.baseSequence(), batch.lastSequence(), batch.isTransactional(),
                        fromClient);
                if (duplicate != null) {
                    // Kafka answers a retry with the original batch's max timestamp as its append time,
                    // whatever the topic's timestamp type.
                    return new LogAppendResult(duplicate.firstOffset(), duplicate.lastOffset(), duplicate.timestampMs(),
                            logStartOffset, (int) (duplicate.lastOffset() - duplicate.firstOffset() + 1), true);
                }
            }
            long firstOffset = logEnd.offset();
            long lastOffset = firstOffset + validated.recordCount() - 1;
            batch.setLastOffset(lastOffset);
            batch.setPartitionLeaderEpoch(leaderEpoch);
            long appendTimeMs = -1L;
            long maxTimestampMs = validated.maxTimestampMs();
            if (cfg.timestampType() == TimestampType.LOG_APPEND_TIME) {
                appendTimeMs = env.time().milliseconds();
                batch.setMaxTimestamp(TimestampType.LOG_APPEND_TIME, appendTimeMs);
                maxTimestampMs = appendTimeMs;
            }
            write(cfg, validated.records(), firstOffset, lastOffset, maxTimestampMs, leaderEpoch);
            if (batch.hasProducerId()) {
                producerState.onBatchAppended(batch.producerId(), batch.producerEpoch(), new ProducerEntry.BatchMetadata(
                        batch.baseSequence(), batch.lastSequence(), firstOffset, lastOffset, maxTimestampMs),
                        batch.isTransactional());
                if (batch.isTransactional()) {
                    onTransactionStateChanged();
                }
            }
            producerState.setMapEndOffset(lastOffset + 1);
            if (lastOffset + 1 - recoveryPoint >= cfg.flushIntervalMessages()) {
                flushUpTo(lastOffset + 1);
            }
            return new LogAppendResult(firstOffset, lastOffset, appendTimeMs, logStartOffset,
                    validated.recordCount(), false);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Writes a commit or abort marker for producer {@code producerId} as leader (what WriteTxnMarkers
     * asks of a partition), with the rules of transaction versions 0 and 1: the marker's producer epoch
     * may not be older than the producer's. See {@link #appendMarker(long, short, int, boolean, int, short)}.
     */
    public LogAppendResult appendMarker(long producerId, short producerEpoch, int coordinatorEpoch, boolean commit,
            int leaderEpoch) {
        return appendMarker(producerId, producerEpoch, coordinatorEpoch, commit, leaderEpoch, (short) 0);
    }

    /**
     * Writes a commit or abort marker for producer {@code producerId} as leader: one control batch
     * (kafka-clients' {@code EndTransactionMarker}: version 0, {@code coordinatorEpoch}) at the log end,
     * stamped with {@code leaderEpoch}, timestamped now (LogAppendTime if the topic says so). It ends
     * the producer's ongoing transaction; an aborted one is added to the active segment's transaction
     * index before the marker becomes visible to readers. The last stable offset moves past the
     * transaction once the high watermark passes the marker. A marker for a producer with no ongoing
     * transaction is written all the same and changes only its epochs. Thread-safe (writer lock); a
     * refused marker changes nothing. Checks against the transaction coordinator are the caller's.
     *
     * @param transactionVersion the coordinator's transaction version: from 2 on, every marker bumps the
     *     producer epoch, so it must be newer than the producer's (a repeat of the current epoch's marker
     *     after the transaction ended is accepted as a retry)
     * @return the marker's offset as first and last offset, one record
     * @throws org.apache.kafka.common.errors.InvalidProducerEpochException if the epoch is too old (INVALID_PRODUCER_EPOCH)
     * @throws org.apache.kafka.common.errors.TransactionCoordinatorFencedException if {@code coordinatorEpoch}
     *     is older than the one of the producer's last marker (TRANSACTION_COORDINATOR_FENCED)
     * @throws KafkaStorageException if the write fails; the log is then taken offline
     */
    public LogAppendResult appendMarker(long producerId, short producerEpoch, int coordinatorEpoch, boolean commit,
            int leaderEpoch, short transactionVersion) {
        if (producerId < 0 || producerEpoch < 0) {
            throw new IllegalArgumentException("A transaction marker needs a producer: partition=" + topicPartition
                    + " producerId=" + producerId + " producerEpoch=" + producerEpoch);
        }
        lock.lock();
        try {
            ensureOpen();
            producerState.checkMarker(producerId, producerEpoch, coordinatorEpoch, transactionVersion);
            LogConfig cfg = config;
            long offset = logEnd.offset();
            long nowMs = env.time().milliseconds();
            MemoryRecords records = MemoryRecords.withEndTransactionMarker(offset, nowMs, leaderEpoch, producerId,
                    producerEpoch, new EndTransactionMarker(commit ? ControlRecordType.COMMIT : ControlRecordType.ABORT,
                            coordinatorEpoch));
            long appendTimeMs = -1L;
            if (cfg.timestampType() == TimestampType.LOG_APPEND_TIME) {
                records.batches().iterator().next().setMaxTimestamp(TimestampType.LOG_APPEND_TIME, nowMs);
                appendTimeMs = nowMs;
            }
            LogSegment segment = writeUnpublished(cfg, records, offset, offset, nowMs, leaderEpoch);
            try {
                CompletedTxn completed = producerState.onMarker(producerId, producerEpoch, coordinatorEpoch, commit,
                        offset, nowMs);
                if (completed != null && completed.aborted()) {
                    appendAborted(segment, completed);
                }
            } catch (IOException | RuntimeException e) {
                throw offline(offset, e);
            }
            logEnd = new LogEnd(offset + 1, segment, segment.sizeInBytes());
            producerState.setMapEndOffset(offset + 1);
            onTransactionStateChanged();
            if (offset + 1 - recoveryPoint >= cfg.flushIntervalMessages()) {
                flushUpTo(offset + 1);
            }
            return new LogAppendResult(offset, offset, appendTimeMs, logStartOffset, 1, false);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Writer only: adds an aborted transaction to {@code segment}'s index; the index's first entry creates
     * its file, whose directory entry the next flush then makes durable with the segment.
     */
    private void appendAborted(LogSegment segment, CompletedTxn completed) throws IOException {
        segment.txnIndex().append(abortedTxn(completed));
        if (segment.txnIndex().entries() == 1) {
            dirNeedsFsync = true;
        }
    }

    /** The transaction-index entry of an aborted transaction. */
    static AbortedTxn abortedTxn(CompletedTxn completed) {
        return new AbortedTxn(completed.producerId(), completed.firstOffset(), completed.lastOffset(),
                completed.lastStableOffset());
    }

    /**
     * Writer only, after the producer state's transactions changed (or the high watermark moved while a
     * completed transaction waited for it): drops the completed transactions whose marker is below the
     * high watermark and publishes the first unstable offset. The flag is written before the high
     * watermark is read, and {@link #updateHighWatermark} writes the high watermark before it reads the
     * flag, so a completed transaction is never left waiting for an update that already happened.
     */
    private void onTransactionStateChanged() {
        if (producerState.hasUnreplicatedTransactions()) {
            unreplicatedTxnsPending = true;
            producerState.onHighWatermarkUpdated(highWatermark);
            unreplicatedTxnsPending = producerState.hasUnreplicatedTransactions();
        } else {
            unreplicatedTxnsPending = false;
        }
        firstUnstableOffset = producerState.firstUnstableOffset();
    }

    /**
     * Appends batches a follower fetched from its leader, keeping the offsets and leader epochs the
     * leader stamped. Thread-safe: the checks ({@link ReplicatedBatches}: magic, CRC, framing, offsets
     * increasing) run on the caller's thread, the write under the writer lock. Each batch whose epoch is
     * newer than the latest records that epoch's start offset; idempotent and transactional batches and
     * transaction markers update the producer state exactly as recovery replays them (no checks), so a
     * follower that becomes leader recognises a producer's retries and open transactions as the old
     * leader would; an abort marker adds its transaction to the segment's transaction index before the
     * batches become visible to readers. Rolls, indexes and {@code flush.messages} as on the
     * leader path. A partial batch at the end (the fetch's byte limit) is dropped; a batch may start
     * above the log end (a gap left by compaction in the leader's log), never below.
     *
     * @return the offsets of the first and last appended batch; offsets {@code -1} and no records if the
     *     records hold no complete batch
     * @throws UnexpectedAppendOffsetException if the first batch starts below the log end; nothing is written
     * @throws org.apache.kafka.common.errors.CorruptRecordException if a batch fails its checks; nothing is written
     * @throws KafkaStorageException if the write fails; the log is then taken offline
     */
    public LogAppendResult appendAsFollower(MemoryRecords records) {
        ReplicatedBatches checked = ReplicatedBatches.check(topicPartition, records);
        lock.lock();
        try {
            ensureOpen();
            if (checked.batches().isEmpty()) {
                return new LogAppendResult(-1L, -1L, -1L, logStartOffset, 0, false);
            }
            long endOffset = logEnd.offset();
            if (checked.firstOffset() < endOffset) {
                throw new UnexpectedAppendOffsetException(topicPartition.toString(), checked.firstOffset(), endOffset);
            }
            LogConfig cfg = config;
            if (writeReplicated(cfg, checked)) {
                onTransactionStateChanged();
            }
            long lastOffset = checked.lastOffset();
            if (lastOffset + 1 - recoveryPoint >= cfg.flushIntervalMessages()) {
                flushUpTo(lastOffset + 1);
            }
            return new LogAppendResult(checked.firstOffset(), lastOffset, -1L, logStartOffset, checked.recordCount(),
                    false);
        } finally {
            lock.unlock();
        }
    }

    /**
     * A replica that becomes leader records that {@code leaderEpoch} begins at its log end
     * {@code startOffset}, before any batch of it is written, so OffsetForLeaderEpoch and followers'
     * divergence checks see the new epoch at once (Kafka's {@code Partition.makeLeader} does the same).
     * Checkpointed and fsynced before it returns, but, as in Kafka, loading the log after a restart trims
     * epochs that begin at the log end, so an epoch with no batch yet must be assigned again when the
     * replica becomes leader again. Thread-safe (writer lock). Calling it again for the latest epoch
     * changes nothing.
     *
     * @throws IllegalArgumentException if {@code leaderEpoch} is negative or older than the latest epoch
     *     (epochs never go back), or {@code startOffset} is not the log end
     */
    public void assignEpochStartOffset(int leaderEpoch, long startOffset) {
        lock.lock();
        try {
            ensureOpen();
            int latest = epochCache.latestEpoch();
            if (leaderEpoch < 0 || leaderEpoch < latest) {
                throw new IllegalArgumentException("Leader epoch may not go back: partition=" + topicPartition
                        + " leaderEpoch=" + leaderEpoch + " latestEpoch=" + latest);
            }
            if (leaderEpoch == latest) {
                return;
            }
            if (startOffset != logEnd.offset()) {
                throw new IllegalArgumentException("A leader epoch starts at the log end: partition=" + topicPartition
                        + " leaderEpoch=" + leaderEpoch + " startOffset=" + startOffset
                        + " logEndOffset=" + logEnd.offset());
            }
            epochCache.assign(leaderEpoch, startOffset);
        } catch (IOException e) {
            throw storageFailure("Cannot write leader epochs", e);
        } finally {
            lock.unlock();
        }
    }

    /** Writer only: rolls if due, writes the stamped batch, records its epoch, publishes the new end. */
    private void write(LogConfig cfg, MemoryRecords records, long firstOffset, long lastOffset, long maxTimestampMs,
            int leaderEpoch) {
        LogSegment segment = writeUnpublished(cfg, records, firstOffset, lastOffset, maxTimestampMs, leaderEpoch);
        logEnd = new LogEnd(lastOffset + 1, segment, segment.sizeInBytes());
    }

    /**
     * Writer only: {@link #write} without publishing the new end, which the caller does once it has
     * finished what must precede readers seeing the batch.
     *
     * @return the segment the batch went to
     */
    private LogSegment writeUnpublished(LogConfig cfg, MemoryRecords records, long firstOffset, long lastOffset,
            long maxTimestampMs, int leaderEpoch) {
        try {
            long nowMs = env.time().milliseconds();
            LogSegment segment = logEnd.segment();
            if (segment.shouldRoll(cfg, records.sizeInBytes(), maxTimestampMs, lastOffset, nowMs)) {
                segment = roll(nowMs, firstOffset);
            }
            segment.append(firstOffset, maxTimestampMs, records, cfg.indexIntervalBytes());
            if (leaderEpoch >= 0 && leaderEpoch > epochCache.latestEpoch()) {
                epochCache.assign(leaderEpoch, firstOffset);
            }
            return segment;
        } catch (IOException | RuntimeException | InternalError e) {
            throw offline(firstOffset, e);
        }
    }

    /**
     * Writer only: the follower's {@link #write}. Rolls if due (the new segment starting at the first
     * batch), writes all the batches at once, records each new epoch where its first batch begins,
     * replays them into the producer state (aborted transactions into the segment's transaction index),
     * publishes the new end.
     *
     * @return whether a batch was transactional or a control batch (the transactions may have changed)
     */
    private boolean writeReplicated(LogConfig cfg, ReplicatedBatches checked) {
        long firstOffset = checked.firstOffset();
        long lastOffset = checked.lastOffset();
        try {
            long nowMs = env.time().milliseconds();
            LogSegment segment = logEnd.segment();
            MemoryRecords records = checked.records();
            if (segment.shouldRoll(cfg, records.sizeInBytes(), checked.maxTimestampMs(), lastOffset, nowMs)) {
                segment = roll(nowMs, firstOffset);
            }
            segment.appendBatches(records, cfg.indexIntervalBytes());
            for (MutableRecordBatch batch : checked.batches()) {
                int epoch = batch.partitionLeaderEpoch();
                int latest = epochCache.latestEpoch();
                if (epoch >= 0 && epoch < latest) {
                    // An epoch this replica began as leader at its log end without writing a batch of it:
                    // the leader's batches of an older epoch land there, so that epoch never began here.
                    epochCache.truncateFromEnd(batch.baseOffset());
                }
                if (epoch >= 0 && epoch > epochCache.latestEpoch()) {
                    epochCache.assign(epoch, batch.baseOffset());
                }
            }
            boolean transactions = false;
            for (MutableRecordBatch batch : checked.batches()) {
                transactions |= batch.isTransactional() || batch.isControlBatch();
                CompletedTxn completed = producerState.replay(batch);
                if (completed != null && completed.aborted()) {
                    appendAborted(segment, completed);
                }
            }
            logEnd = new LogEnd(lastOffset + 1, segment, segment.sizeInBytes());
            return transactions;
        } catch (IOException | RuntimeException | InternalError e) {
            throw offline(firstOffset, e);
        }
    }

    /**
     * After a failed write the file position may be past the published end: refuse further writes; a
     * restart recovers. An I/O error (or the {@code InternalError} of a mapped index page the disk cannot
     * back) also takes the log directory offline.
     */
    private KafkaStorageException offline(long firstOffset, Throwable e) {
        closed = true;
        String message = "Append failed, log taken offline: partition=" + topicPartition + " dir=" + dir
                + " offset=" + firstOffset;
        if (isIoFailure(e)) {
            env.storageFailures().onStorageFailure(dir.getParent(), message, e);
        }
        return new KafkaStorageException(message, e);
    }

    /**
     * An I/O error of the disk: an {@code IOException} (also wrapped in a {@code KafkaException}, as
     * {@code FileRecords} wraps its read errors) or an {@code InternalError}. A
     * {@code ClosedChannelException} is not one: the files were closed on purpose (the log was deleted,
     * or its directory already went offline).
     */
    private static boolean isIoFailure(Throwable e) {
        Throwable io = e instanceof KafkaException ? e.getCause() : e;
        return io instanceof IOException && !(io instanceof ClosedChannelException) || io instanceof InternalError;
    }

    /**
     * An I/O error in this log's files: reports its log directory as failed and returns the exception
     * the caller throws, which clients see as KAFKA_STORAGE_ERROR. The log itself is closed by the
     * directory's failure handler.
     */
    private KafkaStorageException storageFailure(String what, Throwable cause) {
        String message = what + ": partition=" + topicPartition + " dir=" + dir;
        env.storageFailures().onStorageFailure(dir.getParent(), message, cause);
        return new KafkaStorageException(message, cause);
    }

    /**
     * Writer only: closes the active segment and starts a new one at {@code newBaseOffset}: the log end,
     * or above it when a replicated batch follows a gap that compaction left in the leader's log.
     */
    private LogSegment roll(long nowMs, long newBaseOffset) throws IOException {
        LogEnd end = logEnd;
        LogSegment old = end.segment();
        if (old.sizeInBytes() == 0) {
            return old;
        }
        old.onBecomeInactive();
        producerState.setMapEndOffset(newBaseOffset);
        producerState.takeSnapshot();
        LogSegment segment = LogSegment.create(dir, newBaseOffset, config, nowMs, env.rollJitterMs(config));
        segments.put(newBaseOffset, segment);
        dirNeedsFsync = true;
        logEnd = new LogEnd(newBaseOffset, segment, 0);
        LOG.debug("Rolled partition={} to segment baseOffset={}", topicPartition, newBaseOffset);
        env.scheduler().scheduleOnce("flush-" + topicPartition, () -> flushUpTo(newBaseOffset), 0L);
        return segment;
    }

    /**
     * Lock-free read: the batches from the one holding {@code fetchOffset}, up to {@code maxBytes} (at
     * least that whole batch if {@code minOneBatch}), never including a batch whose last offset is at
     * or above {@code maxOffsetExclusive}. Reads stay within one segment.
     *
     * @throws OffsetOutOfRangeException if {@code fetchOffset} is outside [log start, log end]
     * @throws KafkaStorageException if a file cannot be read; its log directory is reported failed
     */
    public LogReadResult read(long fetchOffset, int maxBytes, long maxOffsetExclusive, boolean minOneBatch) {
        try {
            return readUnchecked(fetchOffset, maxBytes, maxOffsetExclusive, minOneBatch);
        } catch (KafkaException | InternalError e) {
            throw maybeStorageFailure("Read failed at offset=" + fetchOffset, e);
        }
    }

    /** A read's failure: an I/O error becomes {@link #storageFailure}; anything else is rethrown as it is. */
    private RuntimeException maybeStorageFailure(String what, Throwable e) {
        if (!(e instanceof ApiException) && isIoFailure(e)) {
            return storageFailure(what, e);
        }
        if (e instanceof Error error) {
            throw error;
        }
        return (RuntimeException) e;
    }

    private LogReadResult readUnchecked(long fetchOffset, int maxBytes, long maxOffsetExclusive, boolean minOneBatch) {
        LogEnd end = logEnd;
        long startOffset = logStartOffset;
        long hw = highWatermark;
        if (fetchOffset < startOffset || fetchOffset > end.offset()) {
            throw outOfRange(fetchOffset, startOffset, end.offset());
        }
        long limit = Math.min(maxOffsetExclusive, end.offset());
        Records records = MemoryRecords.EMPTY;
        if (fetchOffset < limit) {
            long searchLimit = maxOffsetExclusive < end.offset() ? maxOffsetExclusive : Long.MAX_VALUE;
            Map.Entry<Long, LogSegment> entry = segments.floorEntry(fetchOffset);
            if (entry == null) {
                throw outOfRange(fetchOffset, logStartOffset, end.offset());
            }
            while (entry != null && entry.getKey() < limit) {
                LogSegment segment = entry.getValue();
                int maxPosition = segment == end.segment() ? end.position() : segment.sizeInBytes();
                Records r = segment.read(fetchOffset, maxBytes, searchLimit, maxPosition, minOneBatch);
                if (r != null) {
                    records = r;
                    break;
                }
                entry = segments.higherEntry(entry.getKey());
            }
        }
        return new LogReadResult(records, startOffset, end.offset(), hw);
    }

    private OffsetOutOfRangeException outOfRange(long offset, long startOffset, long endOffset) {
        return new OffsetOutOfRangeException("Offset=" + offset + " is outside the log [logStartOffset="
                + startOffset + ", logEndOffset=" + endOffset + "]: partition=" + topicPartition);
    }

    /**
     * Whether {@code producerId} has a transaction ongoing in this log under {@code producerEpoch}: its
     * batches here need no further verification against the coordinator (KIP-890), as Kafka's produce
     * path skips them. Thread-safe (writer lock, briefly).
     */
    public boolean transactionOngoing(long producerId, short producerEpoch) {
        lock.lock();
        try {
            ProducerEntry entry = producerState.entry(producerId);
            return entry != null && entry.producerEpoch() == producerEpoch && entry.currentTxnFirstOffset() >= 0;
        } finally {
            lock.unlock();
        }
    }

    public long logStartOffset() {
        return logStartOffset;
    }

    public long logEndOffset() {
        return logEnd.offset();
    }

    /** Set by the replication layer; on one node it follows the log end after each append. */
    public long highWatermark() {
        return highWatermark;
    }

    /**
     * Sets the high watermark, clamped to [log start, log end] as Kafka clamps it: a follower passes the
     * leader's high watermark, which may be above its own log end. It may move back (a truncation, or a
     * new leader whose high watermark lags). One writer at a time, which must not race
     * {@link #truncateTo} or {@link #truncateFullyAndStartAt} (on a follower all three are the
     * fetcher's; on a leader only the replica manager sets it). Takes no lock, unless a completed
     * transaction waits for the high watermark to pass its marker: then it takes the writer lock to let
     * the last stable offset move.
     */
    public void updateHighWatermark(long highWatermark) {
        this.highWatermark = Math.max(logStartOffset, Math.min(highWatermark, logEnd.offset()));
        if (unreplicatedTxnsPending) {
            lock.lock();
            try {
                if (!closed) {
                    onTransactionStateChanged();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * The last stable offset: the first offset a read_committed consumer may not read yet, what a
     * read_committed Fetch reads up to (exclusive) and answers as {@code last_stable_offset}. It is the
     * first unstable offset (the lowest first offset among the ongoing transactions and the completed
     * ones whose marker is not yet below the high watermark), capped by the high watermark and never below
     * the log start; the high watermark when there is none. Lock-free: two volatile reads, maintained by
     * the writer as transactions start and end and by {@link #updateHighWatermark}.
     */
    public long lastStableOffset() {
        long hw = highWatermark;
        long firstUnstable = firstUnstableOffset;
        long lso = firstUnstable >= 0 && firstUnstable < hw ? firstUnstable : hw;
        return Math.max(lso, logStartOffset);
    }

    /**
     * The aborted transactions overlapping [{@code fetchOffset}, {@code upperBoundOffset}) (abort marker at
     * or above the fetch offset, first offset below the bound), from the transaction indexes of the
     * segment holding {@code fetchOffset} and the following ones, oldest marker first: a read_committed
     * Fetch's {@code aborted_transactions} for records read from {@code fetchOffset}, where the bound is
     * the offset after the last batch returned (Kafka takes the next segment's base offset or the log end
     * when that is not known). The walk stops at the first entry whose last stable offset reaches the
     * bound. Lock-free; a segment without aborted transactions costs no I/O.
     *
     * @throws KafkaStorageException if an index cannot be read; an I/O error reports the log directory failed
     */
    public List<AbortedTxn> collectAbortedTransactions(long fetchOffset, long upperBoundOffset) {
        if (upperBoundOffset <= fetchOffset) {
            return List.of();
        }
        Long fromKey = segments.floorKey(fetchOffset);
        List<AbortedTxn> out = new ArrayList<>();
        try {
            for (LogSegment segment : (fromKey == null ? segments : segments.tailMap(fromKey, true)).values()) {
                if (segment.txnIndex().collect(fetchOffset, upperBoundOffset, out)) {
                    break;
                }
            }
        } catch (ClosedChannelException e) {
            throw new KafkaStorageException("Transaction index closed while read: partition=" + topicPartition, e);
        } catch (IOException e) {
            throw storageFailure("Transaction index read failed at offset=" + fetchOffset, e);
        }
        return out;
    }

    /** The offset below which everything is fsynced. */
    public long recoveryPoint() {
        return recoveryPoint;
    }

    /**
     * ListOffsets by timestamp: the first record at or after the log start whose timestamp is
     * {@code >= targetTimestampMs}. The caller bounds the answer by the high watermark if it must.
     */
    public Optional<TimestampAndOffset> offsetForTimestamp(long targetTimestampMs) {
        try {
            return TimestampLookup.firstAtOrAfter(segments.values(), targetTimestampMs, logStartOffset,
                    logEnd.offset());
        } catch (KafkaException | InternalError e) {
            throw maybeStorageFailure("Timestamp lookup failed", e);
        }
    }

    /** ListOffsets MAX_TIMESTAMP: the first record holding the largest timestamp in the log. */
    public Optional<TimestampAndOffset> offsetOfMaxTimestamp() {
        try {
            return TimestampLookup.max(segments.values());
        } catch (KafkaException | InternalError e) {
            throw maybeStorageFailure("Timestamp lookup failed", e);
        }
    }

    /**
     * DeleteRecords: moves the log start offset to {@code offset} (checkpointed at once); whole
     * segments below it are deleted in the background.
     *
     * @return the new log start offset
     * @throws OffsetOutOfRangeException if {@code offset} is negative or above the high watermark
     */
    public long deleteRecordsBefore(long offset) {
        long newStart;
        lock.lock();
        try {
            ensureOpen();
            if (offset < 0 || offset > highWatermark) {
                throw new OffsetOutOfRangeException("Cannot delete records before offset=" + offset
                        + " beyond highWatermark=" + highWatermark + ": partition=" + topicPartition);
            }
            if (offset <= logStartOffset) {
                return logStartOffset;
            }
            logStartOffset = offset;
            epochCache.truncateFromStart(offset);
            newStart = offset;
        } catch (IOException e) {
            throw storageFailure("Cannot write leader epochs", e);
        } finally {
            lock.unlock();
        }
        env.onOffsetsChanged().accept(this);
        env.scheduler().scheduleOnce("delete-records-" + topicPartition,
                () -> deleteSegments(RetentionRules.belowLogStart(this::logStartOffset), "below log start offset"), 0L);
        return newStart;
    }

    /** OffsetForLeaderEpoch: see {@link LeaderEpochCache#endOffsetFor}. */
    public EpochEndOffset endOffsetForEpoch(int leaderEpoch) {
        return epochCache.endOffsetFor(leaderEpoch, logEnd.offset());
    }

    /** The leader epochs and their start offsets, oldest first (an immutable snapshot). */
    public List<LeaderEpochCache.Entry> leaderEpochs() {
        return epochCache.entries();
    }

    /** The latest leader epoch written to this log, or -1. */
    public int latestEpoch() {
        return epochCache.latestEpoch();
    }

    /** Takes effect for the next append, roll and retention pass. */
    public void updateConfig(LogConfig config) {
        lock.lock();
        try {
            this.config = config;
        } finally {
            lock.unlock();
        }
    }

    public LogConfig config() {
        return config;
    }

    public long sizeInBytes() {
        long size = 0;
        for (LogSegment segment : segments.values()) {
            size += segment.sizeInBytes();
        }
        return size;
    }

    /** Fsyncs everything appended so far; the recovery point becomes the log end. */
    public void flush() {
        flushUpTo(logEnd.offset());
    }

    /** Flushes if {@code flush.ms} has passed since the last flush and there is unflushed data. */
    public void maybeFlushByTime(long nowMs) {
        long intervalMs = config.flushIntervalMs();
        if (intervalMs != Long.MAX_VALUE && logEnd.offset() > recoveryPoint && nowMs - lastFlushMs >= intervalMs) {
            flush();
        }
    }

    /** Fsyncs the segments holding offsets below {@code offsetExclusive} that are not yet flushed. */
    void flushUpTo(long offsetExclusive) {
        flushLock.lock();
        try {
            long from = recoveryPoint;
            if (offsetExclusive <= from || closed) {
                return;
            }
            Long fromKey = segments.floorKey(from);
            NavigableMap<Long, LogSegment> range = fromKey == null ? segments.headMap(offsetExclusive, false)
                    : segments.subMap(fromKey, true, offsetExclusive, false);
            for (LogSegment segment : range.values()) {
                try {
                    segment.flush();
                } catch (ClosedChannelException e) {
                    if (!segment.isDeleted()) {
                        throw e;
                    }
                }
            }
            if (dirNeedsFsync) {
                dirNeedsFsync = false;
                StorageFiles.fsyncDirectory(dir);
            }
            recoveryPoint = Math.min(offsetExclusive, logEnd.offset());
            lastFlushMs = env.time().milliseconds();
        } catch (IOException | InternalError e) {
            throw storageFailure("Flush failed", e);
        } finally {
            flushLock.unlock();
        }
    }

    /**
     * Follower truncation: drops every batch at and after the one holding {@code offset} (a batch is
     * never split, so the new log end may be below {@code offset}), with its index entries (aborted
     * transactions whose marker goes included), the leader epochs that began there, and the producer
     * state they made (rebuilt from the latest snapshot at or below the new end, ongoing transactions and
     * the last stable offset included). The high watermark, recovery point and log start are clamped to the new end.
     * Truncating at or below the first segment's base offset is {@link #truncateFullyAndStartAt}. At or
     * above the log end no batch goes, but an epoch begun at the log end without a batch of it is
     * forgotten, as Kafka does: the new leader's log decides what follows.
     *
     * <p><b>Crash.</b> The truncated segment and the directory are fsynced before this returns, and the
     * lowered offsets are checkpointed ({@link LogEnvironment#onOffsetsChanged}), so neither a restart
     * nor a power loss brings the dropped batches back, and records appended later above the old
     * recovery point are re-checked by recovery. Thread-safe (writer lock).
     *
     * @throws KafkaStorageException if a file operation fails; the log is then taken offline
     */
    public void truncateTo(long offset) {
        lock.lock();
        flushLock.lock();
        try {
            ensureOpen();
            if (offset < 0) {
                throw new IllegalArgumentException("Cannot truncate partition=" + topicPartition + " to offset=" + offset);
            }
            if (offset >= logEnd.offset()) {
                epochCache.truncateFromEnd(logEnd.offset());
                return;
            }
            if (offset <= segments.firstKey()) {
                startEmptyAt(offset, "truncation to offset=" + offset);
            } else {
                deleteNow(new ArrayList<>(segments.tailMap(offset, true).values()), "truncation to offset=" + offset);
                LogSegment active = segments.lastEntry().getValue();
                active.truncateTo(offset);
                active.onBecomeActive();
                active.flush();
                StorageFiles.fsyncDirectory(dir);
                dirNeedsFsync = false;
                long newEnd = active.readNextOffset();
                logEnd = new LogEnd(newEnd, active, active.sizeInBytes());
                truncatedToOffset.accumulateAndGet(newEnd, Math::min);
                logStartOffset = Math.min(logStartOffset, newEnd);
                highWatermark = Math.min(highWatermark, newEnd);
                recoveryPoint = Math.min(recoveryPoint, newEnd);
                epochCache.truncateFromEnd(newEnd);
                long snapshotOffset = producerState.loadLatestSnapshot(newEnd);
                LogLoader.replayProducerState(producerState, segments, Math.max(snapshotOffset, segments.firstKey()),
                        newEnd, false);
                onTransactionStateChanged();
            }
            LOG.info("Truncated partition={} to logEndOffset={}", topicPartition, logEnd.offset());
        } catch (IOException | InternalError e) {
            closed = true;
            throw storageFailure("Truncation failed, log taken offline", e);
        } finally {
            flushLock.unlock();
            lock.unlock();
        }
        env.onOffsetsChanged().accept(this);
    }

    /**
     * Drops the whole log and starts it again, empty, at {@code offset}, which becomes the log start,
     * log end, high watermark and recovery point; the leader epochs and the producer state (and its
     * snapshots) are cleared. A follower does this when its fetch offset is outside the leader's log
     * (Kafka's {@code truncateFullyAndStartAt}). The directory is fsynced and the offsets checkpointed
     * before it returns. Thread-safe (writer lock).
     *
     * @throws KafkaStorageException if a file operation fails; the log is then taken offline
     */
    public void truncateFullyAndStartAt(long offset) {
        lock.lock();
        flushLock.lock();
        try {
            ensureOpen();
            if (offset < 0) {
                throw new IllegalArgumentException("Cannot restart partition=" + topicPartition + " at offset=" + offset);
            }
            startEmptyAt(offset, "restart at offset=" + offset);
            LOG.info("Truncated partition={} fully, restarting at offset={}", topicPartition, offset);
        } catch (IOException | InternalError e) {
            closed = true;
            throw storageFailure("Truncation failed, log taken offline", e);
        } finally {
            flushLock.unlock();
            lock.unlock();
        }
        env.onOffsetsChanged().accept(this);
    }

    /**
     * Writer and flush locks held: deletes every segment, starts an empty one at {@code offset} and
     * forgets the epochs and producers. The new segment is durable (directory fsynced) before the
     * epochs are cleared, so a crash in between leaves only epochs that the first append or the next
     * load trims.
     */
    private void startEmptyAt(long offset, String reason) throws IOException {
        deleteNow(new ArrayList<>(segments.values()), reason);
        LogSegment active = LogSegment.create(dir, offset, config, env.time().milliseconds(), env.rollJitterMs(config));
        segments.put(offset, active);
        StorageFiles.fsyncDirectory(dir);
        dirNeedsFsync = false;
        logEnd = new LogEnd(offset, active, 0);
        logStartOffset = offset;
        highWatermark = offset;
        recoveryPoint = offset;
        truncatedToOffset.accumulateAndGet(offset, Math::min);
        epochCache.clear();
        producerState.truncateFullyAndStartAt(offset);
        onTransactionStateChanged();
    }

    /**
     * Retention: deletes whole segments from the oldest on, never one holding data at or above the high
     * watermark: by {@code retention.ms} and {@code retention.bytes} (only with {@code cleanup.policy}
     * delete), and always those entirely below the log start offset. If every segment is expired, the
     * active one is rolled first so it can go too.
     *
     * @return the number of segments deleted
     */
    public int deleteOldSegments() {
        LogConfig cfg = config;
        int deleted = 0;
        if (cfg.deletePolicy()) {
            if (cfg.retentionMs() >= 0) {
                deleted += deleteSegments(RetentionRules.olderThan(cfg.retentionMs(), env.time().milliseconds()),
                        "retention.ms=" + cfg.retentionMs());
            }
            if (cfg.retentionBytes() >= 0) {
                deleted += deleteSegments(RetentionRules.beyondSize(sizeInBytes(), cfg.retentionBytes()),
                        "retention.bytes=" + cfg.retentionBytes());
            }
        }
        deleted += deleteSegments(RetentionRules.belowLogStart(this::logStartOffset), "below log start offset");
        return deleted;
    }

    private int deleteSegments(RetentionRules.SegmentRule rule, String reason) {
        lock.lock();
        try {
            if (closed) {
                return 0;
            }
            List<LogSegment> deletable =
                    RetentionRules.deletablePrefix(segments, logEnd.offset(), highWatermark, rule);
            if (deletable.isEmpty()) {
                return 0;
            }
            if (deletable.size() == segments.size()) {
                roll(env.time().milliseconds(), logEnd.offset());
            }
            for (LogSegment s : deletable) {
                segments.remove(s.baseOffset());
            }
            long firstBaseOffset = segments.firstKey();
            logStartOffset = Math.max(logStartOffset, firstBaseOffset);
            epochCache.truncateFromStart(logStartOffset);
            producerState.deleteSnapshotsBefore(firstBaseOffset);
            for (LogSegment s : deletable) {
                deleter.delete(s, config.fileDeleteDelayMs(), reason);
            }
            dirNeedsFsync = true;
            return deletable.size();
        } catch (IOException e) {
            throw storageFailure("Segment deletion failed", e);
        } finally {
            lock.unlock();
        }
    }

    /** Writer only: removes segments from the map and deletes their files (after the usual delay). */
    private void deleteNow(List<LogSegment> doomed, String reason) throws IOException {
        for (LogSegment s : doomed) {
            segments.remove(s.baseOffset());
            deleter.delete(s, config.fileDeleteDelayMs(), reason);
        }
    }

    /** Forgets idle producers (see {@link ProducerStateManager#removeExpiredProducers}). */
    public int removeExpiredProducers() {
        lock.lock();
        try {
            return closed ? 0 : producerState.removeExpiredProducers(env.time().milliseconds(),
                    env.producerIdExpirationMs());
        } finally {
            lock.unlock();
        }
    }

    /**
     * The cleaner's commit: replaces {@code replaced} (consecutive inactive segments, oldest first) by
     * {@code cleaned}, which has the first one's base offset and files named {@code *.cleaned}, written
     * and fsynced. The steps and what a crash after each leaves are in {@link SwapRecovery}. Readers
     * see either the old segments or the new one; old files are removed after {@code file.delete.delay.ms}.
     *
     * @return false, changing nothing, if the log is closed or any replaced segment is gone or active
     *     (retention, DeleteRecords or truncation got there first)
     * @throws KafkaStorageException if a step fails; the log is then taken offline, a restart finishes it
     */
    public boolean replaceSegments(List<LogSegment> replaced, LogSegment cleaned, SwapObserver observer) {
        lock.lock();
        try {
            if (closed || replaced.isEmpty() || replaced.get(0).baseOffset() != cleaned.baseOffset()) {
                return false;
            }
            for (LogSegment s : replaced) {
                if (segments.get(s.baseOffset()) != s || s == logEnd.segment()) {
                    return false;
                }
            }
            try {
                observer.onStep(SwapObserver.Step.CLEANED_WRITTEN);
                cleaned.renameFiles(LogFileNames.CLEANED_SUFFIX, LogFileNames.SWAP_SUFFIX);
                StorageFiles.fsyncDirectory(dir);
                observer.onStep(SwapObserver.Step.SWAP_COMMITTED);
                for (LogSegment s : replaced) {
                    deleter.delete(s, config.fileDeleteDelayMs(), "replaced by cleaned segment");
                    observer.onStep(SwapObserver.Step.REPLACED_SEGMENT_DELETED);
                }
                cleaned.renameFiles(LogFileNames.SWAP_SUFFIX, "");
                dirNeedsFsync = true;
                observer.onStep(SwapObserver.Step.SWAPPED_IN);
            } catch (IOException | RuntimeException e) {
                closed = true;
                String what = "Segment replacement failed, log taken offline: baseOffset=" + cleaned.baseOffset();
                if (isIoFailure(e)) {
                    throw storageFailure(what, e);
                }
                throw new KafkaStorageException(what + ": partition=" + topicPartition, e);
            }
            segments.put(cleaned.baseOffset(), cleaned);
            for (LogSegment s : replaced) {
                if (s.baseOffset() != cleaned.baseOffset()) {
                    segments.remove(s.baseOffset());
                }
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The producers this log's state knows, copied under the writer lock (for DescribeProducers; see
     * {@link ProducerStateManager#activeProducers()}). Thread-safe.
     */
    public List<ActiveProducer> activeProducers() {
        lock.lock();
        try {
            return producerState.activeProducers();
        } finally {
            lock.unlock();
        }
    }

    /** For the cleaner: what it keeps of each known producer, taken under the writer lock. */
    public Map<Long, LastRecord> lastRecordsOfProducers() {
        lock.lock();
        try {
            return producerState.lastRecords();
        } finally {
            lock.unlock();
        }
    }

    /** A read-only live view of the segments by base offset (for the cleaner, which reads without the lock). */
    public NavigableMap<Long, LogSegment> segmentMap() {
        return Collections.unmodifiableNavigableMap(segments);
    }

    /**
     * For the cleaner: the lowest log end a truncation left since the last call (Long.MAX_VALUE if none),
     * so a clean section checkpointed above it is moved back before new records land there.
     */
    public long takeTruncatedToOffset() {
        return truncatedToOffset.getAndSet(Long.MAX_VALUE);
    }

    /** Whether the log was closed (shut down, deleted or taken offline); the cleaner skips such a log. */
    public boolean isClosed() {
        return closed;
    }

    /** Writer only: the idempotent-producer state (the cleaner reads it under the writer lock). */
    public ProducerStateManager producerState() {
        return producerState;
    }

    /** The partition's directory. */
    public Path dir() {
        return dir;
    }

    /** Base offsets of the segments, oldest first. */
    public List<Long> segmentBaseOffsets() {
        return List.copyOf(segments.keySet());
    }

    /** The segment appends go to; the cleaner never touches it. */
    public LogSegment activeSegment() {
        return logEnd.segment();
    }

    /**
     * Clean close: flushes, snapshots producer state at the log end, trims the active segment's files
     * and closes everything. Files of deleted segments still waiting for their delay go now.
     *
     * @return true if everything reached the disk, so the log may count as cleanly shut down
     */
    public boolean close() {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            flush();
            producerState.setMapEndOffset(logEnd.offset());
            producerState.takeSnapshot();
            LogSegment active = logEnd.segment();
            active.onBecomeInactive();
            active.flush();
            StorageFiles.fsyncDirectory(dir);
            closed = true;
            for (LogSegment s : segments.values()) {
                s.closeHandles();
            }
            deleter.removeAllNow();
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.error("Closing partition={} failed; it will be recovered at the next start", topicPartition, e);
            closed = true;
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Refuses further writes; the files stay open for readers until {@link #closeHandles()}. */
    public void closeForDeletion() {
        lock.lock();
        try {
            closed = true;
        } finally {
            lock.unlock();
        }
    }

    /** Closes the files without flushing or trimming them: what a crash leaves behind. */
    public void closeHandles() {
        lock.lock();
        try {
            closed = true;
            List<LogSegment> all = new ArrayList<>(segments.values());
            all.addAll(deleter.drain());
            for (LogSegment s : all) {
                try {
                    s.closeHandles();
                } catch (IOException e) {
                    LOG.warn("Cannot close segment partition={} baseOffset={}", topicPartition, s.baseOffset(), e);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new KafkaStorageException("Log is closed: partition=" + topicPartition + " dir=" + dir);
        }
    }

    @Override
    public String toString() {
        return "PartitionLog(partition=" + topicPartition + ", logStartOffset=" + logStartOffset
                + ", logEndOffset=" + logEnd.offset() + ", highWatermark=" + highWatermark + ")";
    }
}
