package io.strand.metadata.controller;

/**
 * Broker settings the controller applies to a CreateTopics request that leaves them to the server
 * ({@code -1}): Kafka's {@code num.partitions} and {@code default.replication.factor}.
 */
public record ControllerDefaults(int numPartitions, short defaultReplicationFactor) {

    public static final ControllerDefaults SINGLE_NODE = new ControllerDefaults(1, (short) 1);

    public ControllerDefaults {
        if (numPartitions < 1 || defaultReplicationFactor < 1) {
            throw new IllegalArgumentException("Invalid controller defaults: numPartitions=" + numPartitions
                    + " defaultReplicationFactor=" + defaultReplicationFactor);
        }
    }
}
