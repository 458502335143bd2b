package io.strand.coordinator.txn;

import org.apache.kafka.common.protocol.Errors;

/**
 * EndTxn's answer. With transactions v2 (EndTxn v5+) a success carries the producer id and epoch
 * the client continues with: the bumped epoch, or a new producer id at epoch 0 once the old one's
 * epochs are exhausted; otherwise, and on every error, both are -1 (as EndTxn before v5 has them).
 */
public record EndTxnResult(Errors error, long producerId, short producerEpoch) {

    public static EndTxnResult of(Errors error) {
        return new EndTxnResult(error, TransactionMetadata.NO_PRODUCER_ID, TransactionMetadata.NO_PRODUCER_EPOCH);
    }
}
