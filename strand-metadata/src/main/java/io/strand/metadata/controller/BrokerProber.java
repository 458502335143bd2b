package io.strand.metadata.controller;

import java.util.concurrent.CompletableFuture;

/**
 * Asks the network whether anything listens at a broker's registered endpoint, for the active
 * controller's fast detection of dead brokers ({@link BrokerProbes}). Only {@link Outcome#REFUSED}
 * has a consequence: the broker is fenced at once, as on a session expiry.
 *
 * <p>Contract: {@link #probe} does not block the caller (the controller thread) and completes
 * within a bounded time, on any thread; a probe that fails in an unexpected way completes with
 * {@link Outcome#NO_ANSWER} (or exceptionally, which counts the same). Thread-safe.
 */
public interface BrokerProber {

    /** What a connection attempt to a broker's endpoint showed. */
    enum Outcome {
        /** The host answered that nothing listens on the port: the broker's process is gone. */
        REFUSED,
        /** A connection was established: a process listens, perhaps paused or slow. */
        ACCEPTED,
        /** No answer in time, an unreachable host or network, an unknown name: nothing is known. */
        NO_ANSWER
    }

    /** Tries to connect to {@code host:port}, closes any connection made, and completes with what it saw. */
    CompletableFuture<Outcome> probe(String host, int port);
}
