package io.strand.bench.jmh;

import io.strand.storage.LogManager;
import io.strand.storage.LogManagerConfig;
import io.strand.storage.log.LogConfig;
import io.strand.storage.log.PartitionLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.utils.Time;

/**
 * One partition log in a fresh temporary log directory, opened through the public {@link LogManager}
 * as the broker does, for a benchmark's {@code @Setup(Level.Trial)}; {@link #close} (from
 * {@code @TearDown}) closes the manager and deletes the directory.
 *
 * <p>{@code parentDir} is where the temporary directory goes (empty: the system temp directory); on a
 * tmpfs such as {@code /dev/shm} there is no writeback and fsync is free, which isolates the CPU cost.
 * The log manager runs its background tasks as in a broker (retention every
 * {@code retentionCheckIntervalMs}, segment-roll flushes) with the cleaner off; {@code topicConfig}
 * overrides Kafka's topic defaults (e.g. {@code segment.bytes}, {@code retention.bytes}). Owned by the
 * benchmark thread; nothing is meant to survive it.
 */
final class TempLog implements AutoCloseable {

    static final TopicPartition TOPIC_PARTITION = new TopicPartition("bench", 0);

    private final Path dir;
    private final LogManager manager;
    private final PartitionLog log;

    private TempLog(Path dir, LogManager manager, PartitionLog log) {
        this.dir = dir;
        this.manager = manager;
        this.log = log;
    }

    /** A fresh directory under {@code parentDir}, or under the system temp directory if it is empty. */
    static Path createTempDirectory(String parentDir, String prefix) throws IOException {
        return parentDir.isEmpty() ? Files.createTempDirectory(prefix)
                : Files.createTempDirectory(Path.of(parentDir), prefix);
    }

    static TempLog create(String parentDir, String prefix, long retentionCheckIntervalMs,
            Map<String, Object> topicConfig) throws IOException {
        Path dir = createTempDirectory(parentDir, prefix);
        LogManagerConfig managerConfig = new LogManagerConfig(List.of(dir), retentionCheckIntervalMs, Long.MAX_VALUE,
                60_000L, 86_400_000).withCleaner(false, LogManagerConfig.DEFAULT_CLEANER_DEDUPE_BUFFER_BYTES,
                Double.MAX_VALUE, LogManagerConfig.DEFAULT_CLEANER_BACKOFF_MS);
        LogManager manager = new LogManager(managerConfig, Time.SYSTEM);
        try {
            manager.startup();
            Map<String, Object> config = new HashMap<>(topicConfig);
            config.putIfAbsent(TopicConfig.FILE_DELETE_DELAY_MS_CONFIG, 0L);
            PartitionLog log = manager.getOrCreateLog(TOPIC_PARTITION, Uuid.randomUuid(), LogConfig.from(config));
            return new TempLog(dir, manager, log);
        } catch (RuntimeException e) {
            manager.close();
            deleteRecursively(dir);
            throw e;
        }
    }

    PartitionLog log() {
        return log;
    }

    @Override
    public void close() {
        try {
            manager.close();
        } finally {
            deleteRecursively(dir);
        }
    }

    static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete benchmark directory=" + root, e);
        }
    }
}
