package io.strand.coordinator.group;

import io.strand.coordinator.group.record.TopicIds;

/**
 * Topic ids and names as the broker's metadata knows them now: consumer-protocol requests and
 * responses name topics by id, the coordinator stores names. Implementations are thread-safe.
 */
public interface TopicIdLookup extends TopicIds {
}
