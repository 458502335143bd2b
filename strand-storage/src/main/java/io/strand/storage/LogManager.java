package io.strand.storage;

import io.strand.storage.checkpoint.CheckpointedOffsets;
import io.strand.storage.checkpoint.PartitionMetadataFile;
import io.strand.storage.cleaner.LogCleaner;
import io.strand.storage.file.CorruptFileException;
import io.strand.storage.file.LogFileNames;
import io.strand.storage.file.StorageFiles;
import io.strand.storage.log.LogConfig;
import io.strand.storage.log.LogEnvironment;
import io.strand.storage.log.PartitionLog;
import io.strand.storage.log.Scheduler;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InconsistentTopicIdException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the log directories of a broker and the {@link PartitionLog}s in them, and runs their
 * background work: retention (and producer-id expiry) every {@code log.retention.check.interval.ms},
 * time-based flushes every {@code log.flush.scheduler.interval.ms}, checkpoints of recovery points,
 * high watermarks and log start offsets every {@code log.flush.offset.checkpoint.interval.ms}, and
 * compaction of logs with {@code cleanup.policy=compact} on the {@link LogCleaner}'s own thread.
 *
 * <p><b>Lifecycle.</b> NEW → {@link #startup()} → RUNNING → {@link #close()} → CLOSED. Logs are opened
 * lazily by {@link #getOrCreateLog}; a log found on disk is recovered then if its directory was not
 * shut down cleanly. A directory gets its clean-shutdown marker at close only if every log in it closed
 * cleanly and, when it had not been shut down cleanly before, every log in it was opened (and so
 * recovered) in between.
 *
 * <p><b>Failed directories.</b> An I/O error in a directory's files (an append, roll, index, flush,
 * checkpoint, read or delete) is reported to this manager's {@link LogDirFailureChannel}; its one
 * handler then calls {@link #handleLogDirFailure}, which closes the directory's logs without writing to
 * them again. From then on the directory gets no checkpoint, flush or clean-shutdown marker, its
 * partitions' logs are not opened or created, and nothing else changes.
 *
 * <p><b>Directory ids.</b> Each directory has an id (KIP-858) kept in its {@code meta.properties},
 * written at its first use ({@link io.strand.storage.checkpoint.DirectoryMetaFile}); two directories
 * with the same id refuse to start. The broker registers the ids of its online directories, names the
 * failed ones in its heartbeats ({@link #offlineDirectoryIds}) and tells the controller which directory
 * holds each replica ({@link #directoryIdOf}).
 *
 * <p><b>Threads.</b> Thread-safe. Opening, creating and deleting logs are serialized by this object's
 * monitor (the directory ids, online and offline, are read without it, so that heartbeats never wait
 * for a recovery); background tasks run on the scheduler's daemon threads, stopped by
 * {@link #close()}. Lock order: this monitor, then a log's own locks.
 */
public final class LogManager implements AutoCloseable, ReplicaLogStore {

    private static final Logger LOG = LoggerFactory.getLogger(LogManager.class);
    private static final int SCHEDULER_THREADS = 2;

    /** Legal transitions: NEW → RUNNING → CLOSED, NEW → CLOSED. */
    private enum State {
        /** Constructed; no directory touched yet. */
        NEW,
        /** Directories locked, background tasks running. */
        RUNNING,
        /** Everything flushed and released. */
        CLOSED
    }

    private final LogManagerConfig config;
    private final Time time;
    private final Random random;
    private final Supplier<Scheduler> schedulerFactory;
    private final List<LogDir> dirs = new ArrayList<>();
    private final ConcurrentHashMap<TopicPartition, PartitionLog> logs = new ConcurrentHashMap<>();
    /** Every partition on disk (opened or not) and its directory. Guarded by this. */
    private final Map<TopicPartition, LogDir> locations = new HashMap<>();
    /** Guarded by this. */
    private final Set<TopicPartition> foundAtStartup = new HashSet<>();
    /** Renamed directories of deleted partitions whose files are still to go, with their open logs. */
    private final Map<Path, Optional<PartitionLog>> pendingDirDeletions = new ConcurrentHashMap<>();
    private final AtomicLong deletionSequence = new AtomicLong();
    private final LogCleaner cleaner;
    private final LogDirFailureChannel failureChannel = new LogDirFailureChannel();
    /** Directories taken offline by {@link #handleLogDirFailure}. Guarded by this. */
    private final Set<Path> offlineDirs = new HashSet<>();
    /** Their ids: written under this monitor, read without it. */
    private final List<Uuid> offlineDirectoryIds = new CopyOnWriteArrayList<>();
    /** Every directory's id, set once by {@link #startup}. */
    private volatile Map<Path, Uuid> directoryIds = Map.of();
    private volatile Scheduler scheduler;
    private State state = State.NEW;

    public LogManager(LogManagerConfig config, Time time) {
        this(config, time, new Random(), () -> new ThreadScheduler(SCHEDULER_THREADS));
    }

    LogManager(LogManagerConfig config, Time time, Random random, Supplier<Scheduler> schedulerFactory) {
        this.config = config;
        this.time = time;
        this.random = random;
        this.schedulerFactory = schedulerFactory;
        this.cleaner = new LogCleaner(config.cleanerConfig(), time, logs::values, failureChannel);
    }

    /**
     * Locks the directories, consumes their clean-shutdown markers, reads the checkpoints, lists the
     * partitions on disk and starts the background tasks.
     *
     * @throws KafkaStorageException if a directory cannot be used, or a partition is in two of them
     */
    public synchronized void startup() {
        if (state != State.NEW) {
            throw new IllegalStateException("Cannot start a log manager in state=" + state);
        }
        List<Path> leftovers = new ArrayList<>();
        try {
            for (Path path : config.logDirs()) {
                LogDir dir = LogDir.open(path);
                dirs.add(dir);
                for (LogDir other : dirs) {
                    if (other != dir && other.directoryId().equals(dir.directoryId())) {
                        throw new KafkaStorageException("Two log directories have the same directory.id: id="
                                + dir.directoryId() + " dir=" + other.path() + " otherDir=" + dir.path());
                    }
                }
                for (Path partitionDir : dir.listDirectories(false)) {
                    TopicPartition tp = LogFileNames.parsePartitionDirName(partitionDir.getFileName().toString())
                            .orElseThrow();
                    LogDir other = locations.put(tp, dir);
                    if (other != null) {
                        throw new KafkaStorageException("Partition is in two log directories: partition=" + tp
                                + " dir=" + other.path() + " otherDir=" + dir.path());
                    }
                }
                leftovers.addAll(dir.listDirectories(true));
            }
        } catch (IOException | RuntimeException e) {
            dirs.forEach(LogDir::release);
            dirs.clear();
            locations.clear();
            if (e instanceof RuntimeException re) {
                throw re;
            }
            throw new KafkaStorageException("Cannot list log directories: dirs=" + config.logDirs(), e);
        }
        foundAtStartup.addAll(locations.keySet());
        Map<Path, Uuid> ids = new LinkedHashMap<>();
        dirs.forEach(d -> ids.put(d.path(), d.directoryId()));
        directoryIds = Collections.unmodifiableMap(ids);
        warnOfStrayDirectories();
        Scheduler s = schedulerFactory.get();
        scheduler = s;
        for (Path leftover : leftovers) {
            pendingDirDeletions.put(leftover, Optional.empty());
            s.scheduleOnce("delete-dir", () -> deletePendingDir(leftover), 0L);
        }
        s.schedulePeriodic("log-retention", this::runRetention, config.retentionCheckIntervalMs());
        s.schedulePeriodic("log-flusher", this::runTimeBasedFlush, config.flushCheckIntervalMs());
        s.schedulePeriodic("log-checkpoint", this::writeCheckpoints, config.checkpointIntervalMs());
        cleaner.startup();
        state = State.RUNNING;
        LOG.info("Log manager started: dirs={} partitionsOnDisk={}", config.logDirs(), locations.size());
    }

    /** Partitions found on disk at startup and not deleted since (the broker deletes the ones metadata no longer has). */
    public synchronized Set<TopicPartition> partitionsOnDisk() {
        return Set.copyOf(foundAtStartup);
    }

    /**
     * Opens (recovering if the last shutdown was unclean) or creates the log of {@code tp}. The topic
     * id is stored in the partition directory ({@code partition.metadata}).
     *
     * @throws InconsistentTopicIdException if the log on disk belongs to another topic id
     * @throws KafkaStorageException if the files cannot be read or written
     */
    public synchronized PartitionLog getOrCreateLog(TopicPartition tp, Uuid topicId, LogConfig config) {
        ensureRunning();
        PartitionLog existing = logs.get(tp);
        if (existing != null) {
            checkTopicId(tp, topicId, existing.topicId());
            return existing;
        }
        LogDir dir = locations.get(tp);
        boolean created = dir == null;
        if (created) {
            dir = leastLoadedDir();
        } else if (offlineDirs.contains(dir.path())) {
            throw new KafkaStorageException("Log directory is offline: partition=" + tp + " dir=" + dir.path());
        }
        Path partitionDir = dir.path().resolve(LogFileNames.partitionDirName(tp));
        try {
            if (created) {
                Files.createDirectories(partitionDir);
                PartitionMetadataFile.write(partitionDir, topicId);
                StorageFiles.fsyncDirectory(dir.path());
            } else {
                Optional<Uuid> stored = readTopicId(partitionDir);
                if (stored.isPresent()) {
                    checkTopicId(tp, topicId, stored.get());
                } else {
                    PartitionMetadataFile.write(partitionDir, topicId);
                }
            }
            PartitionLog log = PartitionLog.open(partitionDir, tp, topicId, config, environment(),
                    created || dir.hadCleanShutdown(), created ? CheckpointedOffsets.NONE : dir.checkpointed(tp));
            logs.put(tp, log);
            locations.put(tp, dir);
            return log;
        } catch (IOException | InternalError e) {
            String message = "Cannot open log: partition=" + tp + " dir=" + partitionDir;
            failureChannel.onStorageFailure(dir.path(), message, e);
            throw new KafkaStorageException(message, e);
        }
    }

    /** A log to open: its partition, topic id and config. */
    public record LogSpec(TopicPartition tp, Uuid topicId, LogConfig config) {
    }

    /**
     * Opens the logs of {@code specs} that are on disk and not open yet, on up to
     * {@code num.recovery.threads.per.data.dir} threads per log directory at once, so that a start
     * after a crash recovers many logs in parallel (Kafka's recovery threads). A log whose directory
     * holds another topic id, or that fails to open, is skipped: {@link #getOrCreateLog} meets it
     * again and reports it. Logs not on disk are not created here. Holds this manager's monitor
     * throughout, as opening one log does; the opening threads take no lock of this manager.
     *
     * @return how many logs it opened
     */
    public synchronized int openExistingLogs(Collection<LogSpec> specs) {
        ensureRunning();
        List<Callable<PartitionLog>> opens = new ArrayList<>();
        for (LogSpec spec : specs) {
            TopicPartition tp = spec.tp();
            LogDir dir = locations.get(tp);
            if (dir == null || logs.containsKey(tp) || offlineDirs.contains(dir.path())) {
                continue;
            }
            Path partitionDir = dir.path().resolve(LogFileNames.partitionDirName(tp));
            try {
                Optional<Uuid> stored = readTopicId(partitionDir);
                if (stored.isPresent() && !stored.get().equals(spec.topicId())) {
                    continue;
                }
                if (stored.isEmpty()) {
                    PartitionMetadataFile.write(partitionDir, spec.topicId());
                }
            } catch (IOException | RuntimeException e) {
                continue;
            }
            boolean cleanShutdown = dir.hadCleanShutdown();
            CheckpointedOffsets checkpointed = dir.checkpointed(tp);
            LogEnvironment environment = environment();
            opens.add(() -> PartitionLog.open(partitionDir, tp, spec.topicId(), spec.config(), environment,
                    cleanShutdown, checkpointed));
        }
        if (opens.isEmpty()) {
            return 0;
        }
        int threads = Math.min(opens.size(), config.recoveryThreadsPerDataDir() * dirs.size());
        AtomicInteger threadNumber = new AtomicInteger();
        List<Thread> started = new java.util.concurrent.CopyOnWriteArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread thread = new Thread(r, "strand-log-recovery-" + threadNumber.getAndIncrement());
            started.add(thread);
            return thread;
        });
        int opened = 0;
        try {
            for (Future<PartitionLog> result : pool.invokeAll(opens)) {
                try {
                    PartitionLog log = result.get();
                    logs.put(log.topicPartition(), log);
                    opened++;
                } catch (ExecutionException e) {
                    LOG.warn("A log found on disk did not open on a recovery thread; it is opened again on its own",
                            e.getCause());
                }
            }
            pool.shutdown();
            // Every task has ended; this only waits for the threads themselves to exit. A terminated pool
            // has let its threads go, but each may still be finishing its last steps: join them, so none
            // outlives this call.
            pool.awaitTermination(1, TimeUnit.MINUTES);
            for (Thread thread : started) {
                thread.join(TimeUnit.MINUTES.toMillis(1));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            pool.shutdownNow();
        }
        LOG.info("Opened {} logs found on disk on {} recovery threads", opened, threads);
        return opened;
    }

    /**
     * Sets the log of {@code tp} aside without deleting anything: for a partition directory the
     * metadata does not know, which may yet be someone's only copy of the data. The log is closed
     * and its directory renamed to {@code <topic>-<partition>.<uniqueId>-stray}, as Kafka does since
     * 3.7; the broker never loads nor deletes such a directory, an operator decides.
     *
     * @return the stray directory, or empty if this manager has no log of {@code tp}
     * @throws KafkaStorageException if the directory cannot be renamed
     */
    public synchronized Optional<Path> renameStrayLog(TopicPartition tp) {
        ensureRunning();
        LogDir dir = locations.remove(tp);
        foundAtStartup.remove(tp);
        PartitionLog log = logs.remove(tp);
        if (dir == null) {
            return Optional.empty();
        }
        if (log != null) {
            log.close();
        }
        Path partitionDir = dir.path().resolve(LogFileNames.partitionDirName(tp));
        String uniqueId = new UUID(random.nextLong(), random.nextLong()).toString().replace("-", "");
        Path target = dir.path().resolve(LogFileNames.strayDirName(tp, uniqueId));
        try {
            moveAtomically(partitionDir, target);
            StorageFiles.fsyncDirectory(dir.path());
        } catch (IOException e) {
            String message = "Cannot rename stray log: partition=" + tp + " dir=" + partitionDir;
            failureChannel.onStorageFailure(dir.path(), message, e);
            throw new KafkaStorageException(message, e);
        }
        cleaner.onLogDeleted(tp, dir.path());
        writeCheckpoints(dir);
        LOG.warn("Log of a partition the metadata does not know set aside, not deleted: partition={} renamedTo={}",
                tp, target);
        return Optional.of(target);
    }

    private void warnOfStrayDirectories() {
        for (LogDir dir : dirs) {
            try (Stream<Path> entries = Files.list(dir.path())) {
                entries.filter(p -> p.getFileName().toString().endsWith(LogFileNames.STRAY_DIR_SUFFIX))
                        .forEach(p -> LOG.warn("Stray log directory left for an operator: dir={}", p));
            } catch (IOException e) {
                LOG.warn("Cannot list log directory for strays: dir={}", dir.path(), e);
            }
        }
    }

    public Optional<PartitionLog> getLog(TopicPartition tp) {
        return Optional.ofNullable(logs.get(tp));
    }

    /**
     * Closes the log of {@code tp} (opened or not) and removes its files: the directory is renamed to
     * {@code <topic>-<partition>.<n>-delete} at once, its files deleted in the background after
     * {@code file.delete.delay.ms} so ongoing reads finish.
     */
    public synchronized void deleteLog(TopicPartition tp) {
        ensureRunning();
        LogDir dir = locations.remove(tp);
        foundAtStartup.remove(tp);
        PartitionLog log = logs.remove(tp);
        if (dir == null) {
            return;
        }
        Path partitionDir = dir.path().resolve(LogFileNames.partitionDirName(tp));
        Path target = dir.path().resolve(LogFileNames.partitionDirName(tp) + "." + time.milliseconds() + "x"
                + deletionSequence.incrementAndGet() + LogFileNames.DELETE_DIR_SUFFIX);
        long delayMs = 0L;
        if (log != null) {
            log.closeForDeletion();
            delayMs = log.config().fileDeleteDelayMs();
        }
        try {
            moveAtomically(partitionDir, target);
            StorageFiles.fsyncDirectory(dir.path());
        } catch (IOException e) {
            String message = "Cannot delete log: partition=" + tp + " dir=" + partitionDir;
            failureChannel.onStorageFailure(dir.path(), message, e);
            throw new KafkaStorageException(message, e);
        }
        cleaner.onLogDeleted(tp, dir.path());
        pendingDirDeletions.put(target, Optional.ofNullable(log));
        scheduler.scheduleOnce("delete-log-" + tp, () -> deletePendingDir(target), delayMs);
        writeCheckpoints(dir);
        LOG.info("Deleted log partition={} renamedTo={}", tp, target);
    }

    private static void moveAtomically(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(source, target);
        }
    }

    private void deletePendingDir(Path target) {
        Optional<PartitionLog> log = pendingDirDeletions.remove(target);
        if (log == null) {
            return;
        }
        log.ifPresent(PartitionLog::closeHandles);
        try {
            StorageFiles.deleteRecursively(target);
        } catch (IOException e) {
            LOG.warn("Cannot delete directory={}", target, e);
        }
    }

    /**
     * For DescribeLogDirs: per directory its path, total and usable bytes, and each partition's size;
     * an offline directory as {@link LogDirDescription#offline}.
     */
    public List<LogDirDescription> describeLogDirs() {
        Map<LogDir, Map<TopicPartition, Long>> sizes = new LinkedHashMap<>();
        Map<TopicPartition, LogDir> snapshot;
        Set<Path> offline;
        synchronized (this) {
            dirs.forEach(d -> sizes.put(d, new HashMap<>()));
            snapshot = new HashMap<>(locations);
            offline = Set.copyOf(offlineDirs);
        }
        for (Map.Entry<TopicPartition, LogDir> e : snapshot.entrySet()) {
            if (offline.contains(e.getValue().path())) {
                continue;
            }
            PartitionLog log = logs.get(e.getKey());
            long size = log != null ? log.sizeInBytes()
                    : sizeOnDisk(e.getValue().path().resolve(LogFileNames.partitionDirName(e.getKey())));
            sizes.get(e.getValue()).put(e.getKey(), size);
        }
        List<LogDirDescription> out = new ArrayList<>();
        for (Map.Entry<LogDir, Map<TopicPartition, Long>> e : sizes.entrySet()) {
            Path path = e.getKey().path();
            if (offline.contains(path)) {
                out.add(LogDirDescription.offline(path));
                continue;
            }
            try {
                FileStore store = Files.getFileStore(path);
                out.add(new LogDirDescription(path, store.getTotalSpace(), store.getUsableSpace(), e.getValue()));
            } catch (IOException ex) {
                throw new KafkaStorageException("Cannot describe log directory: dir=" + path, ex);
            }
        }
        return out;
    }

    /**
     * Stops the background tasks, flushes and closes every log (producer snapshots at the log end),
     * writes the checkpoints and the clean-shutdown markers, and releases the directories. A directory
     * reported failed is not written: its logs are closed as they are and it gets no marker.
     */
    @Override
    public void close() {
        Scheduler s;
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            boolean wasRunning = state == State.RUNNING;
            state = State.CLOSED;
            if (!wasRunning) {
                return;
            }
            s = scheduler;
        }
        cleaner.shutdown();
        s.shutdown();
        for (Path pending : List.copyOf(pendingDirDeletions.keySet())) {
            deletePendingDir(pending);
        }
        // reported after the failure handler stopped: closed as it would have closed them, unwritten
        for (Path failed : failureChannel.offlineLogDirs()) {
            handleLogDirFailure(failed);
        }
        Set<LogDir> unclean = new HashSet<>();
        synchronized (this) {
            for (LogDir dir : dirs) {
                if (offlineDirs.contains(dir.path())) {
                    unclean.add(dir);
                }
            }
            for (Map.Entry<TopicPartition, PartitionLog> e : logs.entrySet()) {
                if (!e.getValue().close()) {
                    unclean.add(locations.get(e.getKey()));
                }
            }
            for (Map.Entry<TopicPartition, LogDir> e : locations.entrySet()) {
                if (!logs.containsKey(e.getKey()) && !e.getValue().hadCleanShutdown()) {
                    unclean.add(e.getValue());
                }
            }
            for (LogDir dir : dirs) {
                if (offlineDirs.contains(dir.path())) {
                    dir.release();
                    continue;
                }
                try {
                    writeCheckpointsOf(dir);
                    if (!unclean.contains(dir)) {
                        dir.writeCleanShutdownMarker();
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.error("Cannot complete clean shutdown of log dir={}", dir.path(), e);
                }
                dir.release();
            }
            LOG.info("Log manager closed: dirs={} uncleanDirs={}", config.logDirs(), unclean.size());
        }
    }

    /**
     * Releases files, locks and threads without flushing, checkpointing or writing the clean-shutdown
     * marker: the state a killed process leaves behind (the page cache, unlike a power loss, survives).
     */
    void abandon() {
        Scheduler s;
        synchronized (this) {
            if (state != State.RUNNING) {
                state = State.CLOSED;
                return;
            }
            state = State.CLOSED;
            s = scheduler;
        }
        cleaner.shutdown();
        s.shutdown();
        logs.values().forEach(PartitionLog::closeHandles);
        pendingDirDeletions.values().forEach(l -> l.ifPresent(PartitionLog::closeHandles));
        synchronized (this) {
            dirs.forEach(LogDir::release);
        }
    }

    /** The log cleaner (compaction); tests drive it with {@link LogCleaner#cleanOnce()}. */
    LogCleaner cleaner() {
        return cleaner;
    }

    /** One retention pass over every open log; also expires idle producer ids. */
    void runRetention() {
        for (PartitionLog log : logs.values()) {
            try {
                log.deleteOldSegments();
                log.removeExpiredProducers();
            } catch (RuntimeException e) {
                LOG.error("Retention failed for partition={}", log.topicPartition(), e);
            }
        }
    }

    /** Flushes every open log whose {@code flush.ms} has passed. */
    void runTimeBasedFlush() {
        long nowMs = time.milliseconds();
        for (PartitionLog log : logs.values()) {
            try {
                log.maybeFlushByTime(nowMs);
            } catch (RuntimeException e) {
                LOG.error("Flush failed for partition={}", log.topicPartition(), e);
            }
        }
    }

    /** Writes the recovery-point, high-watermark and log-start checkpoints of every directory. */
    void writeCheckpoints() {
        List<LogDir> all;
        synchronized (this) {
            all = List.copyOf(dirs);
        }
        for (LogDir dir : all) {
            writeCheckpoints(dir);
        }
    }

    private void writeCheckpoints(LogDir dir) {
        try {
            writeCheckpointsOf(dir);
        } catch (IOException e) {
            failureChannel.onStorageFailure(dir.path(), "Cannot write checkpoints", e);
        }
    }

    /**
     * Reads the offsets and writes them under the monitor, so a checkpoint read before a truncation
     * cannot be written after the one that truncation asked for (it would restore a stale recovery point).
     */
    private void writeCheckpointsOf(LogDir dir) throws IOException {
        Map<TopicPartition, CheckpointedOffsets> offsets = new HashMap<>();
        synchronized (this) {
            if (offlineDirs.contains(dir.path())) {
                return;
            }
            for (Map.Entry<TopicPartition, LogDir> e : locations.entrySet()) {
                if (e.getValue() != dir) {
                    continue;
                }
                PartitionLog log = logs.get(e.getKey());
                offsets.put(e.getKey(), log == null ? dir.checkpointed(e.getKey())
                        : new CheckpointedOffsets(log.recoveryPoint(), log.logStartOffset(), log.highWatermark()));
            }
            dir.writeCheckpoints(offsets);
        }
    }

    private LogEnvironment environment() {
        return new LogEnvironment(time, scheduler, random, config.producerIdExpirationMs(), this::onLogStartOffsetChanged,
                failureChannel);
    }

    private void onLogStartOffsetChanged(PartitionLog log) {
        LogDir dir;
        synchronized (this) {
            dir = locations.get(log.topicPartition());
        }
        if (dir != null) {
            writeCheckpoints(dir);
        }
    }

    private LogDir leastLoadedDir() {
        Map<LogDir, Integer> counts = new HashMap<>();
        locations.values().forEach(d -> counts.merge(d, 1, Integer::sum));
        LogDir best = null;
        for (LogDir d : dirs) {
            if (offlineDirs.contains(d.path())) {
                continue;
            }
            if (best == null || counts.getOrDefault(d, 0) < counts.getOrDefault(best, 0)) {
                best = d;
            }
        }
        if (best == null) {
            throw new KafkaStorageException("Every log directory is offline: dirs=" + config.logDirs());
        }
        return best;
    }

    /** Where I/O errors in this manager's directories are reported; its one handler calls {@link #handleLogDirFailure}. */
    public LogDirFailureChannel logDirFailureChannel() {
        return failureChannel;
    }

    /**
     * Takes {@code logDir} offline: closes the logs in it without flushing, trimming or checkpointing
     * (their files are left as a crash would leave them; the next start recovers them) and stops
     * opening or creating logs there. For the failure channel's one handler. Calling it again, or for a
     * directory this manager does not own, changes nothing.
     *
     * @return the partitions whose logs are in {@code logDir}, opened or not
     */
    public synchronized Set<TopicPartition> handleLogDirFailure(Path logDir) {
        boolean owned = dirs.stream().anyMatch(d -> d.path().equals(logDir));
        if (!owned || !offlineDirs.add(logDir)) {
            return Set.of();
        }
        dirs.stream().filter(d -> d.path().equals(logDir)).forEach(d -> offlineDirectoryIds.add(d.directoryId()));
        Set<TopicPartition> offline = new HashSet<>();
        for (Map.Entry<TopicPartition, LogDir> e : locations.entrySet()) {
            if (e.getValue().path().equals(logDir)) {
                offline.add(e.getKey());
                PartitionLog log = logs.remove(e.getKey());
                if (log != null) {
                    log.closeHandles();
                }
            }
        }
        LOG.error("Log directory offline: dir={} partitions={} onlineDirs={}", logDir, offline.size(),
                dirs.size() - offlineDirs.size());
        return offline;
    }

    /**
     * Every directory of {@code log.dirs} (offline ones included) and its id, in {@code log.dirs} order;
     * empty before {@link #startup}. Takes no lock (heartbeats ask while logs are being recovered).
     */
    public Map<Path, Uuid> directoryIds() {
        return directoryIds;
    }

    /** The ids of the directories not taken offline, in {@code log.dirs} order. Takes no lock. */
    public List<Uuid> onlineDirectoryIds() {
        Set<Uuid> offline = Set.copyOf(offlineDirectoryIds);
        return directoryIds.values().stream().filter(id -> !offline.contains(id)).toList();
    }

    /**
     * The ids of the directories taken offline by {@link #handleLogDirFailure}, in the order they
     * failed. Takes no lock.
     */
    public List<Uuid> offlineDirectoryIds() {
        return List.copyOf(offlineDirectoryIds);
    }

    /** The id of the directory holding the log of {@code tp} (opened or only on disk), if there is one. */
    @Override
    public synchronized Optional<Uuid> directoryIdOf(TopicPartition tp) {
        return Optional.ofNullable(locations.get(tp)).map(LogDir::directoryId);
    }

    /** The directories of {@code log.dirs} not taken offline. */
    public synchronized List<Path> onlineLogDirs() {
        List<Path> online = new ArrayList<>();
        for (LogDir d : dirs) {
            if (!offlineDirs.contains(d.path())) {
                online.add(d.path());
            }
        }
        return online;
    }

    private Optional<Uuid> readTopicId(Path partitionDir) throws IOException {
        try {
            return PartitionMetadataFile.read(partitionDir);
        } catch (CorruptFileException e) {
            LOG.warn("Rewriting unreadable partition metadata: {}", e.getMessage());
            return Optional.empty();
        }
    }

    private static void checkTopicId(TopicPartition tp, Uuid expected, Uuid actual) {
        if (!expected.equals(actual)) {
            throw new InconsistentTopicIdException("Log of partition=" + tp + " belongs to topicId=" + actual
                    + " not topicId=" + expected);
        }
    }

    private static long sizeOnDisk(Path partitionDir) {
        try (Stream<Path> files = Files.list(partitionDir)) {
            long size = 0;
            for (Path p : (Iterable<Path>) files::iterator) {
                if (p.getFileName().toString().endsWith(LogFileNames.LOG_SUFFIX)) {
                    size += Files.size(p);
                }
            }
            return size;
        } catch (IOException e) {
            return 0L;
        }
    }

    private void ensureRunning() {
        if (state != State.RUNNING) {
            throw new IllegalStateException("Log manager is not running: state=" + state);
        }
    }
}
