package io.strand.coordinator.txn;

/**
 * A record of {@code __transaction_state} that cannot be decoded: an unknown key type or value
 * version (from a newer broker), an unknown state, or truncated bytes. Loading a shard skips such a
 * record with a warning, as Kafka skips unknown key versions.
 */
public final class TransactionRecordFormatException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    TransactionRecordFormatException(String message) {
        super(message);
    }
}
