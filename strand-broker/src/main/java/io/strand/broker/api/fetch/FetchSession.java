package io.strand.broker.api.fetch;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.requests.FetchRequest;

/**
 * An incremental fetch session (KIP-227): the partitions a client fetches, with the fetch position
 * it last sent for each and the partition state last sent back to it, so that later requests and
 * responses need only name what changed.
 *
 * <p>Guarded by its own monitor: a client normally uses a session from one connection, but nothing
 * stops it from using it from another.
 */
final class FetchSession {

    final int id;
    final boolean usesTopicIds;
    /** Session order; partitions that returned data move to the end, so every partition gets its turn. */
    final LinkedHashMap<TopicIdPartition, CachedPartition> partitions = new LinkedHashMap<>();
    /** The epoch the next incremental request must carry. */
    int nextEpoch = 1;
    long lastUsedMs;

    FetchSession(int id, boolean usesTopicIds, long nowMs) {
        this.id = id;
        this.usesTopicIds = usesTopicIds;
        this.lastUsedMs = nowMs;
    }

    /** What the session remembers of one partition. */
    static final class CachedPartition {
        FetchRequest.PartitionData request;
        long highWatermark = -1;
        long lastStableOffset = -1;
        long logStartOffset = -1;

        CachedPartition(FetchRequest.PartitionData request) {
            this.request = request;
        }
    }

    /** Adds or updates the partitions a request names, and drops the forgotten ones. */
    void update(Map<TopicIdPartition, FetchRequest.PartitionData> fetchData, Iterable<TopicIdPartition> forgotten) {
        for (TopicIdPartition tp : forgotten) {
            partitions.remove(tp);
        }
        for (Map.Entry<TopicIdPartition, FetchRequest.PartitionData> e : fetchData.entrySet()) {
            CachedPartition cached = partitions.get(e.getKey());
            if (cached == null) {
                partitions.put(e.getKey(), new CachedPartition(e.getValue()));
            } else {
                cached.request = e.getValue();
            }
        }
    }
}
