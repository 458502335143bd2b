package io.strand.storage.log;

import io.strand.common.config.TopicConfigs;
import io.strand.storage.record.BatchRules;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;

/**
 * Validated configuration of one log, built from the effective topic config. Immutable; a log swaps
 * in a new instance on {@link PartitionLog#updateConfig}.
 *
 * <p>Each component is the Kafka topic property of the same meaning: {@code segment.bytes},
 * {@code segment.ms}, {@code segment.jitter.ms}, {@code segment.index.bytes},
 * {@code index.interval.bytes}, {@code retention.ms} ({@code -1}: no limit), {@code retention.bytes}
 * ({@code -1}: no limit), {@code flush.messages}, {@code flush.ms}, {@code max.message.bytes},
 * {@code message.timestamp.type}, {@code message.timestamp.before.max.ms},
 * {@code message.timestamp.after.max.ms}, {@code file.delete.delay.ms}, {@code cleanup.policy} (as two
 * flags), {@code compression.type} and {@code preallocate}; for compacted topics also
 * {@code delete.retention.ms}, {@code min.cleanable.dirty.ratio}, {@code min.compaction.lag.ms} and
 * {@code max.compaction.lag.ms} (see {@link io.strand.storage.cleaner.LogCleaner}).
 */
public record LogConfig(int segmentBytes, long segmentMs, long segmentJitterMs, int segmentIndexBytes,
        int indexIntervalBytes, long retentionMs, long retentionBytes, long flushIntervalMessages,
        long flushIntervalMs, int maxMessageBytes, TimestampType timestampType,
        long messageTimestampBeforeMaxMs, long messageTimestampAfterMaxMs, long fileDeleteDelayMs,
        boolean deletePolicy, boolean compactPolicy, String compressionType, boolean preallocate,
        long deleteRetentionMs, double minCleanableDirtyRatio, long minCompactionLagMs, long maxCompactionLagMs)
        implements BatchRules {

    /** {@code compression.type} value that keeps each batch in the codec its producer chose. */
    public static final String PRODUCER_COMPRESSION = "producer";

    private static final Set<String> COMPRESSION_TYPES =
            Set.of(PRODUCER_COMPRESSION, "uncompressed", "gzip", "snappy", "lz4", "zstd");

    public LogConfig {
        Objects.requireNonNull(timestampType, "timestampType");
        Objects.requireNonNull(compressionType, "compressionType");
        compressionType = compressionType.toLowerCase(Locale.ROOT);
        requireAtLeast(TopicConfig.SEGMENT_BYTES_CONFIG, segmentBytes, 1);
        requireAtLeast(TopicConfig.SEGMENT_MS_CONFIG, segmentMs, 1);
        requireAtLeast(TopicConfig.SEGMENT_JITTER_MS_CONFIG, segmentJitterMs, 0);
        requireAtLeast(TopicConfig.SEGMENT_INDEX_BYTES_CONFIG, segmentIndexBytes, 4);
        requireAtLeast(TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, indexIntervalBytes, 0);
        requireAtLeast(TopicConfig.RETENTION_MS_CONFIG, retentionMs, -1);
        requireAtLeast(TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG, flushIntervalMessages, 1);
        requireAtLeast(TopicConfig.FLUSH_MS_CONFIG, flushIntervalMs, 0);
        requireAtLeast(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, maxMessageBytes, 0);
        requireAtLeast(TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG, messageTimestampBeforeMaxMs, 0);
        requireAtLeast(TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG, messageTimestampAfterMaxMs, 0);
        requireAtLeast(TopicConfig.FILE_DELETE_DELAY_MS_CONFIG, fileDeleteDelayMs, 0);
        requireAtLeast(TopicConfig.DELETE_RETENTION_MS_CONFIG, deleteRetentionMs, 0);
        requireAtLeast(TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, minCompactionLagMs, 0);
        requireAtLeast(TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG, maxCompactionLagMs, 1);
        if (!(minCleanableDirtyRatio >= 0.0 && minCleanableDirtyRatio <= 1.0)) {
            throw new ConfigException(TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, minCleanableDirtyRatio,
                    "must be between 0 and 1");
        }
        if (timestampType == TimestampType.NO_TIMESTAMP_TYPE) {
            throw new ConfigException(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, timestampType.name,
                    "must be CreateTime or LogAppendTime");
        }
        if (!COMPRESSION_TYPES.contains(compressionType)) {
            throw new ConfigException(TopicConfig.COMPRESSION_TYPE_CONFIG, compressionType,
                    "must be one of " + COMPRESSION_TYPES);
        }
    }

    /** The settings of a log without compaction; the compaction settings take Kafka's defaults. */
    public LogConfig(int segmentBytes, long segmentMs, long segmentJitterMs, int segmentIndexBytes,
            int indexIntervalBytes, long retentionMs, long retentionBytes, long flushIntervalMessages,
            long flushIntervalMs, int maxMessageBytes, TimestampType timestampType,
            long messageTimestampBeforeMaxMs, long messageTimestampAfterMaxMs, long fileDeleteDelayMs,
            boolean deletePolicy, boolean compactPolicy, String compressionType, boolean preallocate) {
        this(segmentBytes, segmentMs, segmentJitterMs, segmentIndexBytes, indexIntervalBytes, retentionMs,
                retentionBytes, flushIntervalMessages, flushIntervalMs, maxMessageBytes, timestampType,
                messageTimestampBeforeMaxMs, messageTimestampAfterMaxMs, fileDeleteDelayMs, deletePolicy,
                compactPolicy, compressionType, preallocate, 86_400_000L, 0.5, 0L, Long.MAX_VALUE);
    }

    /** From the parsed effective topic config, i.e. {@code TopicConfigs.effective(...)}; missing keys take Kafka's defaults. */
    public static LogConfig from(Map<String, Object> parsedTopicConfig) {
        Map<String, Object> c = new HashMap<>(TopicConfigs.DEF.defaultValues());
        c.putAll(parsedTopicConfig);
        List<String> policy = policyList(c.get(TopicConfig.CLEANUP_POLICY_CONFIG));
        return new LogConfig(
                intOf(c, TopicConfig.SEGMENT_BYTES_CONFIG),
                longOf(c, TopicConfig.SEGMENT_MS_CONFIG),
                longOf(c, TopicConfig.SEGMENT_JITTER_MS_CONFIG),
                intOf(c, TopicConfig.SEGMENT_INDEX_BYTES_CONFIG),
                intOf(c, TopicConfig.INDEX_INTERVAL_BYTES_CONFIG),
                longOf(c, TopicConfig.RETENTION_MS_CONFIG),
                longOf(c, TopicConfig.RETENTION_BYTES_CONFIG),
                longOf(c, TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG),
                longOf(c, TopicConfig.FLUSH_MS_CONFIG),
                intOf(c, TopicConfig.MAX_MESSAGE_BYTES_CONFIG),
                TimestampType.forName(String.valueOf(c.get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG))),
                longOf(c, TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG),
                longOf(c, TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG),
                longOf(c, TopicConfig.FILE_DELETE_DELAY_MS_CONFIG),
                policy.contains(TopicConfig.CLEANUP_POLICY_DELETE),
                policy.contains(TopicConfig.CLEANUP_POLICY_COMPACT),
                String.valueOf(c.get(TopicConfig.COMPRESSION_TYPE_CONFIG)),
                Boolean.parseBoolean(String.valueOf(c.get(TopicConfig.PREALLOCATE_CONFIG))),
                longOf(c, TopicConfig.DELETE_RETENTION_MS_CONFIG),
                doubleOf(c, TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG),
                longOf(c, TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG),
                longOf(c, TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG));
    }

    /** Kafka's defaults for every topic property. */
    public static LogConfig defaults() {
        return from(Map.of());
    }

    /** The codec batches are stored in, or {@code null} to keep each batch's own codec. */
    @Override
    public CompressionType targetCompressionOrNull() {
        return switch (compressionType) {
            case PRODUCER_COMPRESSION -> null;
            case "uncompressed" -> CompressionType.NONE;
            default -> CompressionType.forName(compressionType);
        };
    }

    private static List<String> policyList(Object value) {
        if (value instanceof List<?> list) {
            return list.stream().map(v -> String.valueOf(v).trim().toLowerCase(Locale.ROOT)).toList();
        }
        return List.of(String.valueOf(value).toLowerCase(Locale.ROOT).split("\\s*,\\s*"));
    }

    private static int intOf(Map<String, Object> c, String name) {
        long v = longOf(c, name);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new ConfigException(name, v, "does not fit an int");
        }
        return (int) v;
    }

    private static long longOf(Map<String, Object> c, String name) {
        Object v = c.get(name);
        if (v instanceof Number n) {
            return n.longValue();
        }
        try {
            return Long.parseLong(String.valueOf(v).trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(name, v, "not a number");
        }
    }

    private static double doubleOf(Map<String, Object> c, String name) {
        Object v = c.get(name);
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        try {
            return Double.parseDouble(String.valueOf(v).trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(name, v, "not a number");
        }
    }

    private static void requireAtLeast(String name, long value, long min) {
        if (value < min) {
            throw new ConfigException(name, value, "must be at least " + min);
        }
    }
}
