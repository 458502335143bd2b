package io.strand.broker.fetcher;

import io.netty.handler.ssl.SslHandler;

/**
 * How a {@link BrokerConnection} to an SSL inter-broker listener secures its socket: a TLS handler made
 * for the broker it connects to, which goes first in the pipeline (requests written before the
 * handshake completes wait in it). A connection without one is plaintext. Implementations are
 * thread-safe.
 */
@FunctionalInterface
public interface ConnectionTls {

    /** A new handler for a connection to {@code host}:{@code port} (the host as the broker advertises it). */
    SslHandler newHandler(String host, int port);
}
