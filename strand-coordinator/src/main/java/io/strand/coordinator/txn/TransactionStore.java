package io.strand.coordinator.txn;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The transactional ids of one shard and their metadata. Changed only through
 * {@link TransactionShard#replay}; the operations read it.
 *
 * <p>Not thread-safe: owned by the shard's thread.
 */
final class TransactionStore {

    private final Map<String, TransactionMetadata> transactions = new HashMap<>();

    /** The metadata of {@code transactionalId}, or null if it is unknown here. */
    TransactionMetadata get(String transactionalId) {
        return transactions.get(transactionalId);
    }

    void apply(TransactionRecord record) {
        if (record.isTombstone()) {
            transactions.remove(record.transactionalId());
        } else {
            transactions.put(record.transactionalId(), record.metadata());
        }
    }

    Collection<Map.Entry<String, TransactionMetadata>> entries() {
        return transactions.entrySet();
    }

    int size() {
        return transactions.size();
    }

    void clear() {
        transactions.clear();
    }
}
