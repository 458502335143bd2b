package io.strand.metadata.record;

/**
 * A block of producer ids was handed to {@code brokerId}; {@code nextProducerId} is the first id
 * the controller will hand out next. Blocks never overlap: each record raises the counter.
 *
 * @param brokerId the broker that got the block, or -1 in a snapshot
 */
public record ProducerIdsRecord(int brokerId, long nextProducerId) implements MetadataRecord {
}
