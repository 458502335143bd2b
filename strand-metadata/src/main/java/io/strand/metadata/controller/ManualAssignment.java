package io.strand.metadata.controller;

import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.PartitionRegistration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;

/** Checks a replica list given by a client (CreateTopics / CreatePartitions assignments). Stateless. */
final class ManualAssignment {

    private ManualAssignment() {
    }

    /**
     * @param replicationFactor the replica count every partition must have, if already fixed
     * @throws InvalidReplicaAssignmentException with Kafka's message for the first problem found
     */
    static void validate(MetadataImage image, List<Integer> replicas, OptionalInt replicationFactor) {
        if (replicas.isEmpty()) {
            throw new InvalidReplicaAssignmentException("The manual partition assignment includes an empty "
                    + "replica list.");
        }
        List<Integer> sorted = new ArrayList<>(replicas);
        sorted.sort(Integer::compare);
        Integer previous = null;
        for (Integer brokerId : sorted) {
            if (!image.brokers().containsKey(brokerId)) {
                throw new InvalidReplicaAssignmentException("The manual partition assignment includes broker "
                        + brokerId + ", but no such broker is registered.");
            }
            if (brokerId.equals(previous)) {
                throw new InvalidReplicaAssignmentException("The manual partition assignment includes the broker "
                        + previous + " more than once.");
            }
            previous = brokerId;
        }
        if (replicationFactor.isPresent() && sorted.size() != replicationFactor.getAsInt()) {
            throw new InvalidReplicaAssignmentException("The manual partition assignment includes a partition "
                    + "with " + sorted.size() + " replica(s), but this is not consistent with previous partitions, "
                    + "which have " + replicationFactor.getAsInt() + " replica(s).");
        }
    }

    /** A new partition's first registration: leader = first replica, isr = replicas, epochs 0. */
    static PartitionRegistration newPartition(List<Integer> replicas) {
        return new PartitionRegistration(replicas, replicas, replicas.get(0), 0, 0);
    }

    /**
     * A new partition's first registration as Kafka makes it: the ISR is the replicas that are
     * active (unfenced, not shutting down), the leader the first of them, epochs 0.
     *
     * @throws InvalidReplicaAssignmentException when no replica is active
     */
    static PartitionRegistration newPartition(MetadataImage image, List<Integer> replicas) {
        List<Integer> isr = replicas.stream().filter(id -> PartitionChange.isActive(image, id)).toList();
        if (isr.isEmpty()) {
            throw new InvalidReplicaAssignmentException("All brokers specified in the partition assignment "
                    + replicas + " are fenced or in controlled shutdown.");
        }
        return new PartitionRegistration(replicas, isr, isr.get(0), 0, 0);
    }
}
