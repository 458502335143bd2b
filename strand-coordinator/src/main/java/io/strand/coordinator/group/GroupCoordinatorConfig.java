package io.strand.coordinator.group;

import io.strand.common.config.GroupConfigs;
import io.strand.coordinator.group.assignor.RangeAssignor;
import io.strand.coordinator.group.assignor.UniformAssignor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import static org.apache.kafka.common.config.ConfigDef.Importance.HIGH;
import static org.apache.kafka.common.config.ConfigDef.Importance.LOW;
import static org.apache.kafka.common.config.ConfigDef.Importance.MEDIUM;
import static org.apache.kafka.common.config.ConfigDef.Range.atLeast;

/**
 * The group coordinator's settings, under Kafka's property names, each defined once in {@link #DEF}
 * with its default, validation and doc. Built from a node's properties with {@link #from}, which
 * reads only the names defined here. Immutable.
 *
 * @param offsetsTopicPartitions         {@code offsets.topic.num.partitions}
 * @param offsetsTopicReplicationFactor  {@code offsets.topic.replication.factor}: the topic is created
 *                                       with exactly this many replicas, once this many brokers are available
 * @param offsetsTopicSegmentBytes       {@code offsets.topic.segment.bytes}
 * @param offsetsRetentionMs             {@code offsets.retention.minutes}, in milliseconds
 * @param offsetsRetentionCheckIntervalMs {@code offsets.retention.check.interval.ms}
 * @param offsetMetadataMaxBytes         {@code offset.metadata.max.bytes}
 * @param minSessionTimeoutMs            {@code group.min.session.timeout.ms}
 * @param maxSessionTimeoutMs            {@code group.max.session.timeout.ms}
 * @param initialRebalanceDelayMs        {@code group.initial.rebalance.delay.ms}
 * @param maxGroupSize                   {@code group.max.size}
 * @param threads                        {@code group.coordinator.threads}: threads the shards share
 * @param consumerSessionTimeoutMs       {@code group.consumer.session.timeout.ms}: consumer-protocol sessions
 * @param consumerHeartbeatIntervalMs    {@code group.consumer.heartbeat.interval.ms}
 * @param consumerAssignors              {@code group.consumer.assignors}: server assignor names, the
 *                                       first the default
 * @param consumerAssignmentIntervalMs   {@code group.consumer.assignment.interval.ms}: the least time between
 *                                       two target assignments of a consumer group (Kafka's KIP-1263 batching)
 * @param shareSessionTimeoutMs          {@code group.share.session.timeout.ms}: share group members' sessions
 * @param shareHeartbeatIntervalMs       {@code group.share.heartbeat.interval.ms}
 * @param shareAssignmentIntervalMs      {@code group.share.assignment.interval.ms}: the least time between two
 *                                       target assignments of a share group
 * @param shareMaxSize                   {@code group.share.max.size}: members per share group
 * @param bounds                         {@code group.consumer.min/max.session.timeout.ms},
 *                                       {@code group.consumer.min/max.heartbeat.interval.ms},
 *                                       {@code group.consumer.min/max.assignment.interval.ms} and the same of
 *                                       {@code group.share.} (the assignment interval's too): the ranges group
 *                                       configs must keep within
 */
public record GroupCoordinatorConfig(int offsetsTopicPartitions, short offsetsTopicReplicationFactor,
                                     int offsetsTopicSegmentBytes, long offsetsRetentionMs,
                                     long offsetsRetentionCheckIntervalMs, int offsetMetadataMaxBytes,
                                     int minSessionTimeoutMs, int maxSessionTimeoutMs, int initialRebalanceDelayMs,
                                     int maxGroupSize, int threads, int consumerSessionTimeoutMs,
                                     int consumerHeartbeatIntervalMs, List<String> consumerAssignors,
                                     int consumerAssignmentIntervalMs, int shareSessionTimeoutMs,
                                     int shareHeartbeatIntervalMs, int shareAssignmentIntervalMs, int shareMaxSize,
                                     List<GroupConfigs.Range> bounds) {

    public static final String OFFSETS_TOPIC_PARTITIONS = "offsets.topic.num.partitions";
    public static final String OFFSETS_TOPIC_REPLICATION_FACTOR = "offsets.topic.replication.factor";
    public static final String OFFSETS_TOPIC_SEGMENT_BYTES = "offsets.topic.segment.bytes";
    public static final String OFFSETS_RETENTION_MINUTES = "offsets.retention.minutes";
    public static final String OFFSETS_RETENTION_CHECK_INTERVAL_MS = "offsets.retention.check.interval.ms";
    public static final String OFFSET_METADATA_MAX_BYTES = "offset.metadata.max.bytes";
    public static final String GROUP_MIN_SESSION_TIMEOUT_MS = "group.min.session.timeout.ms";
    public static final String GROUP_MAX_SESSION_TIMEOUT_MS = "group.max.session.timeout.ms";
    public static final String GROUP_INITIAL_REBALANCE_DELAY_MS = "group.initial.rebalance.delay.ms";
    public static final String GROUP_MAX_SIZE = "group.max.size";
    public static final String GROUP_COORDINATOR_THREADS = "group.coordinator.threads";
    public static final String GROUP_CONSUMER_SESSION_TIMEOUT_MS = "group.consumer.session.timeout.ms";
    public static final String GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS = "group.consumer.heartbeat.interval.ms";
    public static final String GROUP_CONSUMER_ASSIGNORS = "group.consumer.assignors";
    public static final String GROUP_CONSUMER_ASSIGNMENT_INTERVAL_MS = "group.consumer.assignment.interval.ms";
    public static final String GROUP_SHARE_SESSION_TIMEOUT_MS = "group.share.session.timeout.ms";
    public static final String GROUP_SHARE_HEARTBEAT_INTERVAL_MS = "group.share.heartbeat.interval.ms";
    public static final String GROUP_SHARE_ASSIGNMENT_INTERVAL_MS = "group.share.assignment.interval.ms";
    public static final String GROUP_SHARE_MIN_ASSIGNMENT_INTERVAL_MS = "group.share.min.assignment.interval.ms";
    public static final String GROUP_SHARE_MAX_ASSIGNMENT_INTERVAL_MS = "group.share.max.assignment.interval.ms";
    public static final String GROUP_SHARE_MAX_SIZE = "group.share.max.size";
    public static final String GROUP_CONSUMER_MIN_SESSION_TIMEOUT_MS = "group.consumer.min.session.timeout.ms";
    public static final String GROUP_CONSUMER_MAX_SESSION_TIMEOUT_MS = "group.consumer.max.session.timeout.ms";
    public static final String GROUP_CONSUMER_MIN_HEARTBEAT_INTERVAL_MS = "group.consumer.min.heartbeat.interval.ms";
    public static final String GROUP_CONSUMER_MAX_HEARTBEAT_INTERVAL_MS = "group.consumer.max.heartbeat.interval.ms";
    public static final String GROUP_CONSUMER_MIN_ASSIGNMENT_INTERVAL_MS = "group.consumer.min.assignment.interval.ms";
    public static final String GROUP_CONSUMER_MAX_ASSIGNMENT_INTERVAL_MS = "group.consumer.max.assignment.interval.ms";
    public static final String GROUP_SHARE_MIN_SESSION_TIMEOUT_MS = "group.share.min.session.timeout.ms";
    public static final String GROUP_SHARE_MAX_SESSION_TIMEOUT_MS = "group.share.max.session.timeout.ms";
    public static final String GROUP_SHARE_MIN_HEARTBEAT_INTERVAL_MS = "group.share.min.heartbeat.interval.ms";
    public static final String GROUP_SHARE_MAX_HEARTBEAT_INTERVAL_MS = "group.share.max.heartbeat.interval.ms";

    public static final ConfigDef DEF = new ConfigDef()
            .define(OFFSETS_TOPIC_PARTITIONS, Type.INT, 50, atLeast(1), HIGH,
                    "Partitions of __consumer_offsets; a group lives in abs(hash(groupId)) % this. Do not change "
                            + "after the topic exists.")
            .define(OFFSETS_TOPIC_REPLICATION_FACTOR, Type.SHORT, (short) 3, atLeast(1), HIGH,
                    "Replication factor of __consumer_offsets. The topic is not created (FindCoordinator answers "
                            + "COORDINATOR_NOT_AVAILABLE) until this many brokers are available; a single node needs 1.")
            .define(OFFSETS_TOPIC_SEGMENT_BYTES, Type.INT, 100 * 1024 * 1024, atLeast(1), HIGH,
                    "Segment size of __consumer_offsets.")
            .define(OFFSETS_RETENTION_MINUTES, Type.INT, 7 * 24 * 60, atLeast(1), HIGH,
                    "How long the offsets of a group that has become empty are kept.")
            .define(OFFSETS_RETENTION_CHECK_INTERVAL_MS, Type.LONG, 600_000L, atLeast(1), HIGH,
                    "How often expired offsets are looked for.")
            .define(OFFSET_METADATA_MAX_BYTES, Type.INT, 4096, atLeast(0), HIGH,
                    "Largest metadata string an offset commit may carry.")
            .define(GROUP_MIN_SESSION_TIMEOUT_MS, Type.INT, 6000, atLeast(1), MEDIUM,
                    "Smallest session timeout a member may ask for.")
            .define(GROUP_MAX_SESSION_TIMEOUT_MS, Type.INT, 1_800_000, atLeast(1), MEDIUM,
                    "Largest session timeout a member may ask for.")
            .define(GROUP_INITIAL_REBALANCE_DELAY_MS, Type.INT, 3000, atLeast(0), MEDIUM,
                    "How long the first rebalance of an empty group waits for more members to join.")
            .define(GROUP_MAX_SIZE, Type.INT, Integer.MAX_VALUE, atLeast(1), MEDIUM,
                    "Most members a classic group may have.")
            .define(GROUP_COORDINATOR_THREADS, Type.INT, 1, atLeast(1), LOW,
                    "Threads the group coordinator shards run on (each shard always on the same one).")
            .define(GROUP_CONSUMER_SESSION_TIMEOUT_MS, Type.INT, 45_000, atLeast(1), MEDIUM,
                    "Session timeout of consumer-protocol (KIP-848) members.")
            .define(GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS, Type.INT, 5_000, atLeast(1), MEDIUM,
                    "Heartbeat interval consumer-protocol members are told to use.")
            .define(GROUP_CONSUMER_ASSIGNORS, Type.LIST, "uniform,range",
                    ConfigDef.ValidList.in(UniformAssignor.NAME, RangeAssignor.NAME), MEDIUM,
                    "Server-side assignors of consumer-protocol groups; the first is the default.")
            .define(GROUP_CONSUMER_ASSIGNMENT_INTERVAL_MS, Type.INT, 1_000, atLeast(0), MEDIUM,
                    "The least time between two target assignments of a consumer-protocol group: a change to the "
                            + "group within it moves the group epoch at once and the assignment at the first "
                            + "heartbeat after it (0: at once).")
            .define(GROUP_SHARE_SESSION_TIMEOUT_MS, Type.INT, 45_000, atLeast(1), MEDIUM,
                    "Session timeout of share group members.")
            .define(GROUP_SHARE_HEARTBEAT_INTERVAL_MS, Type.INT, 5_000, atLeast(1), MEDIUM,
                    "Heartbeat interval share group members are told to use.")
            .define(GROUP_SHARE_ASSIGNMENT_INTERVAL_MS, Type.INT, 1_000, atLeast(0), MEDIUM,
                    "The least time between two target assignments of a share group: a change to the group within "
                            + "it moves the group epoch at once and the assignment at the first heartbeat after it "
                            + "(0: at once).")
            .define(GROUP_SHARE_MAX_SIZE, Type.INT, 200, ConfigDef.Range.between(1, 1000), MEDIUM,
                    "The maximum number of members of one share group.")
            .define(GROUP_CONSUMER_MIN_SESSION_TIMEOUT_MS, Type.INT, 45_000, atLeast(1), MEDIUM,
                    "Smallest consumer.session.timeout.ms a consumer group may be given.")
            .define(GROUP_CONSUMER_MAX_SESSION_TIMEOUT_MS, Type.INT, 60_000, atLeast(1), MEDIUM,
                    "Largest consumer.session.timeout.ms a consumer group may be given.")
            .define(GROUP_CONSUMER_MIN_HEARTBEAT_INTERVAL_MS, Type.INT, 5_000, atLeast(1), MEDIUM,
                    "Smallest consumer.heartbeat.interval.ms a consumer group may be given.")
            .define(GROUP_CONSUMER_MAX_HEARTBEAT_INTERVAL_MS, Type.INT, 15_000, atLeast(1), MEDIUM,
                    "Largest consumer.heartbeat.interval.ms a consumer group may be given.")
            .define(GROUP_CONSUMER_MIN_ASSIGNMENT_INTERVAL_MS, Type.INT, 0, atLeast(0), MEDIUM,
                    "Smallest consumer.assignment.interval.ms a consumer group may be given, and the least "
                            + "group.consumer.assignment.interval.ms.")
            .define(GROUP_CONSUMER_MAX_ASSIGNMENT_INTERVAL_MS, Type.INT, 15_000, atLeast(0), MEDIUM,
                    "Largest consumer.assignment.interval.ms a consumer group may be given, and the largest "
                            + "group.consumer.assignment.interval.ms.")
            .define(GROUP_SHARE_MIN_SESSION_TIMEOUT_MS, Type.INT, 45_000, atLeast(1), MEDIUM,
                    "Smallest share.session.timeout.ms a share group may be given.")
            .define(GROUP_SHARE_MAX_SESSION_TIMEOUT_MS, Type.INT, 60_000, atLeast(1), MEDIUM,
                    "Largest share.session.timeout.ms a share group may be given.")
            .define(GROUP_SHARE_MIN_HEARTBEAT_INTERVAL_MS, Type.INT, 5_000, atLeast(1), MEDIUM,
                    "Smallest share.heartbeat.interval.ms a share group may be given.")
            .define(GROUP_SHARE_MAX_HEARTBEAT_INTERVAL_MS, Type.INT, 15_000, atLeast(1), MEDIUM,
                    "Largest share.heartbeat.interval.ms a share group may be given.")
            .define(GROUP_SHARE_MIN_ASSIGNMENT_INTERVAL_MS, Type.INT, 0, atLeast(0), MEDIUM,
                    "Smallest share.assignment.interval.ms a share group may be given, and the least "
                            + "group.share.assignment.interval.ms.")
            .define(GROUP_SHARE_MAX_ASSIGNMENT_INTERVAL_MS, Type.INT, 15_000, atLeast(0), MEDIUM,
                    "Largest share.assignment.interval.ms a share group may be given, and the largest "
                            + "group.share.assignment.interval.ms.");

    public GroupCoordinatorConfig {
        if (minSessionTimeoutMs > maxSessionTimeoutMs) {
            throw new ConfigException(GROUP_MIN_SESSION_TIMEOUT_MS, minSessionTimeoutMs,
                    "must not exceed " + GROUP_MAX_SESSION_TIMEOUT_MS + "=" + maxSessionTimeoutMs);
        }
        consumerAssignors = List.copyOf(consumerAssignors);
        if (consumerAssignors.isEmpty()) {
            throw new ConfigException(GROUP_CONSUMER_ASSIGNORS, consumerAssignors, "must name at least one assignor");
        }
        if (shareHeartbeatIntervalMs >= shareSessionTimeoutMs) {
            throw new ConfigException(GROUP_SHARE_HEARTBEAT_INTERVAL_MS, shareHeartbeatIntervalMs,
                    "must be less than " + GROUP_SHARE_SESSION_TIMEOUT_MS + "=" + shareSessionTimeoutMs);
        }
        if (consumerHeartbeatIntervalMs >= consumerSessionTimeoutMs) {
            throw new ConfigException(GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS, consumerHeartbeatIntervalMs,
                    "must be less than " + GROUP_CONSUMER_SESSION_TIMEOUT_MS + "=" + consumerSessionTimeoutMs);
        }
        bounds = List.copyOf(bounds);
        Map<String, Integer> ownValues = Map.of(GroupConfigs.CONSUMER_SESSION_TIMEOUT_MS, consumerSessionTimeoutMs,
                GroupConfigs.CONSUMER_HEARTBEAT_INTERVAL_MS, consumerHeartbeatIntervalMs,
                GroupConfigs.CONSUMER_ASSIGNMENT_INTERVAL_MS, consumerAssignmentIntervalMs,
                GroupConfigs.SHARE_SESSION_TIMEOUT_MS, shareSessionTimeoutMs,
                GroupConfigs.SHARE_HEARTBEAT_INTERVAL_MS, shareHeartbeatIntervalMs,
                GroupConfigs.SHARE_ASSIGNMENT_INTERVAL_MS, shareAssignmentIntervalMs);
        for (GroupConfigs.Range range : bounds) {
            if (range.min() > range.max()) {
                throw new ConfigException(range.minProperty(), range.min(), "must not exceed " + range.maxProperty()
                        + "=" + range.max());
            }
            int value = ownValues.get(range.config());
            String property = GroupConfigs.brokerSynonym(range.config());
            if (value < range.min() || value > range.max()) {
                throw new ConfigException(property, value, "must be within " + range.minProperty() + "=" + range.min()
                        + " and " + range.maxProperty() + "=" + range.max());
            }
        }
    }

    /** The ranges of the group configs this coordinator acts on, with its values of them as the defaults. */
    public GroupConfigs.Bounds groupConfigBounds() {
        return new GroupConfigs.Bounds(Map.of(
                GroupConfigs.CONSUMER_SESSION_TIMEOUT_MS, Integer.toString(consumerSessionTimeoutMs),
                GroupConfigs.CONSUMER_HEARTBEAT_INTERVAL_MS, Integer.toString(consumerHeartbeatIntervalMs),
                GroupConfigs.CONSUMER_ASSIGNMENT_INTERVAL_MS, Integer.toString(consumerAssignmentIntervalMs),
                GroupConfigs.SHARE_SESSION_TIMEOUT_MS, Integer.toString(shareSessionTimeoutMs),
                GroupConfigs.SHARE_HEARTBEAT_INTERVAL_MS, Integer.toString(shareHeartbeatIntervalMs),
                GroupConfigs.SHARE_ASSIGNMENT_INTERVAL_MS, Integer.toString(shareAssignmentIntervalMs)), bounds);
    }

    /** Validates the properties defined in {@link #DEF} among {@code props}; others are ignored. */
    public static GroupCoordinatorConfig from(Map<String, String> props) {
        Map<String, String> ours = new HashMap<>();
        for (String name : DEF.names()) {
            if (props.containsKey(name)) {
                ours.put(name, props.get(name));
            }
        }
        AbstractConfig values = new AbstractConfig(DEF, ours, false);
        return new GroupCoordinatorConfig(values.getInt(OFFSETS_TOPIC_PARTITIONS),
                values.getShort(OFFSETS_TOPIC_REPLICATION_FACTOR), values.getInt(OFFSETS_TOPIC_SEGMENT_BYTES),
                values.getInt(OFFSETS_RETENTION_MINUTES) * 60_000L,
                values.getLong(OFFSETS_RETENTION_CHECK_INTERVAL_MS), values.getInt(OFFSET_METADATA_MAX_BYTES),
                values.getInt(GROUP_MIN_SESSION_TIMEOUT_MS), values.getInt(GROUP_MAX_SESSION_TIMEOUT_MS),
                values.getInt(GROUP_INITIAL_REBALANCE_DELAY_MS), values.getInt(GROUP_MAX_SIZE),
                values.getInt(GROUP_COORDINATOR_THREADS), values.getInt(GROUP_CONSUMER_SESSION_TIMEOUT_MS),
                values.getInt(GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS), values.getList(GROUP_CONSUMER_ASSIGNORS),
                values.getInt(GROUP_CONSUMER_ASSIGNMENT_INTERVAL_MS), values.getInt(GROUP_SHARE_SESSION_TIMEOUT_MS),
                values.getInt(GROUP_SHARE_HEARTBEAT_INTERVAL_MS), values.getInt(GROUP_SHARE_ASSIGNMENT_INTERVAL_MS),
                values.getInt(GROUP_SHARE_MAX_SIZE), List.of(
                        range(values, GroupConfigs.CONSUMER_HEARTBEAT_INTERVAL_MS,
                                GROUP_CONSUMER_MIN_HEARTBEAT_INTERVAL_MS, GROUP_CONSUMER_MAX_HEARTBEAT_INTERVAL_MS),
                        range(values, GroupConfigs.CONSUMER_SESSION_TIMEOUT_MS,
                                GROUP_CONSUMER_MIN_SESSION_TIMEOUT_MS, GROUP_CONSUMER_MAX_SESSION_TIMEOUT_MS),
                        range(values, GroupConfigs.CONSUMER_ASSIGNMENT_INTERVAL_MS,
                                GROUP_CONSUMER_MIN_ASSIGNMENT_INTERVAL_MS, GROUP_CONSUMER_MAX_ASSIGNMENT_INTERVAL_MS),
                        range(values, GroupConfigs.SHARE_HEARTBEAT_INTERVAL_MS,
                                GROUP_SHARE_MIN_HEARTBEAT_INTERVAL_MS, GROUP_SHARE_MAX_HEARTBEAT_INTERVAL_MS),
                        range(values, GroupConfigs.SHARE_SESSION_TIMEOUT_MS,
                                GROUP_SHARE_MIN_SESSION_TIMEOUT_MS, GROUP_SHARE_MAX_SESSION_TIMEOUT_MS),
                        range(values, GroupConfigs.SHARE_ASSIGNMENT_INTERVAL_MS,
                                GROUP_SHARE_MIN_ASSIGNMENT_INTERVAL_MS, GROUP_SHARE_MAX_ASSIGNMENT_INTERVAL_MS)));
    }

    private static GroupConfigs.Range range(AbstractConfig values, String config, String minProperty,
                                            String maxProperty) {
        return new GroupConfigs.Range(config, minProperty, values.getInt(minProperty), maxProperty,
                values.getInt(maxProperty));
    }

    public static GroupCoordinatorConfig defaults() {
        return from(Map.of());
    }
}
