package io.strand.metadata.image;

import io.strand.common.DirectoryId;
import io.strand.metadata.record.PartitionRecord;
import java.util.ArrayList;
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
 *
 * <p>{@code directories} holds, per replica in the order of {@code replicas}, the id of the log
 * directory its broker placed it in (KIP-858), or {@link DirectoryId#UNASSIGNED} while the broker has
 * not said; it is empty when no replica's directory is known (a list of only UNASSIGNED is made empty).
 */
public record PartitionRegistration(List<Integer> replicas, List<Integer> isr, int leader, int leaderEpoch,
                                    int partitionEpoch, List<Integer> addingReplicas,
                                    List<Integer> removingReplicas, List<Uuid> directories) {
    /** The broker id meaning "no leader". */
    public static final int NO_LEADER = -1;

    public PartitionRegistration {
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
    public PartitionRegistration(List<Integer> replicas, List<Integer> isr, int leader, int leaderEpoch,
                                 int partitionEpoch, List<Integer> addingReplicas, List<Integer> removingReplicas) {
        this(replicas, isr, leader, leaderEpoch, partitionEpoch, addingReplicas, removingReplicas, List.of());
    }

    /** A partition with no reassignment under way. */
    public PartitionRegistration(List<Integer> replicas, List<Integer> isr, int leader, int leaderEpoch,
                                 int partitionEpoch) {
        this(replicas, isr, leader, leaderEpoch, partitionEpoch, List.of(), List.of());
    }

    /** The partition state a record carries, without its topic id and partition index. */
    public static PartitionRegistration of(PartitionRecord record) {
        return new PartitionRegistration(record.replicas(), record.isr(), record.leader(), record.leaderEpoch(),
                record.partitionEpoch(), record.addingReplicas(), record.removingReplicas(), record.directories());
    }

    public PartitionRecord toRecord(Uuid topicId, int partitionId) {
        return new PartitionRecord(topicId, partitionId, replicas, isr, leader, leaderEpoch, partitionEpoch,
                addingReplicas, removingReplicas, directories);
    }

    /** The directory of {@code replica}: {@link DirectoryId#UNASSIGNED} when not known or not a replica. */
    public Uuid directory(int replica) {
        int index = replicas.indexOf(replica);
        return index < 0 || directories.isEmpty() ? DirectoryId.UNASSIGNED : directories.get(index);
    }

    /**
     * The directories for {@code newReplicas}: each replica keeps the directory it has here, a new one
     * gets {@link DirectoryId#UNASSIGNED}.
     */
    public List<Uuid> directoriesFor(List<Integer> newReplicas) {
        if (directories.isEmpty()) {
            return List.of();
        }
        List<Uuid> out = new ArrayList<>(newReplicas.size());
        for (int replica : newReplicas) {
            out.add(directory(replica));
        }
        return out;
    }

    /** This partition with {@code replica}'s directory set (the epochs unchanged). */
    public PartitionRegistration withDirectory(int replica, Uuid directory) {
        int index = replicas.indexOf(replica);
        if (index < 0) {
            throw new IllegalArgumentException("Not a replica: replica=" + replica + " replicas=" + replicas);
        }
        List<Uuid> next = new ArrayList<>(directories.isEmpty() ? DirectoryId.unassigned(replicas.size()) : directories);
        next.set(index, directory);
        return new PartitionRegistration(replicas, isr, leader, leaderEpoch, partitionEpoch, addingReplicas,
                removingReplicas, next);
    }

    public boolean hasLeader() {
        return leader != NO_LEADER;
    }

    /** Whether a reassignment is under way: some replica is being added or removed. */
    public boolean isReassigning() {
        return !addingReplicas.isEmpty() || !removingReplicas.isEmpty();
    }
}
