package io.strand.common.config;

import static org.apache.kafka.common.config.ConfigDef.Importance.MEDIUM;
import static org.apache.kafka.common.config.ConfigDef.Range.atLeast;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.internals.AutoOffsetResetStrategy;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.InvalidConfigurationException;

/**
 * The group-level configs (the GROUP config resource, {@code kafka-configs --entity-type groups}) under
 * Kafka's names, types, defaults and validation, each with the broker property that supplies its
 * default ("synonym"). A group's overrides are stored as metadata config records of resource type
 * GROUP; a value a member or share-partition acts on is the group's override, else the broker's value.
 *
 * <p>Every name Kafka defines is known here, so an unknown name gets Kafka's "Unknown group config
 * name" and describe lists what Kafka lists. Those Strand does not act on — the streams keys (no streams
 * groups) and {@code share.renew.acknowledge.enable=false} — are refused with INVALID_CONFIG rather than
 * stored and ignored ({@link #UNSUPPORTED}). A consumer group's {@code consumer.assignment.interval.ms}
 * and a share group's {@code share.assignment.interval.ms} (KIP-1263) batch its target assignments in
 * place of the broker's value.
 *
 * <p>Validation ({@link #validate}) follows Kafka's: names, then the overrides laid over the broker's
 * values are parsed, then each value must lie within the broker's {@code group.consumer.min/max.*} and
 * {@code group.share.min/max.*} bounds (the assignment intervals' too), and session timeouts must exceed
 * heartbeat intervals. Stateless and thread-safe.
 */
public final class GroupConfigs {

    public static final String CONSUMER_SESSION_TIMEOUT_MS = "consumer.session.timeout.ms";
    public static final String CONSUMER_HEARTBEAT_INTERVAL_MS = "consumer.heartbeat.interval.ms";
    public static final String CONSUMER_ASSIGNMENT_INTERVAL_MS = "consumer.assignment.interval.ms";
    public static final String SHARE_SESSION_TIMEOUT_MS = "share.session.timeout.ms";
    public static final String SHARE_HEARTBEAT_INTERVAL_MS = "share.heartbeat.interval.ms";
    public static final String SHARE_RECORD_LOCK_DURATION_MS = "share.record.lock.duration.ms";
    public static final String SHARE_DELIVERY_COUNT_LIMIT = "share.delivery.count.limit";
    public static final String SHARE_PARTITION_MAX_RECORD_LOCKS = "share.partition.max.record.locks";
    public static final String SHARE_AUTO_OFFSET_RESET = "share.auto.offset.reset";
    public static final String SHARE_ISOLATION_LEVEL = "share.isolation.level";
    public static final String SHARE_RENEW_ACKNOWLEDGE_ENABLE = "share.renew.acknowledge.enable";
    public static final String SHARE_ASSIGNMENT_INTERVAL_MS = "share.assignment.interval.ms";
    public static final String STREAMS_SESSION_TIMEOUT_MS = "streams.session.timeout.ms";
    public static final String STREAMS_HEARTBEAT_INTERVAL_MS = "streams.heartbeat.interval.ms";
    public static final String STREAMS_NUM_STANDBY_REPLICAS = "streams.num.standby.replicas";
    public static final String STREAMS_INITIAL_REBALANCE_DELAY_MS = "streams.initial.rebalance.delay.ms";
    public static final String STREAMS_ASSIGNMENT_INTERVAL_MS = "streams.assignment.interval.ms";

    /** {@code share.auto.offset.reset}'s values besides {@code by_duration:<ISO-8601 duration>}. */
    public static final String EARLIEST = "earliest";
    public static final String LATEST = "latest";

    /** The definitions, with Kafka's defaults (what a broker with default settings applies). */
    public static final ConfigDef DEF = new ConfigDef();

    /** Group config → the broker property whose value is its default; configs without one are absent. */
    private static final Map<String, String> BROKER_SYNONYMS = new LinkedHashMap<>();

    /** Configs Strand does not act on, whatever their value, and why (the refusal message says it). */
    static final Map<String, String> UNSUPPORTED = new LinkedHashMap<>();

    static {
        defineInt(CONSUMER_SESSION_TIMEOUT_MS, 45_000, 1,
                "How long a consumer-protocol member may go without a heartbeat before it leaves the group.",
                "group.consumer.session.timeout.ms");
        defineInt(CONSUMER_HEARTBEAT_INTERVAL_MS, 5_000, 1,
                "The heartbeat interval the group's consumer-protocol members are told to use.",
                "group.consumer.heartbeat.interval.ms");
        defineInt(CONSUMER_ASSIGNMENT_INTERVAL_MS, 1_000, 0,
                "The least time between two assignment computations of the consumer group.",
                "group.consumer.assignment.interval.ms");
        defineInt(SHARE_SESSION_TIMEOUT_MS, 45_000, 1,
                "How long a share group member may go without a heartbeat before it leaves the group.",
                "group.share.session.timeout.ms");
        defineInt(SHARE_HEARTBEAT_INTERVAL_MS, 5_000, 1,
                "The heartbeat interval the share group's members are told to use.",
                "group.share.heartbeat.interval.ms");
        defineInt(SHARE_RECORD_LOCK_DURATION_MS, 30_000, 1000,
                "How long a record acquired by a member of the share group stays locked to it.",
                "group.share.record.lock.duration.ms");
        defineInt(SHARE_DELIVERY_COUNT_LIMIT, 5, 2,
                "Deliveries after which a record of the share group that is released or times out is archived.",
                "group.share.delivery.count.limit");
        defineInt(SHARE_PARTITION_MAX_RECORD_LOCKS, 2000, 100,
                "The most records of one partition in flight to the share group at a time.",
                "group.share.partition.max.record.locks");
        DEF.define(SHARE_AUTO_OFFSET_RESET, Type.STRING, LATEST, new AutoOffsetResetValidator(), MEDIUM,
                "Where the share group starts on a partition it has not consumed yet: 'earliest' (the log start),"
                        + " 'latest' (the high watermark) or 'by_duration:<ISO-8601 duration>' (the first record no"
                        + " older than the duration).");
        DEF.define(SHARE_ISOLATION_LEVEL, Type.STRING, "read_uncommitted",
                ConfigDef.ValidString.in("read_committed", "read_uncommitted"), MEDIUM,
                "Whether the share group is delivered transactional records before their transaction commits"
                        + " ('read_uncommitted') or only committed ones ('read_committed').");
        defineBoolean(SHARE_RENEW_ACKNOWLEDGE_ENABLE, true,
                "Whether the share group's members may renew the lock of a record they hold.");
        defineInt(SHARE_ASSIGNMENT_INTERVAL_MS, 1_000, 0,
                "The least time between two assignment computations of the share group.",
                "group.share.assignment.interval.ms");
        defineInt(STREAMS_SESSION_TIMEOUT_MS, 45_000, 1,
                "How long a streams group member may go without a heartbeat before it leaves the group.",
                "group.streams.session.timeout.ms");
        defineInt(STREAMS_HEARTBEAT_INTERVAL_MS, 5_000, 1,
                "The heartbeat interval the streams group's members are told to use.",
                "group.streams.heartbeat.interval.ms");
        defineInt(STREAMS_NUM_STANDBY_REPLICAS, 0, 0,
                "Standby replicas of each task of the streams group.", "group.streams.num.standby.replicas");
        defineInt(STREAMS_INITIAL_REBALANCE_DELAY_MS, 3_000, 0,
                "How long a new streams group waits for more members before its first assignment.",
                "group.streams.initial.rebalance.delay.ms");
        defineInt(STREAMS_ASSIGNMENT_INTERVAL_MS, 1_000, 0,
                "The least time between two assignment computations of the streams group.",
                "group.streams.assignment.interval.ms");

        for (String name : DEF.names()) {
            if (name.startsWith("streams.")) {
                UNSUPPORTED.put(name, "this broker has no streams groups");
            }
        }
    }

    private GroupConfigs() {
    }

    private static void defineInt(String name, int defaultValue, int atLeast, String doc, String brokerSynonym) {
        DEF.define(name, Type.INT, defaultValue, atLeast(atLeast), MEDIUM, doc);
        BROKER_SYNONYMS.put(name, brokerSynonym);
    }

    private static void defineBoolean(String name, boolean defaultValue, String doc) {
        DEF.define(name, Type.BOOLEAN, defaultValue, MEDIUM, doc);
    }

    public static Set<String> names() {
        return DEF.names();
    }

    /** The broker property that supplies {@code groupConfig}'s default, or null if only Kafka's default does. */
    public static String brokerSynonym(String groupConfig) {
        return BROKER_SYNONYMS.get(groupConfig);
    }

    /**
     * A bound the broker sets on a group config: the config's value must lie within
     * {@code min..max}, the values of the broker properties {@code minProperty} and {@code maxProperty}.
     */
    public record Range(String config, String minProperty, int min, String maxProperty, int max) {
    }

    /**
     * What a broker's settings impose on group configs: its values of the configs' synonyms (the values
     * a group without overrides gets; names are group config names) and the ranges, in Kafka's order of
     * checking.
     */
    public record Bounds(Map<String, String> brokerValues, List<Range> ranges) {

        /** A broker with Kafka's default settings. */
        public static final Bounds KAFKA_DEFAULTS = new Bounds(Map.of(), List.of(
                new Range(CONSUMER_HEARTBEAT_INTERVAL_MS, "group.consumer.min.heartbeat.interval.ms", 5_000,
                        "group.consumer.max.heartbeat.interval.ms", 15_000),
                new Range(CONSUMER_SESSION_TIMEOUT_MS, "group.consumer.min.session.timeout.ms", 45_000,
                        "group.consumer.max.session.timeout.ms", 60_000),
                new Range(CONSUMER_ASSIGNMENT_INTERVAL_MS, "group.consumer.min.assignment.interval.ms", 0,
                        "group.consumer.max.assignment.interval.ms", 15_000),
                new Range(SHARE_HEARTBEAT_INTERVAL_MS, "group.share.min.heartbeat.interval.ms", 5_000,
                        "group.share.max.heartbeat.interval.ms", 15_000),
                new Range(SHARE_SESSION_TIMEOUT_MS, "group.share.min.session.timeout.ms", 45_000,
                        "group.share.max.session.timeout.ms", 60_000),
                new Range(SHARE_ASSIGNMENT_INTERVAL_MS, "group.share.min.assignment.interval.ms", 0,
                        "group.share.max.assignment.interval.ms", 15_000),
                new Range(SHARE_RECORD_LOCK_DURATION_MS, "group.share.min.record.lock.duration.ms", 15_000,
                        "group.share.max.record.lock.duration.ms", 60_000),
                new Range(SHARE_DELIVERY_COUNT_LIMIT, "group.share.min.delivery.count.limit", 2,
                        "group.share.max.delivery.count.limit", 10),
                new Range(SHARE_PARTITION_MAX_RECORD_LOCKS, "group.share.min.partition.max.record.locks", 100,
                        "group.share.max.partition.max.record.locks", 4000)));

        public Bounds {
            brokerValues = Map.copyOf(brokerValues);
            ranges = List.copyOf(ranges);
        }

        /** The range of {@code config}, or null if the broker bounds it only by its definition. */
        public Range rangeOf(String config) {
            for (Range range : ranges) {
                if (range.config().equals(config)) {
                    return range;
                }
            }
            return null;
        }
    }

    /**
     * Checks a group's overrides as they would be after a change, as Kafka's controller does.
     *
     * @throws InvalidConfigurationException (INVALID_CONFIG) naming the first config that fails, with
     *                                       Kafka's message where Kafka refuses it too
     */
    public static void validate(Map<String, String> overrides, Bounds bounds) {
        for (String name : overrides.keySet()) {
            if (!DEF.names().contains(name)) {
                throw new InvalidConfigurationException("Unknown group config name: " + name);
            }
        }
        Map<String, Object> values;
        try {
            Map<String, String> combined = new HashMap<>(bounds.brokerValues());
            combined.putAll(overrides);
            values = DEF.parse(combined);
        } catch (ConfigException e) {
            throw new InvalidConfigurationException(e.getMessage());
        }
        for (String name : overrides.keySet()) {
            String why = UNSUPPORTED.get(name);
            if (why != null) {
                throw new InvalidConfigurationException("Group config " + name + " is not supported by this broker: "
                        + why + ".");
            }
        }
        if (!(Boolean) values.get(SHARE_RENEW_ACKNOWLEDGE_ENABLE)) {
            throw new InvalidConfigurationException(SHARE_RENEW_ACKNOWLEDGE_ENABLE + "=false is not supported by"
                    + " this broker: members may always renew the locks of the records they hold.");
        }
        for (Range range : bounds.ranges()) {
            int value = (Integer) values.get(range.config());
            if (value < range.min()) {
                throw new InvalidConfigurationException(range.config() + " must be greater than or equal to "
                        + range.minProperty());
            }
            if (value > range.max()) {
                throw new InvalidConfigurationException(range.config() + " must be less than or equal to "
                        + range.maxProperty());
            }
        }
        requireGreater(values, CONSUMER_SESSION_TIMEOUT_MS, CONSUMER_HEARTBEAT_INTERVAL_MS);
        requireGreater(values, SHARE_SESSION_TIMEOUT_MS, SHARE_HEARTBEAT_INTERVAL_MS);
    }

    private static void requireGreater(Map<String, Object> values, String session, String heartbeat) {
        if ((Integer) values.get(session) <= (Integer) values.get(heartbeat)) {
            throw new InvalidConfigurationException(session + " must be greater than " + heartbeat);
        }
    }

    /**
     * The value of the int config {@code name} a group acts on: its override, kept within the broker's
     * range (the broker's bounds may have narrowed since it was set), else {@code brokerValue}.
     */
    public static int intValue(Map<String, String> overrides, String name, int brokerValue, Bounds bounds) {
        String override = overrides.get(name);
        if (override == null) {
            return brokerValue;
        }
        int value;
        try {
            value = Integer.parseInt(override.trim());
        } catch (NumberFormatException e) {
            return brokerValue;
        }
        Range range = bounds.rangeOf(name);
        return range == null ? value : Math.max(range.min(), Math.min(range.max(), value));
    }

    /** {@code share.auto.offset.reset} of a group: its override, else Kafka's default, {@code latest}. */
    public static AutoOffsetResetStrategy shareAutoOffsetReset(Map<String, String> overrides) {
        String value = overrides.get(SHARE_AUTO_OFFSET_RESET);
        try {
            return AutoOffsetResetStrategy.fromString(value == null ? LATEST : value);
        } catch (IllegalArgumentException e) {
            return AutoOffsetResetStrategy.LATEST;
        }
    }

    /**
     * Whether a group reads only committed records ({@code share.isolation.level=read_committed}); its
     * override, else Kafka's default, {@code read_uncommitted}.
     */
    public static boolean shareReadCommitted(Map<String, String> overrides) {
        return "read_committed".equals(overrides.get(SHARE_ISOLATION_LEVEL));
    }

    /** Kafka's check of {@code share.auto.offset.reset}: earliest, latest or by_duration (not none). */
    static final class AutoOffsetResetValidator implements ConfigDef.Validator {

        @Override
        public void ensureValid(String name, Object value) {
            String text = (String) value;
            boolean valid;
            try {
                valid = text != null && AutoOffsetResetStrategy.fromString(text).type()
                        != AutoOffsetResetStrategy.StrategyType.NONE;
            } catch (IllegalArgumentException e) {
                valid = false;
            }
            if (!valid) {
                // Kafka's message, which repeats the value and name ConfigException already puts first.
                throw new ConfigException(name, value, "Invalid value `" + value + "` for configuration " + name
                        + ". The value must be either 'earliest', 'latest' or of the format 'by_duration:<PnDTnHnMn.nS>'.");
            }
        }

        @Override
        public String toString() {
            return "[earliest, latest, by_duration:PnDTnHnMn.nS]";
        }
    }
}
