package io.strand.coordinator.group;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;

/**
 * Topic ids and replicas' racks from maps a test changes as it goes, as a broker's metadata image would:
 * a topic not in {@link #ids} has no id, one not in {@link #racks} no racks. Not thread-safe.
 */
final class MapTopicIds implements TopicIdLookup {

    final Map<String, Uuid> ids = new HashMap<>();
    /** Topic to each partition's replicas' racks. */
    final Map<String, List<List<String>>> racks = new HashMap<>();

    @Override
    public String nameOf(Uuid topicId) {
        return ids.entrySet().stream().filter(e -> e.getValue().equals(topicId)).map(Map.Entry::getKey)
                .findFirst().orElse(null);
    }

    @Override
    public Uuid idOf(String topicName) {
        return ids.getOrDefault(topicName, Uuid.ZERO_UUID);
    }

    @Override
    public List<List<String>> replicaRacks(String topic) {
        return racks.getOrDefault(topic, List.of());
    }
}
