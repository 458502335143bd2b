package io.strand.metadata.record;

/**
 * The fencing state of a registered broker changed (Kafka's BrokerRegistrationChangeRecord): it
 * was fenced, unfenced, or entered controlled shutdown. Applies only to the registration whose
 * epoch is {@code brokerEpoch}; the rest of the registration is unchanged.
 */
public record BrokerRegistrationChangeRecord(int brokerId, long brokerEpoch, boolean fenced,
                                             boolean inControlledShutdown) implements MetadataRecord {
}
