package io.strand.broker.txn;

import io.netty.channel.EventLoopGroup;
import io.strand.broker.fetcher.BrokerConnection;
import io.strand.broker.fetcher.ConnectionTls;
import io.strand.broker.fetcher.SaslClientSettings;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.apache.kafka.common.errors.DisconnectException;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * One {@link BrokerConnection} per destination broker, opened on first use, on event loops of its own.
 * A connection carries one request at a time, so requests to the same broker are queued here and go
 * out one after the other in call order; requests to different brokers go in parallel.
 *
 * <p>Thread-safe (one monitor, held only to queue). {@link #close} fails what is queued or in flight
 * with {@link DisconnectException}, closes every socket and ends the event loop threads.
 */
public final class BrokerConnections implements BrokerRequestSender, AutoCloseable {

    private final IntFunction<Optional<InetSocketAddress>> address;
    private final String clientId;
    private final long reconnectBackoffMs;
    private final int requestTimeoutMs;
    /** Null for plaintext connections. */
    private final ConnectionTls tls;
    private final EventLoopGroup group;
    private final SaslClientSettings sasl;
    private final Map<Integer, BrokerConnection> connections = new HashMap<>();
    /** Per broker, the future of the last request queued: the next one goes once it has completed. */
    private final Map<Integer, CompletableFuture<ApiMessage>> tails = new HashMap<>();
    private boolean closed;

    /**
     * @param threadName names the event loop thread
     * @param address    a broker's inter-broker endpoint, looked up on every connection attempt
     */
    public BrokerConnections(String threadName, IntFunction<Optional<InetSocketAddress>> address, String clientId,
                             long reconnectBackoffMs, int requestTimeoutMs) {
        this(threadName, address, clientId, reconnectBackoffMs, requestTimeoutMs, null, null);
    }

    /**
     * @param tls  the TLS layer of an SSL or SASL_SSL inter-broker listener; null for PLAINTEXT and SASL_PLAINTEXT
     * @param sasl how to authenticate to a SASL inter-broker listener; null for PLAINTEXT and SSL
     */
    public BrokerConnections(String threadName, IntFunction<Optional<InetSocketAddress>> address, String clientId,
                             long reconnectBackoffMs, int requestTimeoutMs, ConnectionTls tls, SaslClientSettings sasl) {
        this.tls = tls;
        this.sasl = sasl;
        this.address = address;
        this.clientId = clientId;
        this.reconnectBackoffMs = reconnectBackoffMs;
        this.requestTimeoutMs = requestTimeoutMs;
        this.group = BrokerConnection.newEventLoopGroup(threadName, 1);
    }

    @Override
    public CompletableFuture<ApiMessage> send(int brokerId, ApiKeys api, short minVersion,
                                              Function<Short, ApiMessage> request) {
        return send(brokerId, api, minVersion, api.latestVersion(), request);
    }

    /** As {@link #send(int, ApiKeys, short, Function)}, at most at {@code maxVersion}. */
    public synchronized CompletableFuture<ApiMessage> send(int brokerId, ApiKeys api, short minVersion,
                                                           short maxVersion, Function<Short, ApiMessage> request) {
        if (closed) {
            return CompletableFuture.failedFuture(new DisconnectException("connections to brokers are closed"));
        }
        BrokerConnection connection = connections.computeIfAbsent(brokerId, id -> new BrokerConnection(id,
                () -> address.apply(id), clientId, group, reconnectBackoffMs, requestTimeoutMs, tls, sasl));
        CompletableFuture<ApiMessage> previous = tails.getOrDefault(brokerId, CompletableFuture.completedFuture(null));
        CompletableFuture<ApiMessage> next = previous.handle((ignored, failure) -> null)
                .thenCompose(ignored -> connection.send(api, minVersion, maxVersion, request));
        tails.put(brokerId, next);
        return next;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            connections.values().forEach(BrokerConnection::close);
            connections.clear();
            tails.clear();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
