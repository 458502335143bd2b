package io.strand.coordinator.group;

import io.strand.coordinator.group.record.TopicIds;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;

/**
 * A share group's metadata hash: what its subscribed topics look like now, so that a heartbeat can tell
 * that one was created, deleted (or deleted and created again) or given partitions since the group epoch
 * last moved (Kafka's group metadata hash, KIP-1101, which moves the group epoch when it changes). It
 * covers each subscribed topic that exists, by name, id and partition count, in name order; a group
 * subscribed to no topic that exists hashes to {@link #NONE}. Kafka's hash also covers the racks of each
 * partition's replicas, and its value is its own (XXH3): a rack change moves Kafka's epoch and not this
 * one. The value is kept in the group's record and compared only with this function's own results.
 */
final class SubscribedTopicsHash {

    /** The hash of no topics: a group that subscribes to none that exists, or has no members. */
    static final long NONE = 0L;

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private SubscribedTopicsHash() {
    }

    /**
     * The hash of {@code topics} as {@code partitionCounts} and {@code topicIds} (the cluster's topics now)
     * have them; topics {@code partitionCounts} lacks count as absent.
     */
    static long of(Collection<String> topics, Map<String, Integer> partitionCounts, TopicIds topicIds) {
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
            Uuid id = topicIds.idOf(topic);
            hash = mix(hash, id.getMostSignificantBits(), Long.BYTES);
            hash = mix(hash, id.getLeastSignificantBits(), Long.BYTES);
            hash = mix(hash, partitions, Integer.BYTES);
        }
        return any ? (hash == NONE ? 1L : hash) : NONE;
    }

    /** {@code hash} with the low {@code bytes} bytes of {@code value} fed in, the highest first. */
    private static long mix(long hash, long value, int bytes) {
        for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) {
            hash = (hash ^ ((value >>> shift) & 0xff)) * FNV_PRIME;
        }
        return hash;
    }
}
