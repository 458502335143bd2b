package io.strand.server.http;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;

/**
 * The TLS layer of an https listener: a new {@link SslHandler} for each accepted connection, to go
 * first in its pipeline. The node's is built from its {@code ssl.*} settings by
 * {@code io.strand.server.security.HttpSecurity}. Thread-safe: called on the listener's event loop.
 */
@FunctionalInterface
public interface TlsLayer {

    /** A handler for a connection accepted from {@code peer}. */
    SslHandler newHandler(ByteBufAllocator alloc, InetSocketAddress peer);
}
