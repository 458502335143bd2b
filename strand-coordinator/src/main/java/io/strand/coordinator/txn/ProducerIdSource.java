package io.strand.coordinator.txn;

/**
 * Where the transaction coordinator gets new producer ids: for a transactional id seen for the
 * first time, when a producer id's epochs are exhausted, and for idempotent producers (no
 * transactional id). The broker implements it over its producer id blocks (KIP-730), as Kafka's
 * {@code ProducerIdManager}.
 *
 * <p>Called on the coordinator's shard threads, so it must be thread-safe and must not block: when
 * no id can be handed out at once (the next block is still being fetched from the controller) it
 * throws, and the request fails with that error for the client to retry.
 */
@FunctionalInterface
public interface ProducerIdSource {

    /**
     * An id never handed out before (ids are unique across the cluster and never reused).
     *
     * @throws org.apache.kafka.common.errors.ApiException when none is available right now, e.g.
     *         {@link org.apache.kafka.common.errors.CoordinatorLoadInProgressException} as Kafka throws
     *         while it waits for a block; the client gets its error code
     */
    long nextProducerId();
}
