package io.strand.coordinator.group;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Map;
import java.util.TreeSet;

/**
 * A share group's metadata hash: what its subscribed topics look like now, so that a heartbeat can tell
 * that one was created, deleted or given partitions since the group epoch last moved (Kafka's group
 * metadata hash, KIP-1101, which moves the group epoch when it changes). It covers each subscribed topic
 * that exists, by name and partition count, in name order; a group subscribed to no topic that exists
 * hashes to {@link #NONE}. Kafka's hash also covers topic ids and the racks of each partition's replicas,
 * and its value is its own (XXH3): a topic deleted and created again under the same name and partition
 * count between two heartbeats, or a rack change, moves Kafka's epoch and not this one. The value is
 * kept in the group's record and compared only with this function's own results.
 */
final class SubscribedTopicsHash {

    /** The hash of no topics: a group that subscribes to none that exists, or has no members. */
    static final long NONE = 0L;

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private SubscribedTopicsHash() {
    }

    /**
     * The hash of {@code topics} as {@code partitionCounts} (the cluster's topics now) has them; topics it
     * lacks count as absent.
     */
    static long of(Collection<String> topics, Map<String, Integer> partitionCounts) {
        long hash = FNV_OFFSET;
        boolean any = false;
        for (String topic : new TreeSet<>(topics)) {
            Integer partitions = partitionCounts.get(topic);
            if (partitions == null || partitions <= 0) {
                continue;
            }
            any = true;
            for (byte b : topic.getBytes(StandardCharsets.UTF_8)) {
                hash = (hash ^ (b & 0xff)) * FNV_PRIME;
            }
            hash = (hash ^ 0xff) * FNV_PRIME; // no UTF-8 byte is 0xff: ends the name
            for (int shift = 24; shift >= 0; shift -= 8) {
                hash = (hash ^ ((partitions >>> shift) & 0xff)) * FNV_PRIME;
            }
        }
        return any ? (hash == NONE ? 1L : hash) : NONE;
    }
}
