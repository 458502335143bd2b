package io.strand.metadata.record;

import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.Uuid;

/**
 * The whole state of one partition: its replica set, in-sync replicas, leader and epochs, and the
 * reassignment under way if any. A later record for the same {@code (topicId, partitionId)} replaces
 * the earlier one.
 *
 * @param replicas         during a reassignment the union of the target replicas (first, in the
 *                         target's order) and the replicas being removed
 * @param leader           broker id of the leader, or -1 when the partition has none
 * @param leaderEpoch      bumped on every leader change
 * @param partitionEpoch   bumped on every change of this record
 * @param addingReplicas   replicas a reassignment is adding (in {@code replicas}, not yet caught up
 *                         to complete it); empty when none is under way
 * @param removingReplicas replicas a reassignment will remove from {@code replicas} once it
 *                         completes; empty when none is under way
 */
public record PartitionRecord(Uuid topicId, int partitionId, List<Integer> replicas, List<Integer> isr,
                              int leader, int leaderEpoch, int partitionEpoch, List<Integer> addingReplicas,
                              List<Integer> removingReplicas) implements MetadataRecord {
    public PartitionRecord {
        Objects.requireNonNull(topicId, "topicId");
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
        addingReplicas = List.copyOf(addingReplicas);
        removingReplicas = List.copyOf(removingReplicas);
    }

    /** A partition with no reassignment under way. */
    public PartitionRecord(Uuid topicId, int partitionId, List<Integer> replicas, List<Integer> isr,
                           int leader, int leaderEpoch, int partitionEpoch) {
        this(topicId, partitionId, replicas, isr, leader, leaderEpoch, partitionEpoch, List.of(), List.of());
    }
}
