package io.strand.coordinator.group;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;

/**
 * A share group's metadata hash: what its subscribed topics look like now, so that a heartbeat can tell
 * that one was created, deleted (or deleted and created again) or given partitions since the group epoch
 * last moved (Kafka's group metadata hash, KIP-1101, which moves the group epoch when it changes). It
 * covers each subscribed topic that exists, by name, id, partition count and the racks of its partitions'
 * replicas ({@link #racksOf}), in name order; a group subscribed to no topic that exists hashes to {@link
 * #NONE}. Kafka's value is its own (XXH3); this one is kept in the group's record and compared only with
 * this function's own results. A topic whose replicas have no racks hashes as before racks were covered.
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
    static long of(Collection<String> topics, Map<String, Integer> partitionCounts, TopicIdLookup topicIds) {
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
            long racks = racksOf(topic, topicIds);
            if (racks != NONE) {
                hash = mix(hash, racks, Long.BYTES);
            }
        }
        return any ? (hash == NONE ? 1L : hash) : NONE;
    }

    /**
     * A hash of the racks of {@code topic}'s partitions' replicas, as {@code topicIds} has them now: each
     * partition's, sorted, as Kafka's metadata hash takes them. {@link #NONE} if no replica's broker has a
     * rack. So a rack change (a broker back under another {@code broker.rack}, a replica moved to another
     * rack) moves a group's epoch, as in Kafka.
     */
    static long racksOf(String topic, TopicIdLookup topicIds) {
        List<List<String>> byPartition = topicIds.replicaRacks(topic);
        long hash = FNV_OFFSET;
        boolean any = false;
        for (int p = 0; p < byPartition.size(); p++) {
            List<String> racks = new ArrayList<>(byPartition.get(p));
            if (racks.isEmpty()) {
                continue;
            }
            any = true;
            racks.sort(null);
            hash = mix(hash, p, Integer.BYTES);
            for (String rack : racks) {
                for (byte b : rack.getBytes(StandardCharsets.UTF_8)) {
                    hash = (hash ^ (b & 0xff)) * FNV_PRIME;
                }
                hash = (hash ^ 0xff) * FNV_PRIME; // ends a rack
            }
            hash = (hash ^ 0xfe) * FNV_PRIME; // ends the partition's racks: no UTF-8 byte is 0xfe either
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
