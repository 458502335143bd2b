package io.strand.broker.share;

import static org.apache.kafka.common.config.ConfigDef.Importance.MEDIUM;
import static org.apache.kafka.common.config.ConfigDef.Range.atLeast;
import static org.apache.kafka.common.config.ConfigDef.Range.between;

import io.strand.common.config.GroupConfigs;
import io.strand.coordinator.group.GroupCoordinatorConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * The broker's share-group settings (KIP-932), under Kafka's names, defaults and bounds, each defined
 * once in {@link #DEF} and validated with the node's other properties. Immutable.
 *
 * <p>Kafka's dead-letter queues ({@code group.share.dlq.enabled=true}; the other {@code group.share.dlq.*}
 * settings are unknown names) and a persister class other than Kafka's default are refused at start-up.
 *
 * @param recordLockDurationMs    {@code group.share.record.lock.duration.ms}: how long an acquired record
 *                                stays locked to its member
 * @param minRecordLockDurationMs {@code group.share.min.record.lock.duration.ms}
 * @param maxRecordLockDurationMs {@code group.share.max.record.lock.duration.ms}
 * @param deliveryCountLimit      {@code group.share.delivery.count.limit}: deliveries after which a
 *                                record released or timed out is archived
 * @param partitionMaxRecordLocks {@code group.share.partition.max.record.locks}: in-flight records per
 *                                share-partition
 * @param maxShareSessions        {@code group.share.max.share.sessions}: share sessions per broker
 * @param minDeliveryCountLimit   {@code group.share.min.delivery.count.limit}: least a group's
 *                                {@code share.delivery.count.limit} may be
 * @param maxDeliveryCountLimit   {@code group.share.max.delivery.count.limit}
 * @param minPartitionMaxRecordLocks {@code group.share.min.partition.max.record.locks}: least a group's
 *                                {@code share.partition.max.record.locks} may be
 * @param maxPartitionMaxRecordLocks {@code group.share.max.partition.max.record.locks}
 */
public record ShareGroupConfig(int recordLockDurationMs, int minRecordLockDurationMs, int maxRecordLockDurationMs,
                               int deliveryCountLimit, int partitionMaxRecordLocks, int maxShareSessions,
                               int minDeliveryCountLimit, int maxDeliveryCountLimit,
                               int minPartitionMaxRecordLocks, int maxPartitionMaxRecordLocks) {

    public static final String RECORD_LOCK_DURATION_MS = "group.share.record.lock.duration.ms";
    public static final String MIN_RECORD_LOCK_DURATION_MS = "group.share.min.record.lock.duration.ms";
    public static final String MAX_RECORD_LOCK_DURATION_MS = "group.share.max.record.lock.duration.ms";
    public static final String DELIVERY_COUNT_LIMIT = "group.share.delivery.count.limit";
    public static final String PARTITION_MAX_RECORD_LOCKS = "group.share.partition.max.record.locks";
    public static final String MAX_SHARE_SESSIONS = "group.share.max.share.sessions";
    public static final String MIN_DELIVERY_COUNT_LIMIT = "group.share.min.delivery.count.limit";
    public static final String MAX_DELIVERY_COUNT_LIMIT = "group.share.max.delivery.count.limit";
    public static final String MIN_PARTITION_MAX_RECORD_LOCKS = "group.share.min.partition.max.record.locks";
    public static final String MAX_PARTITION_MAX_RECORD_LOCKS = "group.share.max.partition.max.record.locks";

    /** Kafka's dead-letter queue switch: accepted when false (Kafka's default), refused when true. */
    public static final String DLQ_ENABLED = "group.share.dlq.enabled";
    /** Kafka's share-state persister: accepted when it names Kafka's default, refused otherwise. */
    public static final String PERSISTER_CLASS_NAME = "group.share.persister.class.name";
    static final String DEFAULT_PERSISTER = "org.apache.kafka.server.share.persister.DefaultStatePersister";

    public static final ConfigDef DEF = new ConfigDef()
            .define(RECORD_LOCK_DURATION_MS, Type.INT, 30_000, between(1000, 3_600_000), MEDIUM,
                    "The record acquisition lock duration in milliseconds for share groups.")
            .define(MIN_RECORD_LOCK_DURATION_MS, Type.INT, 15_000, between(1000, 30_000), MEDIUM,
                    "The record acquisition lock minimum duration in milliseconds for share groups.")
            .define(MAX_RECORD_LOCK_DURATION_MS, Type.INT, 60_000, between(30_000, 3_600_000), MEDIUM,
                    "The record acquisition lock maximum duration in milliseconds for share groups.")
            .define(DELIVERY_COUNT_LIMIT, Type.INT, 5, between(2, 10), MEDIUM,
                    "The maximum number of delivery attempts for a record delivered to a share group.")
            .define(PARTITION_MAX_RECORD_LOCKS, Type.INT, 2000, between(100, 10_000), MEDIUM,
                    "Share-group record lock limit per share-partition.")
            .define(MAX_SHARE_SESSIONS, Type.INT, 2000, atLeast(1), MEDIUM,
                    "The maximum number of share sessions per broker.")
            .define(MIN_DELIVERY_COUNT_LIMIT, Type.INT, 2, between(2, 5), MEDIUM,
                    "The least share.delivery.count.limit a share group may be given.")
            .define(MAX_DELIVERY_COUNT_LIMIT, Type.INT, 10, between(5, 25), MEDIUM,
                    "The most share.delivery.count.limit a share group may be given.")
            .define(MIN_PARTITION_MAX_RECORD_LOCKS, Type.INT, 100, between(100, 2000), MEDIUM,
                    "The least share.partition.max.record.locks a share group may be given.")
            .define(MAX_PARTITION_MAX_RECORD_LOCKS, Type.INT, 4000, between(2000, 10_000), MEDIUM,
                    "The most share.partition.max.record.locks a share group may be given.")
            .define(DLQ_ENABLED, Type.BOOLEAN, false, MEDIUM,
                    "Dead-letter queues for rejected records: not supported yet, so only false is accepted.")
            .define(PERSISTER_CLASS_NAME, Type.STRING, DEFAULT_PERSISTER, MEDIUM,
                    "Kafka's share-state persister class: accepted only with Kafka's default value (Strand keeps"
                    + " share state itself).");

    public ShareGroupConfig {
        if (recordLockDurationMs < minRecordLockDurationMs) {
            throw new ConfigException(RECORD_LOCK_DURATION_MS, recordLockDurationMs,
                    "must be at least " + MIN_RECORD_LOCK_DURATION_MS + "=" + minRecordLockDurationMs);
        }
        if (recordLockDurationMs > maxRecordLockDurationMs) {
            throw new ConfigException(RECORD_LOCK_DURATION_MS, recordLockDurationMs,
                    "must be at most " + MAX_RECORD_LOCK_DURATION_MS + "=" + maxRecordLockDurationMs);
        }
        if (minDeliveryCountLimit > maxDeliveryCountLimit) {
            throw new ConfigException(MIN_DELIVERY_COUNT_LIMIT, minDeliveryCountLimit, "must not exceed "
                    + MAX_DELIVERY_COUNT_LIMIT + "=" + maxDeliveryCountLimit);
        }
        if (minPartitionMaxRecordLocks > maxPartitionMaxRecordLocks) {
            throw new ConfigException(MIN_PARTITION_MAX_RECORD_LOCKS, minPartitionMaxRecordLocks, "must not exceed "
                    + MAX_PARTITION_MAX_RECORD_LOCKS + "=" + maxPartitionMaxRecordLocks);
        }
        if (deliveryCountLimit < minDeliveryCountLimit || deliveryCountLimit > maxDeliveryCountLimit) {
            throw new ConfigException(DELIVERY_COUNT_LIMIT, deliveryCountLimit, "must be within "
                    + MIN_DELIVERY_COUNT_LIMIT + "=" + minDeliveryCountLimit + " and " + MAX_DELIVERY_COUNT_LIMIT + "="
                    + maxDeliveryCountLimit);
        }
        if (partitionMaxRecordLocks < minPartitionMaxRecordLocks || partitionMaxRecordLocks > maxPartitionMaxRecordLocks) {
            throw new ConfigException(PARTITION_MAX_RECORD_LOCKS, partitionMaxRecordLocks, "must be within "
                    + MIN_PARTITION_MAX_RECORD_LOCKS + "=" + minPartitionMaxRecordLocks + " and "
                    + MAX_PARTITION_MAX_RECORD_LOCKS + "=" + maxPartitionMaxRecordLocks);
        }
    }

    /**
     * What this node's settings impose on group configs (the GROUP config resource): the group
     * coordinator's session and heartbeat ranges, then this config's, in Kafka's order of checking.
     */
    public static GroupConfigs.Bounds groupConfigBounds(Map<String, String> nodeProperties) {
        GroupCoordinatorConfig coordinator = GroupCoordinatorConfig.from(nodeProperties);
        ShareGroupConfig share = from(nodeProperties);
        GroupConfigs.Bounds sessions = coordinator.groupConfigBounds();
        Map<String, String> values = new HashMap<>(sessions.brokerValues());
        values.putAll(share.groupConfigValues());
        List<GroupConfigs.Range> ranges = new java.util.ArrayList<>(sessions.ranges());
        ranges.addAll(share.groupConfigRanges());
        return new GroupConfigs.Bounds(values, ranges);
    }

    /** The ranges this broker sets on share groups' record lock duration, delivery count limit and record locks. */
    public List<GroupConfigs.Range> groupConfigRanges() {
        return ranges(this);
    }

    /** This broker's values of the group configs it supplies the defaults of, by group config name. */
    public Map<String, String> groupConfigValues() {
        return Map.of(GroupConfigs.SHARE_RECORD_LOCK_DURATION_MS, Integer.toString(recordLockDurationMs),
                GroupConfigs.SHARE_DELIVERY_COUNT_LIMIT, Integer.toString(deliveryCountLimit),
                GroupConfigs.SHARE_PARTITION_MAX_RECORD_LOCKS, Integer.toString(partitionMaxRecordLocks));
    }

    private static List<GroupConfigs.Range> ranges(ShareGroupConfig c) {
        return List.of(
                new GroupConfigs.Range(GroupConfigs.SHARE_RECORD_LOCK_DURATION_MS, MIN_RECORD_LOCK_DURATION_MS,
                        c.minRecordLockDurationMs(), MAX_RECORD_LOCK_DURATION_MS, c.maxRecordLockDurationMs()),
                new GroupConfigs.Range(GroupConfigs.SHARE_DELIVERY_COUNT_LIMIT, MIN_DELIVERY_COUNT_LIMIT,
                        c.minDeliveryCountLimit(), MAX_DELIVERY_COUNT_LIMIT, c.maxDeliveryCountLimit()),
                new GroupConfigs.Range(GroupConfigs.SHARE_PARTITION_MAX_RECORD_LOCKS, MIN_PARTITION_MAX_RECORD_LOCKS,
                        c.minPartitionMaxRecordLocks(), MAX_PARTITION_MAX_RECORD_LOCKS, c.maxPartitionMaxRecordLocks()));
    }

    /**
     * Validates the properties defined in {@link #DEF} among {@code props}; refuses {@value #DLQ_ENABLED}=true
     * and any other persister than Kafka's default, which this version does not implement.
     */
    public static ShareGroupConfig from(Map<String, String> props) {
        Map<String, String> ours = new HashMap<>();
        for (Map.Entry<String, String> e : props.entrySet()) {
            if (DEF.names().contains(e.getKey())) {
                ours.put(e.getKey(), e.getValue());
            }
        }
        AbstractConfig values = new AbstractConfig(DEF, ours, false);
        if (values.getBoolean(DLQ_ENABLED)) {
            throw new ConfigException(DLQ_ENABLED, props.get(DLQ_ENABLED), "this version does not support "
                    + "dead-letter queues for share groups yet. Remove it to run");
        }
        if (!DEFAULT_PERSISTER.equals(values.getString(PERSISTER_CLASS_NAME))) {
            throw new ConfigException(PERSISTER_CLASS_NAME, props.get(PERSISTER_CLASS_NAME), "this version keeps "
                    + "share state itself and takes no persister class. Remove it to run");
        }
        return new ShareGroupConfig(values.getInt(RECORD_LOCK_DURATION_MS), values.getInt(MIN_RECORD_LOCK_DURATION_MS),
                values.getInt(MAX_RECORD_LOCK_DURATION_MS), values.getInt(DELIVERY_COUNT_LIMIT),
                values.getInt(PARTITION_MAX_RECORD_LOCKS), values.getInt(MAX_SHARE_SESSIONS),
                values.getInt(MIN_DELIVERY_COUNT_LIMIT), values.getInt(MAX_DELIVERY_COUNT_LIMIT),
                values.getInt(MIN_PARTITION_MAX_RECORD_LOCKS), values.getInt(MAX_PARTITION_MAX_RECORD_LOCKS));
    }

    public static ShareGroupConfig defaults() {
        return from(Map.of());
    }
}
