package io.strand.broker.txn;

import io.strand.broker.producer.ProducerIdManager;
import io.strand.coordinator.txn.ProducerIdSource;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.CoordinatorLoadInProgressException;
import org.apache.kafka.common.errors.UnknownServerException;

/**
 * The transaction coordinator's producer ids from the broker's {@link ProducerIdManager} (blocks from
 * the controller, KIP-730), without blocking: an id at hand is returned; while the next block is still
 * being fetched the call throws COORDINATOR_LOAD_IN_PROGRESS, as Kafka's manager does, and the client
 * retries. The id that block later yields to this call is dropped (ids are never reused, so an unused
 * one is harmless). Thread-safe.
 */
public final class ProducerIdManagerSource implements ProducerIdSource {

    private final ProducerIdManager manager;

    public ProducerIdManagerSource(ProducerIdManager manager) {
        this.manager = manager;
    }

    @Override
    public long nextProducerId() {
        CompletableFuture<Long> next = manager.nextProducerId();
        if (!next.isDone()) {
            throw new CoordinatorLoadInProgressException("Waiting for a block of producer ids from the controller");
        }
        try {
            return next.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof ApiException api) {
                throw api;
            }
            throw new UnknownServerException("Allocating a producer id failed: " + e.getCause(), e.getCause());
        }
    }
}
