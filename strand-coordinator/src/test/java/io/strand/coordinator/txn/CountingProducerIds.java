package io.strand.coordinator.txn;

import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.errors.ApiException;

/** Producer ids 1000, 1001, …; the next call can be made to fail. Thread-safe. */
final class CountingProducerIds implements ProducerIdSource {

    private final AtomicLong next = new AtomicLong(1000);
    private volatile ApiException nextFailure;

    void failNext(ApiException failure) {
        nextFailure = failure;
    }

    /** The id the next call returns. */
    long peek() {
        return next.get();
    }

    @Override
    public long nextProducerId() {
        ApiException failure = nextFailure;
        if (failure != null) {
            nextFailure = null;
            throw failure;
        }
        return next.getAndIncrement();
    }
}
