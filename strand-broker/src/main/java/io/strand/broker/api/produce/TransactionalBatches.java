package io.strand.broker.api.produce;

import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * What a produce request's transactional batches say: how many distinct producers (id and epoch) they
 * come from and, if one, which. Kafka refuses a request with transactional batches but no transactional
 * id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED) and one with more than one producer among them
 * (INVALID_PRODUCER_ID_MAPPING), both for the whole request. A batch too short to be read counts as not
 * transactional: the log refuses it later with its own error.
 *
 * @param producerIds   0 without transactional batches; 2 stands for "more than one"
 * @param producerId    the producer of the transactional batches when there is exactly one, else -1
 * @param producerEpoch its epoch, else -1
 */
record TransactionalBatches(int producerIds, long producerId, short producerEpoch) {

    private static final TransactionalBatches NONE = new TransactionalBatches(0, -1L, (short) -1);

    boolean any() {
        return producerIds > 0;
    }

    static TransactionalBatches of(ProduceRequestData data) {
        TransactionalBatches found = NONE;
        for (ProduceRequestData.TopicProduceData topic : data.topicData()) {
            for (ProduceRequestData.PartitionProduceData partition : topic.partitionData()) {
                if (!(partition.records() instanceof MemoryRecords records)) {
                    continue;
                }
                try {
                    for (RecordBatch batch : records.batches()) {
                        if (!batch.isTransactional()) {
                            continue;
                        }
                        if (!found.any()) {
                            found = new TransactionalBatches(1, batch.producerId(), batch.producerEpoch());
                        } else if (found.producerId != batch.producerId() || found.producerEpoch != batch.producerEpoch()) {
                            return new TransactionalBatches(2, -1L, (short) -1);
                        }
                    }
                } catch (RuntimeException unreadable) {
                    // A malformed batch: validation answers it for its partition.
                }
            }
        }
        return found;
    }

    /** Whether {@code records} (null: none) hold a transactional batch. */
    static boolean isTransactional(MemoryRecords records) {
        if (records == null) {
            return false;
        }
        try {
            for (RecordBatch batch : records.batches()) {
                if (batch.isTransactional()) {
                    return true;
                }
            }
        } catch (RuntimeException unreadable) {
            return false;
        }
        return false;
    }
}
