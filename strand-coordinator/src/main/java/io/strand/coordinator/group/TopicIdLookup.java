package io.strand.coordinator.group;

import org.apache.kafka.common.Uuid;

/**
 * Topic ids and names as the broker's metadata knows them now: consumer-protocol requests and
 * responses name topics by id, the coordinator stores names. Implementations are thread-safe.
 */
public interface TopicIdLookup {

    /** The topic's name, or null if no topic has this id. */
    String nameOf(Uuid topicId);

    /** The topic's id, or {@link Uuid#ZERO_UUID} if there is no such topic. */
    Uuid idOf(String topicName);
}
