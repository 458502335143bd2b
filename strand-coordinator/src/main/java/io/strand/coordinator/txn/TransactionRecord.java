package io.strand.coordinator.txn;

import java.util.Objects;

/**
 * One record of {@code __transaction_state}: a transactional id (the key, the unit of compaction)
 * and its metadata, or no metadata (a tombstone: the id expired and is forgotten). Encoded by
 * {@link TransactionRecordSerde} in Kafka's format. Immutable.
 *
 * @param metadata the value; null for a tombstone
 */
public record TransactionRecord(String transactionalId, TransactionMetadata metadata) {

    public TransactionRecord {
        Objects.requireNonNull(transactionalId, "transactionalId");
    }

    public static TransactionRecord tombstone(String transactionalId) {
        return new TransactionRecord(transactionalId, null);
    }

    public boolean isTombstone() {
        return metadata == null;
    }
}
