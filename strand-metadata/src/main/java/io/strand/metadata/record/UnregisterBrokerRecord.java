package io.strand.metadata.record;

/** The registration of {@code brokerId} with epoch {@code brokerEpoch} is removed. */
public record UnregisterBrokerRecord(int brokerId, long brokerEpoch) implements MetadataRecord {
}
