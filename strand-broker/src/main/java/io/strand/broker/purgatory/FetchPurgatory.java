package io.strand.broker.purgatory;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;

/**
 * Long-polling fetches waiting for data, indexed by the partitions they watch. An append to a
 * partition wakes the fetches watching it; each re-checks itself on its own connection's event
 * loop. Thread-safe.
 */
public final class FetchPurgatory {

    private final ConcurrentHashMap<TopicPartition, Set<DelayedFetch>> watchers = new ConcurrentHashMap<>();

    void watch(DelayedFetch fetch, Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            watchers.computeIfAbsent(tp, k -> ConcurrentHashMap.newKeySet()).add(fetch);
        }
    }

    void unwatch(DelayedFetch fetch, Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            watchers.computeIfPresent(tp, (k, set) -> {
                set.remove(fetch);
                return set.isEmpty() ? null : set;
            });
        }
    }

    /** Called after records were appended to {@code tp} (or its high watermark moved). */
    public void onAppend(TopicPartition tp) {
        Set<DelayedFetch> waiting = watchers.get(tp);
        if (waiting != null) {
            for (DelayedFetch fetch : waiting) {
                fetch.wake();
            }
        }
    }

    /** Number of fetches waiting on at least one partition (for metrics and tests). */
    public int watchedPartitions() {
        return watchers.size();
    }
}
