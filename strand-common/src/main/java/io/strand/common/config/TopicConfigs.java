package io.strand.common.config;

import static org.apache.kafka.common.config.ConfigDef.Importance.HIGH;
import static org.apache.kafka.common.config.ConfigDef.Importance.LOW;
import static org.apache.kafka.common.config.ConfigDef.Importance.MEDIUM;
import static org.apache.kafka.common.config.ConfigDef.Range.atLeast;
import static org.apache.kafka.common.config.ConfigDef.Range.between;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidList;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The per-topic configuration properties Strand knows, with Kafka's names, types, defaults and
 * validation, and for each the broker properties that supply its default ("synonyms", most specific
 * first, as Kafka's DescribeConfigs reports them).
 *
 * <p>A topic's effective configuration is its own overrides (stored as metadata records) laid over
 * the broker's defaults (its values of each config's broker synonyms), which are laid over the defaults
 * here. Stateless and thread-safe.
 */
public final class TopicConfigs {

    /** The definitions; {@code DEF.parse(map)} validates a whole map and fills in Kafka's defaults. */
    public static final ConfigDef DEF = new ConfigDef();

    private static final Map<String, List<String>> BROKER_SYNONYMS = new LinkedHashMap<>();

    /** Kafka's name of the replicas a leader throttles ({@code partition:broker,...} or {@code *}). */
    public static final String LEADER_THROTTLED_REPLICAS = "leader.replication.throttled.replicas";
    /** Kafka's name of the replicas a follower throttles, as {@link #LEADER_THROTTLED_REPLICAS}. */
    public static final String FOLLOWER_THROTTLED_REPLICAS = "follower.replication.throttled.replicas";

    /** A list of {@code partition:broker} pairs (empty ones allowed), or {@code *} alone. */
    private static final ConfigDef.Validator THROTTLED_REPLICAS = (name, value) -> {
        @SuppressWarnings("unchecked")
        List<String> replicas = value == null ? List.of() : (List<String>) value;
        boolean wildcard = String.join("", replicas).equals("*");
        if (!wildcard && !replicas.stream().allMatch(r -> r.trim().matches("([0-9]+:[0-9]+)?"))) {
            throw new ConfigException(name, value, name
                    + " must be the literal '*' or a list of replicas in the following format: "
                    + "[partitionId]:[brokerId],[partitionId]:[brokerId],...");
        }
    };

    static {
        define(TopicConfig.CLEANUP_POLICY_CONFIG, Type.LIST, List.of(TopicConfig.CLEANUP_POLICY_DELETE),
                ValidList.in(TopicConfig.CLEANUP_POLICY_COMPACT, TopicConfig.CLEANUP_POLICY_DELETE), MEDIUM,
                "'delete' discards old segments by time or size, 'compact' keeps the latest record per key.",
                "log.cleanup.policy");
        define(TopicConfig.COMPRESSION_TYPE_CONFIG, Type.STRING, "producer",
                ValidString.in("uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"), MEDIUM,
                "Codec the broker stores batches in; 'producer' keeps the producer's codec.",
                "compression.type");
        define(TopicConfig.COMPRESSION_GZIP_LEVEL_CONFIG, Type.INT, -1, between(-1, 9), LOW,
                "Gzip level when compression.type is gzip.", "compression.gzip.level");
        define(TopicConfig.COMPRESSION_LZ4_LEVEL_CONFIG, Type.INT, 9, between(1, 17), LOW,
                "LZ4 level when compression.type is lz4.", "compression.lz4.level");
        define(TopicConfig.COMPRESSION_ZSTD_LEVEL_CONFIG, Type.INT, 3, between(-131072, 22), LOW,
                "Zstd level when compression.type is zstd.", "compression.zstd.level");
        define(TopicConfig.DELETE_RETENTION_MS_CONFIG, Type.LONG, 86_400_000L, atLeast(0), MEDIUM,
                "How long tombstones are kept in a compacted topic.", "log.cleaner.delete.retention.ms");
        define(TopicConfig.FILE_DELETE_DELAY_MS_CONFIG, Type.LONG, 60_000L, atLeast(0), MEDIUM,
                "Delay before a deleted segment's files are removed.", "log.segment.delete.delay.ms");
        define(TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG, Type.LONG, Long.MAX_VALUE, atLeast(1), MEDIUM,
                "Force an fsync after this many appended records.", "log.flush.interval.messages");
        define(TopicConfig.FLUSH_MS_CONFIG, Type.LONG, Long.MAX_VALUE, atLeast(0), MEDIUM,
                "Force an fsync when unflushed data is older than this.", "log.flush.interval.ms");
        define(TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, Type.INT, 4096, atLeast(0), MEDIUM,
                "Bytes between entries of the sparse offset index.", "log.index.interval.bytes");
        define(TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG, Type.LONG, Long.MAX_VALUE, atLeast(1), MEDIUM,
                "Longest time a record stays uncompacted.", "log.cleaner.max.compaction.lag.ms");
        define(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Type.INT, 1_048_588, atLeast(0), MEDIUM,
                "Largest record batch the topic accepts.", "message.max.bytes");
        define(TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG, Type.LONG, 3_600_000L, atLeast(0), MEDIUM,
                "How far a CreateTime timestamp may lie ahead of the broker's clock.",
                "log.message.timestamp.after.max.ms");
        define(TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG, Type.LONG, Long.MAX_VALUE, atLeast(0), MEDIUM,
                "How far a CreateTime timestamp may lie behind the broker's clock.",
                "log.message.timestamp.before.max.ms");
        define(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, Type.STRING, "CreateTime",
                ValidString.in("CreateTime", "LogAppendTime"), MEDIUM,
                "Whether records keep the producer's timestamp or get the broker's.",
                "log.message.timestamp.type");
        define(TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, Type.DOUBLE, 0.5, between(0, 1), MEDIUM,
                "Dirty share of the log above which the cleaner compacts it.",
                "log.cleaner.min.cleanable.ratio");
        define(TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, Type.LONG, 0L, atLeast(0), MEDIUM,
                "Shortest time a record stays uncompacted.", "log.cleaner.min.compaction.lag.ms");
        define(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Type.INT, 1, atLeast(1), MEDIUM,
                "Replicas that must have a record before acks=all is answered.", "min.insync.replicas");
        define(TopicConfig.PREALLOCATE_CONFIG, Type.BOOLEAN, false, null, MEDIUM,
                "Preallocate segment files.", "log.preallocate");
        define(TopicConfig.RETENTION_BYTES_CONFIG, Type.LONG, -1L, null, MEDIUM,
                "Largest size of a partition before old segments are deleted; -1 for no limit.",
                "log.retention.bytes");
        define(TopicConfig.RETENTION_MS_CONFIG, Type.LONG, 604_800_000L, atLeast(-1), MEDIUM,
                "How long segments are kept; -1 for no limit.",
                "log.retention.ms", "log.retention.minutes", "log.retention.hours");
        define(TopicConfig.SEGMENT_BYTES_CONFIG, Type.INT, 1_073_741_824, atLeast(1024 * 1024), MEDIUM,
                "Size at which a segment is rolled.", "log.segment.bytes");
        define(TopicConfig.SEGMENT_INDEX_BYTES_CONFIG, Type.INT, 10_485_760, atLeast(4), MEDIUM,
                "Size of each segment's offset and time index.", "log.index.size.max.bytes");
        define(TopicConfig.SEGMENT_JITTER_MS_CONFIG, Type.LONG, 0L, atLeast(0), MEDIUM,
                "Random jitter subtracted from segment.ms.", "log.roll.jitter.ms", "log.roll.jitter.hours");
        define(TopicConfig.SEGMENT_MS_CONFIG, Type.LONG, 604_800_000L, atLeast(1), MEDIUM,
                "Age at which a segment is rolled.", "log.roll.ms", "log.roll.hours");
        define(TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG, Type.BOOLEAN, false, null, MEDIUM,
                "Allow a replica outside the ISR to become leader.", "unclean.leader.election.enable");
        define(TopicConfig.LOCAL_LOG_RETENTION_MS_CONFIG, Type.LONG, -2L, atLeast(-2), LOW,
                "Tiered storage is not supported; accepted for compatibility.", "log.local.retention.ms");
        define(TopicConfig.LOCAL_LOG_RETENTION_BYTES_CONFIG, Type.LONG, -2L, atLeast(-2), LOW,
                "Tiered storage is not supported; accepted for compatibility.", "log.local.retention.bytes");
        define(TopicConfig.REMOTE_LOG_STORAGE_ENABLE_CONFIG, Type.BOOLEAN, false, null, LOW,
                "Tiered storage is not supported; only false is accepted.");
        define(TopicConfig.REMOTE_LOG_COPY_DISABLE_CONFIG, Type.BOOLEAN, false, null, MEDIUM,
                "Tiered storage is not supported; accepted for compatibility.");
        define(TopicConfig.REMOTE_LOG_DELETE_ON_DISABLE_CONFIG, Type.BOOLEAN, false, null, MEDIUM,
                "Tiered storage is not supported; accepted for compatibility.");
        define(LEADER_THROTTLED_REPLICAS, Type.LIST, "", THROTTLED_REPLICAS, MEDIUM,
                "Replicas whose replication the leader would throttle; replication is not throttled, so the list "
                        + "is kept for the tools that set it (partition reassignment), not applied.");
        define(FOLLOWER_THROTTLED_REPLICAS, Type.LIST, "", THROTTLED_REPLICAS, MEDIUM,
                "Replicas whose replication a follower would throttle; kept, not applied, as the leader's list.");
    }

    private TopicConfigs() {
    }

    private static void define(String name, Type type, Object defaultValue, ConfigDef.Validator validator,
                               ConfigDef.Importance importance, String doc, String... brokerSynonyms) {
        DEF.define(name, type, defaultValue, validator, importance == null ? HIGH : importance, doc);
        BROKER_SYNONYMS.put(name, List.of(brokerSynonyms));
    }

    /** Every topic-level property name. */
    public static Set<String> names() {
        return BROKER_SYNONYMS.keySet();
    }

    public static boolean isTopicConfig(String name) {
        return BROKER_SYNONYMS.containsKey(name);
    }

    /** The broker properties that give {@code topicConfig} its default, most specific first. */
    public static List<String> brokerSynonyms(String topicConfig) {
        return BROKER_SYNONYMS.getOrDefault(topicConfig, List.of());
    }

    /**
     * Checks a set of topic overrides: every name known, every value parseable and in range.
     *
     * @throws ConfigException naming the property and the bad value
     */
    public static void validate(Map<String, String> overrides) {
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            if (!isTopicConfig(e.getKey())) {
                throw new ConfigException("Unknown topic config name: " + e.getKey());
            }
            if (e.getValue() == null) {
                throw new ConfigException(e.getKey(), null, "Null value not supported for topic configs");
            }
        }
        DEF.parse(overrides);
        if (Boolean.parseBoolean(overrides.getOrDefault(TopicConfig.REMOTE_LOG_STORAGE_ENABLE_CONFIG, "false"))) {
            throw new ConfigException(TopicConfig.REMOTE_LOG_STORAGE_ENABLE_CONFIG, "true",
                    "Tiered storage is not supported by Strand");
        }
    }

    /**
     * The effective, parsed configuration of a topic: {@code overrides} over {@code brokerDefaults}
     * (topic property name → value, from the broker's synonyms) over Kafka's defaults.
     */
    public static Map<String, Object> effective(Map<String, ?> brokerDefaults, Map<String, String> overrides) {
        Map<String, Object> merged = new HashMap<>(brokerDefaults);
        merged.putAll(overrides);
        return DEF.parse(merged);
    }
}
