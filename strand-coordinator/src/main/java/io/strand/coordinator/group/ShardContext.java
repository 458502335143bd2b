package io.strand.coordinator.group;

import java.util.Map;
import java.util.Random;
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
 */
record ShardContext(int partition, GroupCoordinatorConfig config, Time time, Random random, DeadlineTimer timer,
                    Supplier<Map<String, Integer>> topicPartitionCountsSource) {

    long nowMs() {
        return time.milliseconds();
    }

    /** The cluster's topics and their partition counts, now. */
    Map<String, Integer> topicPartitionCounts() {
        Map<String, Integer> topics = topicPartitionCountsSource.get();
        return topics == null ? Map.of() : topics;
    }
}
