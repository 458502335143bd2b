package io.strand.storage;

import io.strand.storage.cleaner.CleanerConfig;
import io.strand.storage.cleaner.LogCleaner;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.config.ConfigException;

/**
 * Settings of the log manager as a whole (broker-level, not per topic), with Kafka's property names:
 * {@code log.dirs}, {@code log.retention.check.interval.ms}, {@code log.flush.scheduler.interval.ms},
 * {@code log.flush.offset.checkpoint.interval.ms}, {@code producer.id.expiration.ms} and
 * {@code num.recovery.threads.per.data.dir} (threads per directory that open logs found on disk in
 * parallel, see {@link LogManager#openExistingLogs}). An interval of {@link Long#MAX_VALUE} turns its background task off.
 *
 * <p>The log cleaner (compaction, see {@link LogCleaner}): {@code log.cleaner.enable} (default true;
 * false: no compaction at all), {@code log.cleaner.dedupe.buffer.size} (bytes of the key-hash → offset
 * map, default 128 MiB; a smaller map cleans a log in more passes), {@code log.cleaner.io.max.bytes.per.second}
 * (read plus written bytes, default unlimited) and {@code log.cleaner.backoff.ms} (idle wait between
 * passes when no log needs cleaning, default 15 s).
 */
public record LogManagerConfig(List<Path> logDirs, long retentionCheckIntervalMs, long flushCheckIntervalMs,
        long checkpointIntervalMs, int producerIdExpirationMs, boolean cleanerEnable, long cleanerDedupeBufferBytes,
        double cleanerIoMaxBytesPerSecond, long cleanerBackoffMs, int recoveryThreadsPerDataDir) {

    /** Kafka's default {@code num.recovery.threads.per.data.dir}. */
    public static final int DEFAULT_RECOVERY_THREADS_PER_DATA_DIR = 2;
    public static final long DEFAULT_CLEANER_DEDUPE_BUFFER_BYTES = 128L * 1024 * 1024;
    public static final long DEFAULT_CLEANER_BACKOFF_MS = 15_000L;

    public LogManagerConfig {
        Objects.requireNonNull(logDirs, "logDirs");
        logDirs = List.copyOf(logDirs);
        if (logDirs.isEmpty()) {
            throw new ConfigException("log.dirs", "", "at least one log directory is required");
        }
        if (logDirs.stream().map(p -> p.toAbsolutePath().normalize()).distinct().count() != logDirs.size()) {
            throw new ConfigException("log.dirs", logDirs.toString(), "duplicate log directory");
        }
        requirePositive("log.retention.check.interval.ms", retentionCheckIntervalMs);
        requirePositive("log.flush.scheduler.interval.ms", flushCheckIntervalMs);
        requirePositive("log.flush.offset.checkpoint.interval.ms", checkpointIntervalMs);
        requirePositive("producer.id.expiration.ms", producerIdExpirationMs);
        if (cleanerDedupeBufferBytes < CleanerConfig.MIN_DEDUPE_BUFFER_BYTES) {
            throw new ConfigException("log.cleaner.dedupe.buffer.size", cleanerDedupeBufferBytes,
                    "must be at least " + CleanerConfig.MIN_DEDUPE_BUFFER_BYTES);
        }
        if (!(cleanerIoMaxBytesPerSecond > 0)) {
            throw new ConfigException("log.cleaner.io.max.bytes.per.second", cleanerIoMaxBytesPerSecond,
                    "must be positive");
        }
        requirePositive("log.cleaner.backoff.ms", cleanerBackoffMs);
        requirePositive("num.recovery.threads.per.data.dir", recoveryThreadsPerDataDir);
    }

    /** The settings without the cleaner's, which take Kafka's defaults. */
    public LogManagerConfig(List<Path> logDirs, long retentionCheckIntervalMs, long flushCheckIntervalMs,
            long checkpointIntervalMs, int producerIdExpirationMs) {
        this(logDirs, retentionCheckIntervalMs, flushCheckIntervalMs, checkpointIntervalMs, producerIdExpirationMs,
                true, DEFAULT_CLEANER_DEDUPE_BUFFER_BYTES, Double.MAX_VALUE, DEFAULT_CLEANER_BACKOFF_MS,
                DEFAULT_RECOVERY_THREADS_PER_DATA_DIR);
    }

    /** The same settings with the given cleaner settings. */
    public LogManagerConfig withCleaner(boolean enable, long dedupeBufferBytes, double ioMaxBytesPerSecond,
            long backoffMs) {
        return new LogManagerConfig(logDirs, retentionCheckIntervalMs, flushCheckIntervalMs, checkpointIntervalMs,
                producerIdExpirationMs, enable, dedupeBufferBytes, ioMaxBytesPerSecond, backoffMs,
                recoveryThreadsPerDataDir);
    }

    /** The same settings with {@code num.recovery.threads.per.data.dir} = {@code threads}. */
    public LogManagerConfig withRecoveryThreadsPerDataDir(int threads) {
        return new LogManagerConfig(logDirs, retentionCheckIntervalMs, flushCheckIntervalMs, checkpointIntervalMs,
                producerIdExpirationMs, cleanerEnable, cleanerDedupeBufferBytes, cleanerIoMaxBytesPerSecond,
                cleanerBackoffMs, threads);
    }

    /** The cleaner's part of these settings. */
    public CleanerConfig cleanerConfig() {
        return new CleanerConfig(cleanerEnable, cleanerDedupeBufferBytes, cleanerIoMaxBytesPerSecond, cleanerBackoffMs);
    }

    /** Kafka's defaults for everything but the directories. */
    public static LogManagerConfig withDefaults(List<Path> logDirs) {
        return new LogManagerConfig(logDirs, 300_000L, Long.MAX_VALUE, 60_000L, 86_400_000);
    }

    private static void requirePositive(String name, long value) {
        if (value <= 0) {
            throw new ConfigException(name, value, "must be positive");
        }
    }
}
