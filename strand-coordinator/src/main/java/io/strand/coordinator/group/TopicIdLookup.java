package io.strand.coordinator.group;

import io.strand.coordinator.group.record.TopicIds;
import java.util.List;
import org.apache.kafka.common.Uuid;

/**
 * Topic ids and names as the broker's metadata knows them now, and the racks of partitions' replicas:
 * consumer-protocol requests and responses name topics by id, the coordinator stores names; Kafka's group
 * metadata hash covers racks. Implementations are thread-safe.
 */
public interface TopicIdLookup extends TopicIds {

    /** Knows no topic, and so no rack. */
    TopicIdLookup NONE = withoutRacks(TopicIds.NONE);

    /** The ids and names of {@code ids}, with no racks known. */
    static TopicIdLookup withoutRacks(TopicIds ids) {
        return new TopicIdLookup() {
            @Override
            public String nameOf(Uuid topicId) {
                return ids.nameOf(topicId);
            }

            @Override
            public Uuid idOf(String topicName) {
                return ids.idOf(topicName);
            }
        };
    }

    /**
     * For each partition of {@code topic}, in order, the racks of the brokers holding its replicas, of those
     * that have one, in any order (a rack as often as brokers of it hold a replica); empty if no such broker
     * has a rack, or there is no such topic, or racks are not known here.
     */
    default List<List<String>> replicaRacks(String topic) {
        return List.of();
    }
}
