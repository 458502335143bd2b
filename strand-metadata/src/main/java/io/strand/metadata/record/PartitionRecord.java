package io.strand.metadata.record;

import io.strand.common.DirectoryId;
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
 * @param partitionEpoch   bumped on every change of this record but a change of {@code directories}
 *                         alone (a broker saying where it placed a replica), so that such a change
 *                         never fails the leader's ISR update in flight
 * @param addingReplicas   replicas a reassignment is adding (in {@code replicas}, not yet caught up
 *                         to complete it); empty when none is under way
 * @param removingReplicas replicas a reassignment will remove from {@code replicas} once it
 *                         completes; empty when none is under way
 * @param directories      per replica, in the order of {@code replicas}, the id of the log directory
 *                         holding it (KIP-858), or one of {@link DirectoryId}'s reserved ids; empty
 *                         when no replica's directory is known (a list of only
 *                         {@link DirectoryId#UNASSIGNED} is made empty)
 */
public record PartitionRecord(Uuid topicId, int partitionId, List<Integer> replicas, List<Integer> isr,
                              int leader, int leaderEpoch, int partitionEpoch, List<Integer> addingReplicas,
                              List<Integer> removingReplicas, List<Uuid> directories) implements MetadataRecord {
    public PartitionRecord {
        Objects.requireNonNull(topicId, "topicId");
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
        addingReplicas = List.copyOf(addingReplicas);
        removingReplicas = List.copyOf(removingReplicas);
        directories = directories.stream().allMatch(DirectoryId.UNASSIGNED::equals) ? List.of()
                : List.copyOf(directories);
        if (!directories.isEmpty() && directories.size() != replicas.size()) {
            throw new IllegalArgumentException("One directory per replica: replicas=" + replicas
                    + " directories=" + directories);
        }
    }

    /** A partition whose replicas' directories are not known. */
    public PartitionRecord(Uuid topicId, int partitionId, List<Integer> replicas, List<Integer> isr,
                           int leader, int leaderEpoch, int partitionEpoch, List<Integer> addingReplicas,
                           List<Integer> removingReplicas) {
        this(topicId, partitionId, replicas, isr, leader, leaderEpoch, partitionEpoch, addingReplicas,
                removingReplicas, List.of());
    }

    /** A partition with no reassignment under way. */
    public PartitionRecord(Uuid topicId, int partitionId, List<Integer> replicas, List<Integer> isr,
                           int leader, int leaderEpoch, int partitionEpoch) {
        this(topicId, partitionId, replicas, isr, leader, leaderEpoch, partitionEpoch, List.of(), List.of());
    }
}
