package io.strand.coordinator.group;

import io.strand.coordinator.group.record.CoordinatorRecord.OffsetValue;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;

/**
 * The transactional offset commits of one shard that no marker has ended yet, per producer id, as
 * Kafka's group coordinator keeps them: invisible to OffsetFetch (which answers the committed offset,
 * or UNSTABLE_OFFSET_COMMIT with {@code require_stable}) until the producer's commit marker makes them
 * committed offsets; an abort marker drops them. Within one producer a later commit of a partition
 * replaces the earlier one. Each offset keeps its position in the log, which decides, when the commit
 * marker comes, whether it is newer than the committed offset it would replace.
 *
 * <p>Changed only by {@link GroupShard}'s replay. Not thread-safe: owned by the shard's thread.
 */
final class PendingTxnOffsets {

    /** An offset commit of a producer's open transaction and its position in the log. */
    record PendingOffset(OffsetValue value, long logPosition) {
    }

    /** producer id → group id → partition → pending offset. */
    private final Map<Long, Map<String, Map<TopicPartition, PendingOffset>>> byProducer = new HashMap<>();
    /** group id → the producers with pending offsets in it. */
    private final Map<String, Set<Long>> producersByGroup = new HashMap<>();
    /** producer id → the newest epoch its pending offsets were written with. */
    private final Map<Long, Short> producerEpochs = new HashMap<>();

    void put(long producerId, short producerEpoch, String groupId, TopicPartition tp, OffsetValue value,
             long logPosition) {
        producerEpochs.merge(producerId, producerEpoch, (a, b) -> (short) Math.max(a, b));
        byProducer.computeIfAbsent(producerId, p -> new HashMap<>())
                .computeIfAbsent(groupId, g -> new HashMap<>())
                .put(tp, new PendingOffset(value, logPosition));
        producersByGroup.computeIfAbsent(groupId, g -> new HashSet<>()).add(producerId);
    }

    /** Ends the producer's transaction: its pending offsets by group, removed from here (empty if none). */
    Map<String, Map<TopicPartition, PendingOffset>> remove(long producerId) {
        Map<String, Map<TopicPartition, PendingOffset>> removed = byProducer.remove(producerId);
        producerEpochs.remove(producerId);
        if (removed == null) {
            return Map.of();
        }
        for (String groupId : removed.keySet()) {
            forgetProducer(groupId, producerId);
        }
        return removed;
    }

    /** An offset tombstone of the partition drops every producer's pending commit of it. */
    void removePartition(String groupId, TopicPartition tp) {
        Set<Long> producers = producersByGroup.get(groupId);
        if (producers == null) {
            return;
        }
        for (Long producerId : Set.copyOf(producers)) {
            Map<String, Map<TopicPartition, PendingOffset>> groups = byProducer.get(producerId);
            Map<TopicPartition, PendingOffset> offsets = groups.get(groupId);
            if (offsets.remove(tp) != null && offsets.isEmpty()) {
                groups.remove(groupId);
                forgetProducer(groupId, producerId);
                if (groups.isEmpty()) {
                    byProducer.remove(producerId);
                    producerEpochs.remove(producerId);
                }
            }
        }
    }

    private void forgetProducer(String groupId, long producerId) {
        Set<Long> producers = producersByGroup.get(groupId);
        if (producers != null && producers.remove(producerId) && producers.isEmpty()) {
            producersByGroup.remove(groupId);
        }
    }

    /**
     * The newest epoch of the producer's pending offsets, or -1 if it has none: a commit of an older
     * epoch is a fenced producer's, which the log would refuse.
     */
    short pendingEpoch(long producerId) {
        return producerEpochs.getOrDefault(producerId, (short) -1);
    }

    /** Whether some open transaction commits an offset of the group. */
    boolean hasPending(String groupId) {
        return producersByGroup.containsKey(groupId);
    }

    /** Whether some open transaction commits an offset of the group's partition {@code tp}. */
    boolean hasPending(String groupId, TopicPartition tp) {
        Set<Long> producers = producersByGroup.get(groupId);
        if (producers == null) {
            return false;
        }
        for (Long producerId : producers) {
            if (byProducer.get(producerId).get(groupId).containsKey(tp)) {
                return true;
            }
        }
        return false;
    }

    /** The groups that some open transaction commits offsets of. */
    Set<String> groupIds() {
        return producersByGroup.keySet();
    }

    /** The partitions of the group that some open transaction commits. */
    Set<TopicPartition> pendingPartitions(String groupId) {
        Set<TopicPartition> partitions = new HashSet<>();
        for (Long producerId : producersByGroup.getOrDefault(groupId, Set.of())) {
            partitions.addAll(byProducer.get(producerId).get(groupId).keySet());
        }
        return partitions;
    }

    /** Every pending offset, producer id → "group/topic-partition" → value, sorted: for comparing states. */
    Map<Long, Map<String, OffsetValue>> snapshot() {
        Map<Long, Map<String, OffsetValue>> result = new TreeMap<>();
        byProducer.forEach((producerId, groups) -> {
            Map<String, OffsetValue> offsets = new TreeMap<>();
            groups.forEach((groupId, partitions) -> partitions.forEach((tp, pending) ->
                    offsets.put(groupId + "/" + tp, pending.value())));
            result.put(producerId, offsets);
        });
        return result;
    }

    void clear() {
        byProducer.clear();
        producersByGroup.clear();
        producerEpochs.clear();
    }
}
