package io.strand.storage;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.config.ConfigException;

/**
 * Settings of the log manager as a whole (broker-level, not per topic), with Kafka's property names:
 * {@code log.dirs}, {@code log.retention.check.interval.ms}, {@code log.flush.scheduler.interval.ms},
 * {@code log.flush.offset.checkpoint.interval.ms} and {@code producer.id.expiration.ms}.
 * An interval of {@link Long#MAX_VALUE} turns its background task off.
 */
public record LogManagerConfig(List<Path> logDirs, long retentionCheckIntervalMs, long flushCheckIntervalMs,
        long checkpointIntervalMs, int producerIdExpirationMs) {

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
