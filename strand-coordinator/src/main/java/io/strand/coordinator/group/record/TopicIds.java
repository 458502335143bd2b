package io.strand.coordinator.group.record;

import org.apache.kafka.common.Uuid;

/**
 * Topic ids and names as the cluster knows them now. Kafka's consumer group records name topics by
 * id, while the coordinator's groups name them; records are written and read back through this.
 * Implementations are thread-safe.
 */
public interface TopicIds {

    /** Knows no topic: consumer group records written through it keep no topics. */
    TopicIds NONE = new TopicIds() {
        @Override
        public String nameOf(Uuid topicId) {
            return null;
        }

        @Override
        public Uuid idOf(String topicName) {
            return Uuid.ZERO_UUID;
        }
    };

    /** The topic's name, or null if no topic has this id. */
    String nameOf(Uuid topicId);

    /** The topic's id, or {@link Uuid#ZERO_UUID} if there is no such topic. */
    Uuid idOf(String topicName);
}
