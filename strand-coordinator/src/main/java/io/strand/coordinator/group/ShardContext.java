package io.strand.coordinator.group;

import io.strand.common.config.GroupConfigs;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.common.utils.Time;

/**
 * What every part of one {@link GroupShard} shares besides the groups themselves: the partition, the
 * configuration, the clock, the random source for member ids, the shard's timeouts and the
 * cluster's topics.
 *
 * <p>Not thread-safe: used on the shard's thread only.
 *
 * @param topicPartitionCountsSource the cluster's topics and their partition counts now (may return null)
 * @param groupConfigsSource         a group's config overrides now (the GROUP config resource; empty if none)
 * @param topicIds                   the cluster's topic ids and partitions' replica racks now
 */
record ShardContext(int partition, GroupCoordinatorConfig config, Time time, Random random, DeadlineTimer timer,
                    Supplier<Map<String, Integer>> topicPartitionCountsSource,
                    Function<String, Map<String, String>> groupConfigsSource, TopicIdLookup topicIds) {

    /** {@code consumer.session.timeout.ms} of the group, else {@code group.consumer.session.timeout.ms}. */
    int consumerSessionTimeoutMs(String groupId) {
        return groupInt(groupId, GroupConfigs.CONSUMER_SESSION_TIMEOUT_MS, config.consumerSessionTimeoutMs());
    }

    /** {@code consumer.heartbeat.interval.ms} of the group, else {@code group.consumer.heartbeat.interval.ms}. */
    int consumerHeartbeatIntervalMs(String groupId) {
        return groupInt(groupId, GroupConfigs.CONSUMER_HEARTBEAT_INTERVAL_MS, config.consumerHeartbeatIntervalMs());
    }

    /**
     * {@code consumer.assignment.interval.ms} of the group (KIP-1263), else
     * {@code group.consumer.assignment.interval.ms}.
     */
    int consumerAssignmentIntervalMs(String groupId) {
        return groupInt(groupId, GroupConfigs.CONSUMER_ASSIGNMENT_INTERVAL_MS, config.consumerAssignmentIntervalMs());
    }

    /** {@code share.session.timeout.ms} of the group, else {@code group.share.session.timeout.ms}. */
    int shareSessionTimeoutMs(String groupId) {
        return groupInt(groupId, GroupConfigs.SHARE_SESSION_TIMEOUT_MS, config.shareSessionTimeoutMs());
    }

    /** {@code share.heartbeat.interval.ms} of the group, else {@code group.share.heartbeat.interval.ms}. */
    int shareHeartbeatIntervalMs(String groupId) {
        return groupInt(groupId, GroupConfigs.SHARE_HEARTBEAT_INTERVAL_MS, config.shareHeartbeatIntervalMs());
    }

    /**
     * Kafka's {@code group.share.initialize.retry.interval.ms} as it applies by default (30 s, never below
     * {@code offsets.commit.timeout.ms}): how long a share group's partitions being initialized are left to
     * it before they are initialized again.
     */
    static final int SHARE_INITIALIZE_RETRY_INTERVAL_MS = 30_000;

    /**
     * {@code share.assignment.interval.ms} of the group (KIP-1263), else {@code group.share.assignment.interval.ms}:
     * the least time between two target assignments of the share group.
     */
    int shareAssignmentIntervalMs(String groupId) {
        return groupInt(groupId, GroupConfigs.SHARE_ASSIGNMENT_INTERVAL_MS, config.shareAssignmentIntervalMs());
    }

    private int groupInt(String groupId, String name, int brokerValue) {
        Map<String, String> overrides = groupConfigsSource.apply(groupId);
        return overrides == null || overrides.isEmpty() ? brokerValue
                : GroupConfigs.intValue(overrides, name, brokerValue, config.groupConfigBounds());
    }

    long nowMs() {
        return time.milliseconds();
    }

    /** The cluster's topics and their partition counts, now. */
    Map<String, Integer> topicPartitionCounts() {
        Map<String, Integer> topics = topicPartitionCountsSource.get();
        return topics == null ? Map.of() : topics;
    }
}
