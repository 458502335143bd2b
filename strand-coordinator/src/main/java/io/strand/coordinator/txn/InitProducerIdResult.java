package io.strand.coordinator.txn;

import org.apache.kafka.common.protocol.Errors;

/**
 * InitProducerId's answer: the producer id and epoch to use, or an error with both at -1. The
 * broker maps PRODUCER_FENCED to INVALID_PRODUCER_EPOCH for requests before v4, see
 * {@link TransactionErrors#forClient}.
 */
public record InitProducerIdResult(long producerId, short producerEpoch, Errors error) {

    public static InitProducerIdResult of(long producerId, short producerEpoch) {
        return new InitProducerIdResult(producerId, producerEpoch, Errors.NONE);
    }

    public static InitProducerIdResult error(Errors error) {
        return new InitProducerIdResult(TransactionMetadata.NO_PRODUCER_ID, TransactionMetadata.NO_PRODUCER_EPOCH,
                error);
    }
}
