package io.strand.coordinator.group;

import org.apache.kafka.common.TopicPartition;

/**
 * One group's committed offset of one partition, as a group coordinator holds it (transactional
 * offsets not yet committed excluded).
 *
 * @param committedOffset the offset the group's consumers resume from
 */
public record CommittedOffset(String groupId, TopicPartition topicPartition, long committedOffset) {
}
