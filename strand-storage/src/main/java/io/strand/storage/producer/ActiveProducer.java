package io.strand.storage.producer;

/**
 * A read-only copy of what a partition's producer state holds about one producer, taken under the
 * log's lock (see {@code PartitionLog.activeProducers()}): what DescribeProducers (KIP-664) reports.
 * Immutable, so it may leave the writer's thread; it does not follow later appends.
 *
 * @param producerId the producer id
 * @param producerEpoch the producer's current epoch in this partition
 * @param lastSequence the last sequence appended in that epoch, or -1 if none
 * @param lastTimestampMs the time of the producer's last batch or marker, or -1 if none is known
 * @param coordinatorEpoch the epoch of the transaction coordinator that wrote its last marker, or -1
 * @param currentTxnFirstOffset the first offset of its ongoing transaction, or -1 if none is ongoing
 */
public record ActiveProducer(long producerId, short producerEpoch, int lastSequence, long lastTimestampMs,
                             int coordinatorEpoch, long currentTxnFirstOffset) {

    /** A copy of {@code entry} as it is now. */
    static ActiveProducer of(ProducerEntry entry) {
        return new ActiveProducer(entry.producerId(), entry.producerEpoch(), entry.lastSequence(),
                entry.lastTimestampMs(), entry.coordinatorEpoch(), entry.currentTxnFirstOffset());
    }
}
