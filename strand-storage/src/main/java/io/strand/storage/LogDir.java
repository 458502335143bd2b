package io.strand.storage;

import io.strand.storage.checkpoint.CheckpointFile;
import io.strand.storage.checkpoint.CheckpointedOffsets;
import io.strand.storage.checkpoint.DirectoryMetaFile;
import io.strand.storage.file.CorruptFileException;
import io.strand.storage.file.LogFileNames;
import io.strand.storage.file.StorageFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code log.dirs} entry owned by a {@link LogManager}: the {@code .lock} file that keeps a second
 * process out, the directory's id ({@link DirectoryMetaFile}, written at first use and kept across
 * restarts), whether the last shutdown was clean, and the three per-directory checkpoints.
 *
 * <p>Checkpoint files ({@link CheckpointFile} format), one line per partition,
 * {@code <topic> <partition> <offset>}:
 * <pre>
 * recovery-point-offset-checkpoint   offset below which the partition's data was fsynced
 * replication-offset-checkpoint      high watermark
 * log-start-offset-checkpoint        log start offset
 * </pre>
 *
 * <p><b>Clean shutdown.</b> {@code .strand_cleanshutdown} is written (and fsynced) last in a clean close,
 * and removed (removal fsynced) at startup before anything is written, so its presence at startup
 * means every file in the directory is complete and recovery can be skipped.
 *
 * <p><b>Threads.</b> Checkpoint writes are serialized by an internal lock; the values read at startup
 * are immutable.
 */
final class LogDir {

    private static final Logger LOG = LoggerFactory.getLogger(LogDir.class);

    private final Path path;
    private final Uuid directoryId;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final boolean hadCleanShutdown;
    private final Map<TopicPartition, CheckpointedOffsets> checkpointed;
    private final Object checkpointLock = new Object();

    private LogDir(Path path, Uuid directoryId, FileChannel lockChannel, FileLock lock, boolean hadCleanShutdown,
            Map<TopicPartition, CheckpointedOffsets> checkpointed) {
        this.path = path;
        this.directoryId = directoryId;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.hadCleanShutdown = hadCleanShutdown;
        this.checkpointed = Map.copyOf(checkpointed);
    }

    /**
     * Creates the directory if needed, locks it, reads (or at first use writes) its id, consumes the
     * clean-shutdown marker and reads the checkpoints.
     */
    static LogDir open(Path path) {
        FileChannel channel = null;
        try {
            Files.createDirectories(path);
            channel = FileChannel.open(path.resolve(LogFileNames.LOCK_FILE), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new KafkaStorageException("Log directory is in use by another log manager: dir=" + path);
            }
            Uuid directoryId = DirectoryMetaFile.loadOrCreate(path);
            Path marker = path.resolve(LogFileNames.CLEAN_SHUTDOWN_MARKER);
            boolean clean = Files.deleteIfExists(marker);
            if (clean) {
                StorageFiles.fsyncDirectory(path);
            }
            Map<TopicPartition, Long> recovery = readOffsets(path.resolve(LogFileNames.RECOVERY_POINT_CHECKPOINT));
            Map<TopicPartition, Long> hw = readOffsets(path.resolve(LogFileNames.HIGH_WATERMARK_CHECKPOINT));
            Map<TopicPartition, Long> start = readOffsets(path.resolve(LogFileNames.LOG_START_CHECKPOINT));
            Map<TopicPartition, CheckpointedOffsets> offsets = new HashMap<>();
            for (Map<TopicPartition, Long> m : List.of(recovery, hw, start)) {
                for (TopicPartition tp : m.keySet()) {
                    offsets.put(tp, new CheckpointedOffsets(recovery.getOrDefault(tp, -1L),
                            start.getOrDefault(tp, -1L), hw.getOrDefault(tp, -1L)));
                }
            }
            LOG.info("Opened log dir={} directoryId={} cleanShutdown={} checkpointedPartitions={}", path, directoryId,
                    clean, offsets.size());
            return new LogDir(path, directoryId, channel, lock, clean, offsets);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new KafkaStorageException("Cannot open log directory: dir=" + path, e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    Path path() {
        return path;
    }

    /** This directory's id, as its {@code meta.properties} holds it. */
    Uuid directoryId() {
        return directoryId;
    }

    boolean hadCleanShutdown() {
        return hadCleanShutdown;
    }

    CheckpointedOffsets checkpointed(TopicPartition tp) {
        return checkpointed.getOrDefault(tp, CheckpointedOffsets.NONE);
    }

    /**
     * The partition directories in this log dir, and the {@code -delete} directories left from
     * before. {@code -stray} directories are neither: they stay as they are for an operator.
     */
    List<Path> listDirectories(boolean deleted) throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> entries = Files.list(path)) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                String name = p.getFileName().toString();
                if (!Files.isDirectory(p)) {
                    continue;
                }
                boolean isDeleted = name.endsWith(LogFileNames.DELETE_DIR_SUFFIX);
                if (deleted == isDeleted && (deleted || LogFileNames.parsePartitionDirName(name).isPresent())) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    /** Writes the three checkpoints for the given partitions of this directory. */
    void writeCheckpoints(Map<TopicPartition, CheckpointedOffsets> partitions) throws IOException {
        List<String> recovery = new ArrayList<>();
        List<String> hw = new ArrayList<>();
        List<String> start = new ArrayList<>();
        for (Map.Entry<TopicPartition, CheckpointedOffsets> e : partitions.entrySet()) {
            String key = e.getKey().topic() + " " + e.getKey().partition() + " ";
            CheckpointedOffsets o = e.getValue();
            if (o.recoveryPoint() >= 0) {
                recovery.add(key + o.recoveryPoint());
            }
            if (o.highWatermark() >= 0) {
                hw.add(key + o.highWatermark());
            }
            if (o.logStartOffset() >= 0) {
                start.add(key + o.logStartOffset());
            }
        }
        synchronized (checkpointLock) {
            CheckpointFile.write(path.resolve(LogFileNames.RECOVERY_POINT_CHECKPOINT), recovery);
            CheckpointFile.write(path.resolve(LogFileNames.HIGH_WATERMARK_CHECKPOINT), hw);
            CheckpointFile.write(path.resolve(LogFileNames.LOG_START_CHECKPOINT), start);
        }
    }

    void writeCleanShutdownMarker() throws IOException {
        Files.write(path.resolve(LogFileNames.CLEAN_SHUTDOWN_MARKER), new byte[0]);
        try (FileChannel ch = FileChannel.open(path.resolve(LogFileNames.CLEAN_SHUTDOWN_MARKER),
                StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        StorageFiles.fsyncDirectory(path);
    }

    void release() {
        try {
            lock.release();
        } catch (IOException e) {
            LOG.warn("Cannot release lock of log dir={}", path, e);
        }
        closeQuietly(lockChannel);
    }

    private static Map<TopicPartition, Long> readOffsets(Path file) throws IOException {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        try {
            Optional<List<String[]>> entries = CheckpointFile.read(file, 3);
            for (String[] f : entries.orElse(List.of())) {
                offsets.put(new TopicPartition(f[0], Integer.parseInt(f[1])), Long.parseLong(f[2]));
            }
        } catch (CorruptFileException | NumberFormatException e) {
            LOG.warn("Ignoring unreadable checkpoint file={}: {}", file, e.getMessage());
            offsets.clear();
        }
        return offsets;
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing left to do
            }
        }
    }
}
