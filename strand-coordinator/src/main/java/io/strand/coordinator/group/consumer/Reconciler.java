package io.strand.coordinator.group.consumer;

import io.strand.coordinator.group.assignor.Assignments;
import io.strand.coordinator.group.record.CoordinatorRecord.ConsumerMemberAssignmentValue;
import io.strand.coordinator.group.record.MemberState;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Incremental reconciliation: moves one member from its current assignment towards its target, one
 * step per heartbeat, so that no partition is ever owned by two members. A partition the target
 * takes away is first revoked (the member stays at its epoch, UNREVOKED_PARTITIONS, keeping only the
 * partitions its target keeps, until it reports it no longer owns the revoked ones); a partition the
 * target gives is handed over only once no other member owns it (until then UNRELEASED_PARTITIONS at
 * the target epoch). See {@link MemberState}. Each partition keeps the member epoch it was given at
 * (KIP-1251), for OffsetCommit.
 *
 * <p>Pure: computes a new {@link ConsumerMemberAssignmentValue} and changes nothing.
 */
public final class Reconciler {

    /** Who owns a partition right now: a member id, or null if free. */
    public interface Owners {
        String ownerOf(String topic, int partition);
    }

    private Reconciler() {
    }

    /**
     * @param owned the partitions the member reports owning, null if it did not say (unchanged)
     * @return the member's next assignment state (the same instance if nothing changes)
     */
    public static ConsumerMemberAssignmentValue reconcile(ConsumerMember member, int targetEpoch,
                                                   Map<String, Set<Integer>> target,
                                                   Map<String, Set<Integer>> owned, Owners owners) {
        ConsumerMemberAssignmentValue current = member.assignment();
        switch (current.state()) {
            case UNREVOKED_PARTITIONS -> {
                if (stillOwns(current.pendingRevocation(), owned)) {
                    return current;
                }
            }
            case STABLE -> {
                if (current.memberEpoch() == targetEpoch) {
                    return current;
                }
            }
            default -> {
            }
        }
        return next(member, targetEpoch, target, owned, owners);
    }

    private static ConsumerMemberAssignmentValue next(ConsumerMember member, int targetEpoch,
                                                      Map<String, Set<Integer>> target,
                                                      Map<String, Set<Integer>> owned, Owners owners) {
        Map<String, Set<Integer>> assigned = new TreeMap<>();
        Map<String, Set<Integer>> kept = new TreeMap<>();
        Map<String, Set<Integer>> revoke = new TreeMap<>();
        // KIP-1251: a partition keeps the epoch it was given at; one given now gets the target's.
        Map<String, Map<Integer, Integer>> epochs = new TreeMap<>();
        ConsumerMemberAssignmentValue current0 = member.assignment();
        boolean unreleased = false;
        Set<String> topics = new HashSet<>(member.assigned().keySet());
        topics.addAll(target.keySet());
        for (String topic : topics) {
            Set<Integer> current = Assignments.partitions(member.assigned(), topic);
            Set<Integer> wanted = Assignments.partitions(target, topic);
            Set<Integer> keep = new TreeSet<>();
            for (int p : current) {
                if (wanted.contains(p)) {
                    keep.add(p);
                    kept.computeIfAbsent(topic, t -> new TreeSet<>()).add(p);
                } else {
                    revoke.computeIfAbsent(topic, t -> new TreeSet<>()).add(p);
                }
                epochs.computeIfAbsent(topic, t -> new TreeMap<>()).put(p, current0.assignmentEpochOf(topic, p));
            }
            for (int p : wanted) {
                if (current.contains(p)) {
                    continue;
                }
                String owner = owners.ownerOf(topic, p);
                if (owner == null || owner.equals(member.memberId())) {
                    keep.add(p);
                    Integer given = current0.assignmentEpochOf(topic, p);
                    epochs.computeIfAbsent(topic, t -> new TreeMap<>()).put(p, given != null ? given : targetEpoch);
                } else {
                    unreleased = true;
                }
            }
            if (!keep.isEmpty()) {
                assigned.put(topic, keep);
            }
        }
        int epoch = member.memberEpoch();
        if (!revoke.isEmpty() && stillOwns(Assignments.copyOf(revoke), owned)) {
            // As Kafka: while revoking, the member keeps only what it keeps; new partitions come after.
            return new ConsumerMemberAssignmentValue(epoch, previousFor(member, epoch),
                    MemberState.UNREVOKED_PARTITIONS, kept, revoke, only(epochs, kept, revoke));
        }
        MemberState state = unreleased ? MemberState.UNRELEASED_PARTITIONS : MemberState.STABLE;
        return new ConsumerMemberAssignmentValue(targetEpoch, previousFor(member, targetEpoch), state, assigned,
                Map.of(), only(epochs, assigned, Map.of()));
    }

    /** The epochs of the partitions of {@code a} and {@code b}. */
    private static Map<String, Map<Integer, Integer>> only(Map<String, Map<Integer, Integer>> epochs,
                                                           Map<String, Set<Integer>> a, Map<String, Set<Integer>> b) {
        Map<String, Map<Integer, Integer>> out = new TreeMap<>();
        for (Map<String, Set<Integer>> partitions : java.util.List.of(a, b)) {
            partitions.forEach((topic, set) -> set.forEach(p -> {
                Integer epoch = epochs.getOrDefault(topic, Map.of()).get(p);
                if (epoch != null) {
                    out.computeIfAbsent(topic, t -> new TreeMap<>()).put(p, epoch);
                }
            }));
        }
        return out;
    }

    private static int previousFor(ConsumerMember member, int newEpoch) {
        return newEpoch == member.memberEpoch() ? member.previousMemberEpoch() : member.memberEpoch();
    }

    /** True if the member may still own some of {@code revoking}: it did not say, or says it does. */
    private static boolean stillOwns(Map<String, Set<Integer>> revoking, Map<String, Set<Integer>> owned) {
        return owned == null || Assignments.intersects(revoking, owned);
    }
}
