package io.strand.server.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.strand.common.config.BrokerConfig;
import io.strand.common.config.HttpListenerAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The node's HTTP/1.1 listener ({@value BrokerConfig#STRAND_HTTP_LISTENER}): one Netty event loop
 * thread ({@code strand-http}) accepts and serves every connection; the pipeline per connection is
 * Netty's HTTP codec (request line at most {@value #MAX_INITIAL_LINE_BYTES} bytes, headers
 * {@value #MAX_HEADER_BYTES}), keep-alive handling, an aggregator of bodies up to
 * {@value #MAX_CONTENT_BYTES} bytes ({@link JsonErrorAggregator}: a larger body gets 413) and the
 * {@link HttpRequestHandler} that admits each request through the listener's {@link HttpGate} and routes
 * it. An {@code https} listener puts the node's TLS layer first ({@link TlsLayer}: the broker-wide
 * {@code ssl.*} key store, protocols, cipher suites and {@code ssl.client.auth}), so the handshake
 * precedes any byte of HTTP. A connection idle for {@value #IDLE_SECONDS} s is closed. No framework:
 * routes are an {@link HttpRouter}'s.
 *
 * <p>Thread-safe: {@link #start} once, {@link #close} from any thread, idempotent.
 */
public final class HttpListener implements AutoCloseable {

    static final int MAX_INITIAL_LINE_BYTES = 4096;
    static final int MAX_HEADER_BYTES = 8192;
    /**
     * Sized for the REST API's produce (several records of up to Kafka's default 1 MiB batch each, as
     * JSON or base64); the aggregator holds at most one body per connection.
     */
    public static final int MAX_CONTENT_BYTES = 8 * 1024 * 1024;
    static final int IDLE_SECONDS = 120;

    private final EventLoopGroup group;
    private final Channel serverChannel;
    private final HttpGate gate;
    private boolean closed;

    private HttpListener(EventLoopGroup group, Channel serverChannel, HttpGate gate) {
        this.group = group;
        this.serverChannel = serverChannel;
        this.gate = gate;
    }

    /** Binds {@code address} and serves {@code router}'s routes over plain HTTP to every caller. */
    public static HttpListener start(HttpListenerAddress address, HttpRouter router) throws InterruptedException {
        return start(address, null, router, HttpGate.OPEN);
    }

    /**
     * Binds {@code address} and serves {@code router}'s routes to the callers {@code gate} admits; the
     * listener closes the gate when it closes (or fails to start).
     *
     * @param tls the TLS layer of an https listener; null for plain HTTP
     * @throws IllegalArgumentException when {@code tls} is missing for an https address or given for an http one
     * @throws UncheckedIOException naming the property and address when the port cannot be bound
     */
    public static HttpListener start(HttpListenerAddress address, TlsLayer tls, HttpRouter router, HttpGate gate)
            throws InterruptedException {
        if (address.tls() != (tls != null)) {
            gate.close();
            throw new IllegalArgumentException("the listener " + address + (address.tls() ? " needs" : " takes no")
                    + " TLS layer");
        }
        EventLoopGroup group = new NioEventLoopGroup(1, new DefaultThreadFactory("strand-http", true));
        InetSocketAddress bindAddress = address.host().isEmpty() ? new InetSocketAddress(address.port())
                : new InetSocketAddress(address.host(), address.port());
        try {
            Channel channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            if (tls != null) {
                                ch.pipeline().addLast(tls.newHandler(ch.alloc(), ch.remoteAddress()));
                            }
                            ch.pipeline()
                                    .addLast(new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS))
                                    .addLast(new HttpServerCodec(MAX_INITIAL_LINE_BYTES, MAX_HEADER_BYTES, 8192))
                                    .addLast(new HttpServerKeepAliveHandler())
                                    .addLast(new JsonErrorAggregator(MAX_CONTENT_BYTES))
                                    .addLast(new HttpRequestHandler(router, gate));
                        }
                    })
                    .bind(bindAddress).sync().channel();
            return new HttpListener(group, channel, gate);
        } catch (InterruptedException e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            gate.close();
            throw e;
        } catch (Exception e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).awaitUninterruptibly();
            gate.close();
            throw new UncheckedIOException("Cannot bind " + BrokerConfig.STRAND_HTTP_LISTENER + ": address="
                    + bindAddress + " cause=" + e.getMessage() + " (choose another port with "
                    + BrokerConfig.STRAND_HTTP_LISTENER + "=http://host:port, or leave it empty to turn HTTP off)",
                    e instanceof IOException io ? io : new IOException(e));
        }
    }

    /** The bound address (the real port when 0 was asked for). */
    public InetSocketAddress address() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Stops accepting, closes every connection and stops the event loop thread. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        serverChannel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        gate.close();
    }
}
