package io.strand.metadata.record;

import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.Uuid;

/**
 * The whole state of one partition: its replica set, in-sync replicas, leader and epochs. A later
 * record for the same {@code (topicId, partitionId)} replaces the earlier one.
 *
 * @param leader         broker id of the leader, or -1 when the partition has none
 * @param leaderEpoch    bumped on every leader change
 * @param partitionEpoch bumped on every change of this record
 */
public record PartitionRecord(Uuid topicId, int partitionId, List<Integer> replicas, List<Integer> isr,
                              int leader, int leaderEpoch, int partitionEpoch) implements MetadataRecord {
    public PartitionRecord {
        Objects.requireNonNull(topicId, "topicId");
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
    }
}
