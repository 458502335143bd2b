package io.strand.metadata.image;

import io.strand.metadata.record.PartitionRecord;
import java.util.List;
import org.apache.kafka.common.Uuid;

/**
 * The state of one partition in a {@link MetadataImage}: replicas (the first is the preferred
 * leader), in-sync replicas, the leader (-1 = none), the epochs that fence stale leaders and
 * stale updates, and the reassignment under way if any. Immutable.
 *
 * <p>During a reassignment (KIP-455) {@code replicas} is the union of the target replicas (first, in
 * the target's order) and {@code removingReplicas}; {@code addingReplicas} are the target replicas
 * that were not replicas before. Every broker in {@code replicas} hosts the partition; once every
 * target replica is in the ISR the controller completes the reassignment: {@code replicas} becomes
 * the target and both lists empty.
 */
public record PartitionRegistration(List<Integer> replicas, List<Integer> isr, int leader, int leaderEpoch,
                                    int partitionEpoch, List<Integer> addingReplicas,
                                    List<Integer> removingReplicas) {
    /** The broker id meaning "no leader". */
    public static final int NO_LEADER = -1;

    public PartitionRegistration {
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
        addingReplicas = List.copyOf(addingReplicas);
        removingReplicas = List.copyOf(removingReplicas);
    }

    /** A partition with no reassignment under way. */
    public PartitionRegistration(List<Integer> replicas, List<Integer> isr, int leader, int leaderEpoch,
                                 int partitionEpoch) {
        this(replicas, isr, leader, leaderEpoch, partitionEpoch, List.of(), List.of());
    }

    /** The partition state a record carries, without its topic id and partition index. */
    public static PartitionRegistration of(PartitionRecord record) {
        return new PartitionRegistration(record.replicas(), record.isr(), record.leader(), record.leaderEpoch(),
                record.partitionEpoch(), record.addingReplicas(), record.removingReplicas());
    }

    public PartitionRecord toRecord(Uuid topicId, int partitionId) {
        return new PartitionRecord(topicId, partitionId, replicas, isr, leader, leaderEpoch, partitionEpoch,
                addingReplicas, removingReplicas);
    }

    public boolean hasLeader() {
        return leader != NO_LEADER;
    }

    /** Whether a reassignment is under way: some replica is being added or removed. */
    public boolean isReassigning() {
        return !addingReplicas.isEmpty() || !removingReplicas.isEmpty();
    }
}
