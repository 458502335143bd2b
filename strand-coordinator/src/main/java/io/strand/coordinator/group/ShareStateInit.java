package io.strand.coordinator.group;

import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;

/**
 * Share-partitions whose durable state a share group's coordinator has recorded as being initialized and
 * asks to be initialized (Kafka's InitializeShareGroupState from the group coordinator to the share
 * coordinator): with no start offset (-1, resolved by the partition's leader at its first fetch) at
 * {@code stateEpoch}, the group epoch that asked. The initializer given to
 * {@link GroupCoordinator#setShareStateInitializer} does it; the coordinator then records them initialized,
 * and the group's members are assigned them from the next target on.
 *
 * @param partitions topic id → partitions
 * @param topicNames topic id → name, for every topic of {@code partitions}
 */
public record ShareStateInit(String groupId, int stateEpoch, Map<Uuid, SortedSet<Integer>> partitions,
                             Map<Uuid, String> topicNames) {

    public ShareStateInit {
        partitions = new TreeMap<>(partitions);
        topicNames = new TreeMap<>(topicNames);
    }
}
