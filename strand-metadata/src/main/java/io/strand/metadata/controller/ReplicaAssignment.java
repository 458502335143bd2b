package io.strand.metadata.controller;

import io.strand.metadata.image.PartitionRegistration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A partition's replica set with the reassignment under way in it (KIP-455, Kafka's
 * PartitionReassignmentReplicas): {@code replicas} is the union of the target replicas, first and
 * in the target's order, and {@code removing}; {@code adding} are the target replicas that were not
 * replicas when the reassignment started. Without a reassignment both lists are empty. Immutable.
 *
 * <p>Example: moving {@code [1, 2]} to {@code [2, 3]} gives replicas {@code [2, 3, 1]}, adding
 * {@code [3]}, removing {@code [1]}; it completes (replicas {@code [2, 3]}) once 2 and 3 are in the ISR.
 */
record ReplicaAssignment(List<Integer> replicas, List<Integer> adding, List<Integer> removing) {

    ReplicaAssignment {
        replicas = List.copyOf(replicas);
        adding = List.copyOf(adding);
        removing = List.copyOf(removing);
    }

    static ReplicaAssignment of(PartitionRegistration partition) {
        return new ReplicaAssignment(partition.replicas(), partition.addingReplicas(), partition.removingReplicas());
    }

    /** A reassignment from {@code original} (no reassignment in it) to {@code target}. */
    static ReplicaAssignment reassign(List<Integer> original, List<Integer> target) {
        List<Integer> removing = original.stream().filter(id -> !target.contains(id)).toList();
        List<Integer> adding = target.stream().filter(id -> !original.contains(id)).toList();
        List<Integer> replicas = new ArrayList<>(target);
        replicas.addAll(removing);
        return new ReplicaAssignment(replicas, adding, removing);
    }

    boolean isReassigning() {
        return !adding.isEmpty() || !removing.isEmpty();
    }

    /** The replicas before the reassignment started: {@code replicas} without those being added. */
    List<Integer> original() {
        return replicas.stream().filter(id -> !adding.contains(id)).toList();
    }

    /** The replicas once the reassignment completes: {@code replicas} without those being removed. */
    List<Integer> target() {
        return replicas.stream().filter(id -> !removing.contains(id)).toList();
    }

    /**
     * The completed assignment and ISR when a reassignment is under way and every target replica is
     * in {@code isr}: replicas = the target, the ISR without the removed replicas. Empty otherwise,
     * and when no member of the ISR would remain.
     */
    Optional<Completed> maybeComplete(List<Integer> isr) {
        if (!isReassigning()) {
            return Optional.empty();
        }
        List<Integer> target = target();
        List<Integer> completedIsr = isr.stream().filter(id -> !removing.contains(id)).toList();
        if (target.isEmpty() || completedIsr.isEmpty() || !completedIsr.containsAll(target)) {
            return Optional.empty();
        }
        return Optional.of(new Completed(new ReplicaAssignment(target, List.of(), List.of()), completedIsr));
    }

    record Completed(ReplicaAssignment assignment, List<Integer> isr) {
    }
}
