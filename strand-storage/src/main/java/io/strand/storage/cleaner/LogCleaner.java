package io.strand.storage.cleaner;

import io.strand.storage.log.PartitionLog;
import io.strand.storage.log.StorageFailureListener;
import io.strand.storage.log.SwapObserver;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Log compaction for logs with {@code cleanup.policy} containing {@code compact}: keeps the latest
 * record of every key (see {@link Cleaner}, {@link CompactionFilter}).
 *
 * <p><b>Choosing a log.</b> Each pass ({@link #cleanOnce()}) computes a {@link CleanableRange} for every
 * open compacted log and cleans the one with the highest dirty ratio among those above their
 * {@code min.cleanable.dirty.ratio} or past {@code max.compaction.lag.ms}; a log whose kept tombstones or
 * spent transaction markers reached their delete horizon is cleaned too, to drop them. The active
 * segment, segments at or above the last stable offset (so never an undecided transaction, nor anything
 * at or above the high watermark) and segments younger than {@code min.compaction.lag.ms} are never
 * touched.
 *
 * <p><b>Checkpoint.</b> {@code cleaner-offset-checkpoint} in each log dir ({@link CleanerCheckpoints})
 * holds where each log's clean section ends; written after each cleaning, moved back when the log is
 * truncated below it.
 *
 * <p><b>Threads.</b> One daemon thread ({@code strand-log-cleaner}) started by {@link #startup()} if
 * {@code log.cleaner.enable}, stopped by {@link #shutdown()}; it runs a pass, and waits
 * {@code log.cleaner.backoff.ms} when there was nothing to clean. Passes are serialized by this
 * object's monitor, so a test may call {@link #cleanOnce()} itself with a manual clock. A log whose
 * cleaning fails unexpectedly is logged and left alone until restart, so one bad log does not stop
 * the others' compaction.
 */
public final class LogCleaner {

    private static final Logger LOG = LoggerFactory.getLogger(LogCleaner.class);

    private final CleanerConfig config;
    private final Time time;
    private final Supplier<Collection<PartitionLog>> logs;
    private final StorageFailureListener storageFailures;
    private final Cleaner cleaner;
    private final CleanerCheckpoints checkpoints = new CleanerCheckpoints();
    /** Per log, when the earliest tombstone it keeps may be dropped (memory only). */
    private final Map<TopicPartition, Long> deleteHorizonsMs = new ConcurrentHashMap<>();
    /** Logs whose cleaning failed unexpectedly (a bug or a damaged file): skipped until restart, as Kafka does. */
    private final Set<TopicPartition> uncleanable = ConcurrentHashMap.newKeySet();
    private final Object idle = new Object();
    private volatile boolean running;
    private volatile boolean stopping;
    private volatile Thread thread;

    /**
     * A cleaner over the logs {@code logs} supplies at each pass (the log manager's open logs); no
     * thread runs until {@link #startup()}. An I/O error while cleaning a log is reported to
     * {@code storageFailures} with the log's directory.
     */
    public LogCleaner(CleanerConfig config, Time time, Supplier<Collection<PartitionLog>> logs,
            StorageFailureListener storageFailures) {
        this.config = config;
        this.time = time;
        this.logs = logs;
        this.storageFailures = storageFailures;
        this.cleaner = new Cleaner(time, config.dedupeBufferBytes(), config.ioMaxBytesPerSecond(),
                () -> stopping);
    }

    public synchronized void startup() {
        if (!config.enable() || thread != null) {
            return;
        }
        running = true;
        thread = new Thread(this::run, "strand-log-cleaner");
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops the thread; a cleaning in progress is abandoned at its next batch. */
    public void shutdown() {
        Thread t;
        synchronized (idle) {
            running = false;
            stopping = true;
            idle.notifyAll();
            t = thread;
        }
        if (t != null) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        while (running) {
            boolean cleaned;
            try {
                cleaned = cleanOnce();
            } catch (RuntimeException | InternalError e) {
                LOG.error("Log cleaner pass failed", e);
                cleaned = false;
            }
            if (!cleaned) {
                synchronized (idle) {
                    if (running) {
                        try {
                            idle.wait(config.backoffMs());
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
            }
        }
    }

    /** One pass: cleans the filthiest log that needs it. Returns true if a log was cleaned. */
    synchronized boolean cleanOnce() {
        long nowMs = time.milliseconds();
        PartitionLog best = null;
        CleanableRange bestRange = null;
        for (PartitionLog log : List.copyOf(logs.get())) {
            if (!log.config().compactPolicy() || log.isClosed() || uncleanable.contains(log.topicPartition())) {
                continue;
            }
            try {
                CleanableRange range = CleanableRange.of(log, checkpointed(log), nowMs);
                boolean horizonDue = deleteHorizonsMs.getOrDefault(log.topicPartition(), Long.MAX_VALUE) <= nowMs;
                if ((range.cleanable(log.config()) || horizonDue)
                        && (bestRange == null || range.dirtyRatio() > bestRange.dirtyRatio())) {
                    best = log;
                    bestRange = range;
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("Cannot inspect partition={} for cleaning", log.topicPartition(), e);
            }
        }
        return best != null && clean(best, bestRange).isPresent();
    }

    /** Cleans {@code log} now, whatever its dirty ratio (tests and the chosen log of a pass). */
    synchronized Optional<Cleaner.Result> cleanNow(PartitionLog log) {
        try {
            return clean(log, CleanableRange.of(log, checkpointed(log), time.milliseconds()));
        } catch (IOException e) {
            throw new IllegalStateException("Cannot inspect partition=" + log.topicPartition(), e);
        }
    }

    private Optional<Cleaner.Result> clean(PartitionLog log, CleanableRange range) {
        long startNs = time.nanoseconds();
        try {
            Cleaner.Result result = cleaner.clean(log, range);
            if (result.endOffset() < 0) {
                return Optional.empty();
            }
            deleteHorizonsMs.put(log.topicPartition(), result.earliestDeleteHorizonMs());
            if (!log.isClosed()) {
                checkpoints.put(log.dir().getParent(), log.topicPartition(), result.endOffset());
            }
            double seconds = Math.max(1, time.nanoseconds() - startNs) / 1e9;
            LOG.info("Cleaned partition={} firstDirtyOffset={} endOffset={} dirtyRatio={} segments={}->{}"
                    + " readBytes={} writtenBytes={} readMBps={}", log.topicPartition(), range.firstDirtyOffset(),
                    result.endOffset(), String.format("%.3f", range.dirtyRatio()), result.segmentsBefore(),
                    result.segmentsAfter(), result.bytesRead(), result.bytesWritten(),
                    String.format("%.1f", result.bytesRead() / seconds / 1e6));
            return Optional.of(result);
        } catch (CancellationException e) {
            LOG.info("Cleaning of partition={} abandoned: {}", log.topicPartition(), e.getMessage());
            return Optional.empty();
        } catch (IOException | RuntimeException | InternalError e) {
            Throwable io = e instanceof KafkaException ? e.getCause() : e;
            if (io instanceof IOException && !(io instanceof ClosedChannelException) || io instanceof InternalError) {
                storageFailures.onStorageFailure(log.dir().getParent(),
                        "Cleaning failed: partition=" + log.topicPartition(), e);
                return Optional.empty();
            }
            boolean unexpected = !(e instanceof KafkaException) && !log.isClosed();
            if (unexpected) {
                uncleanable.add(log.topicPartition());
            }
            LOG.error("Cleaning failed for partition={} markedUncleanable={}", log.topicPartition(), unexpected, e);
            return Optional.empty();
        }
    }

    /** Where the log's clean section ends, as checkpointed (moved back by truncation); -1 if unknown. */
    long checkpointed(PartitionLog log) {
        Path logDir = log.dir().getParent();
        long checkpointed = checkpoints.get(logDir, log.topicPartition());
        long truncatedTo = log.takeTruncatedToOffset();
        if (truncatedTo < checkpointed) {
            checkpoints.put(logDir, log.topicPartition(), truncatedTo);
            return truncatedTo;
        }
        return checkpointed;
    }

    /** Forgets a deleted log's checkpoint entry and state. */
    public void onLogDeleted(TopicPartition tp, Path logDir) {
        deleteHorizonsMs.remove(tp);
        uncleanable.remove(tp);
        checkpoints.remove(logDir, tp);
    }

    void setSwapObserver(SwapObserver observer) {
        cleaner.setSwapObserver(observer);
    }
}
