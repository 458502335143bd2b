package io.strand.broker.txn;

import io.strand.broker.producer.ProducerIdManager;
import io.strand.coordinator.txn.ProducerIdSource;
import org.apache.kafka.common.errors.CoordinatorLoadInProgressException;

/**
 * The transaction coordinator's producer ids from the broker's {@link ProducerIdManager} (blocks from
 * the controller, KIP-730), without blocking: an id at hand is returned; while the next block is still
 * being fetched (or its allocation failed and is asked for again) the call throws
 * COORDINATOR_LOAD_IN_PROGRESS and takes no id, as Kafka's manager does, and the client retries. So the
 * first producer id a broker hands out is its first block's first, as in Kafka. Thread-safe.
 */
public final class ProducerIdManagerSource implements ProducerIdSource {

    private final ProducerIdManager manager;

    public ProducerIdManagerSource(ProducerIdManager manager) {
        this.manager = manager;
    }

    @Override
    public long nextProducerId() {
        long id = manager.tryNextProducerId();
        if (id < 0) {
            throw new CoordinatorLoadInProgressException("Producer ID block is full. Waiting for next block");
        }
        return id;
    }
}
