package io.strand.metadata.controller;

import io.strand.metadata.image.BrokerRegistration;
import io.strand.metadata.image.MetadataImage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;

/**
 * Chooses replicas for new partitions, roughly as Kafka's StripedReplicaPlacer: only active
 * brokers (unfenced, not shutting down), round-robin from a random start so leaders spread, and
 * replicas of one partition on distinct racks where racks allow; the first replica is the
 * preferred leader.
 *
 * <p>Not thread-safe (the {@link Random}); owned by the controller thread.
 */
final class ReplicaPlacer {

    private final Random random;

    ReplicaPlacer(Random random) {
        this.random = random;
    }

    /**
     * Whether {@code replicationFactor} replicas can be placed on {@code brokerCount} brokers; run
     * before anything is sized by the partition count, as Kafka's placer does.
     *
     * @throws InvalidReplicationFactorException with Kafka's message when it is not positive or
     *         exceeds the registered brokers
     */
    static void checkReplicationFactor(int brokerCount, int replicationFactor) {
        if (replicationFactor <= 0) {
            throw new InvalidReplicationFactorException("Invalid replication factor " + replicationFactor
                    + ": the replication factor must be positive.");
        }
        if (replicationFactor > brokerCount) {
            throw new InvalidReplicationFactorException("The target replication factor of " + replicationFactor
                    + " cannot be reached because only " + brokerCount + " broker(s) are registered.");
        }
    }

    /**
     * Replica lists for {@code numPartitions} partitions of {@code replicationFactor} replicas,
     * without racks.
     *
     * @param brokerIds     usable broker ids, ascending
     * @param numPartitions at most {@link QuorumController#MAX_PARTITIONS_PER_REQUEST}: the caller has
     *                      bounded the client's count before asking
     * @throws InvalidReplicationFactorException when there are fewer brokers than replicas
     */
    List<List<Integer>> place(List<Integer> brokerIds, int numPartitions, int replicationFactor) {
        return place(brokerIds, Map.of(), numPartitions, replicationFactor);
    }

    /**
     * Replica lists on the usable (active) brokers of {@code image}, honouring their racks.
     */
    List<List<Integer>> place(MetadataImage image, int numPartitions, int replicationFactor) {
        Map<Integer, String> racks = new HashMap<>();
        for (BrokerRegistration broker : image.brokers().values()) {
            if (broker.rack() != null) {
                racks.put(broker.brokerId(), broker.rack());
            }
        }
        return place(usableBrokers(image), racks, numPartitions, replicationFactor);
    }

    /** The brokers new replicas may go to: registered, unfenced, not shutting down; ascending. */
    static List<Integer> usableBrokers(MetadataImage image) {
        List<Integer> usable = new ArrayList<>();
        for (BrokerRegistration broker : image.brokers().values()) {
            if (broker.isActive()) {
                usable.add(broker.brokerId());
            }
        }
        usable.sort(Integer::compare);
        return usable;
    }

    /**
     * Without racks, partition {@code p}'s replica {@code r} is {@code brokers[(start + p + r) % n]}.
     * With racks the brokers are first ordered rack by rack in turn (racks by name, ids ascending
     * within a rack: a1, b1, c1, a2, b2 ...), and each further replica is the next broker in that
     * order on a rack the partition does not use yet, or, once every rack is used, the next broker
     * not yet chosen. So replicas of one partition are on distinct racks whenever there are at
     * least as many racks as replicas, and leaders rotate over all brokers.
     *
     * @param racks rack by broker id; brokers absent have none (a rack of their own)
     */
    List<List<Integer>> place(List<Integer> brokerIds, Map<Integer, String> racks, int numPartitions,
                              int replicationFactor) {
        checkReplicationFactor(brokerIds.size(), replicationFactor);
        if (numPartitions < 0 || numPartitions > QuorumController.MAX_PARTITIONS_PER_REQUEST) {
            throw new IllegalArgumentException("numPartitions=" + numPartitions + " is outside 0.."
                    + QuorumController.MAX_PARTITIONS_PER_REQUEST + "; callers bound it first");
        }
        List<Integer> order = racks.isEmpty() ? brokerIds : interleaveRacks(brokerIds, racks);
        int n = order.size();
        int start = random.nextInt(n);
        List<List<Integer>> assignments = new ArrayList<>(numPartitions);
        for (int p = 0; p < numPartitions; p++) {
            int first = (start + p) % n;
            List<Integer> replicas = new ArrayList<>(replicationFactor);
            Set<String> usedRacks = new HashSet<>();
            replicas.add(order.get(first));
            usedRacks.add(rackOf(order.get(first), racks));
            while (replicas.size() < replicationFactor) {
                Integer pick = null;
                Integer fallback = null;
                for (int i = 1; i < n && pick == null; i++) {
                    int candidate = order.get((first + i) % n);
                    if (replicas.contains(candidate)) {
                        continue;
                    }
                    if (fallback == null) {
                        fallback = candidate;
                    }
                    if (!usedRacks.contains(rackOf(candidate, racks))) {
                        pick = candidate;
                    }
                }
                int chosen = pick != null ? pick : fallback;
                replicas.add(chosen);
                usedRacks.add(rackOf(chosen, racks));
            }
            assignments.add(replicas);
        }
        return assignments;
    }

    private static String rackOf(int brokerId, Map<Integer, String> racks) {
        String rack = racks.get(brokerId);
        return rack != null ? "rack:" + rack : "broker:" + brokerId;
    }

    private static List<Integer> interleaveRacks(List<Integer> brokerIds, Map<Integer, String> racks) {
        TreeMap<String, List<Integer>> byRack = new TreeMap<>();
        for (int id : brokerIds) {
            byRack.computeIfAbsent(rackOf(id, racks), r -> new ArrayList<>()).add(id);
        }
        List<Integer> order = new ArrayList<>(brokerIds.size());
        for (int round = 0; order.size() < brokerIds.size(); round++) {
            for (List<Integer> ids : byRack.values()) {
                if (round < ids.size()) {
                    order.add(ids.get(round));
                }
            }
        }
        return order;
    }
}
