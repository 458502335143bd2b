package io.strand.metadata.controller;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;

/**
 * Chooses replicas for new partitions: round-robin over the registered brokers in id order,
 * starting at a random broker, so partition {@code p}'s replica {@code r} is broker
 * {@code brokers[(start + p + r) % n]}; the first replica is the preferred leader. Racks are not
 * considered yet.
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
     * Replica lists for {@code numPartitions} partitions of {@code replicationFactor} replicas.
     *
     * @param brokerIds     registered broker ids, ascending
     * @param numPartitions at most {@link QuorumController#MAX_PARTITIONS_PER_REQUEST}: the caller has
     *                      bounded the client's count before asking
     * @throws InvalidReplicationFactorException when there are fewer brokers than replicas
     */
    List<List<Integer>> place(List<Integer> brokerIds, int numPartitions, int replicationFactor) {
        checkReplicationFactor(brokerIds.size(), replicationFactor);
        if (numPartitions < 0 || numPartitions > QuorumController.MAX_PARTITIONS_PER_REQUEST) {
            throw new IllegalArgumentException("numPartitions=" + numPartitions + " is outside 0.."
                    + QuorumController.MAX_PARTITIONS_PER_REQUEST + "; callers bound it first");
        }
        int n = brokerIds.size();
        int start = random.nextInt(n);
        List<List<Integer>> assignments = new ArrayList<>(numPartitions);
        for (int p = 0; p < numPartitions; p++) {
            List<Integer> replicas = new ArrayList<>(replicationFactor);
            for (int r = 0; r < replicationFactor; r++) {
                replicas.add(brokerIds.get((start + p + r) % n));
            }
            assignments.add(replicas);
        }
        return assignments;
    }
}
