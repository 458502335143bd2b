package io.strand.broker.network;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts Kafka client connections on one listener and runs them on Netty event loops (epoll where
 * the platform has it). Each connection gets a {@link FrameDecoder} and a {@link ConnectionHandler},
 * behind a TLS handler and a {@link FileRegionReader} on an SSL listener;
 * handlers that may block run on the request pool the server is given (shared by every listener of
 * the node), the others on the event loops.
 *
 * <p>Thread-safe: {@link #start()} and {@link #close()} from any thread, once each.
 */
public final class SocketServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SocketServer.class);

    private final String listenerName;
    private final ListenerSecurity security;
    /** The listener's SASL mechanisms; null unless it is a SASL listener. */
    private final SaslMechanisms sasl;
    private final Executor requestPool;
    private final InetSocketAddress bindAddress;
    private final int maxRequestBytes;
    private final ApiRegistry registry;
    private final SocketBuffers buffers;
    private final ConnectionBounds bounds;
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final Class<? extends ServerSocketChannel> channelClass;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private volatile Channel serverChannel;

    /** A PLAINTEXT listener's server. */
    public SocketServer(ListenerSecurity security, InetSocketAddress bindAddress,
                        int maxRequestBytes, ApiRegistry registry, int eventLoops, Executor requestPool,
                        SocketBuffers buffers, ConnectionBounds bounds) {
        this(security, null, bindAddress, maxRequestBytes, registry, eventLoops, requestPool, buffers, bounds);
    }

    /**
     * @param security         the listener's protocol, configuration, TLS layer and principal builder;
     *                         PLAINTEXT, SSL, SASL_PLAINTEXT and SASL_SSL are served
     * @param sasl             a SASL listener's mechanisms; null for PLAINTEXT and SSL
     * @param eventLoops       network threads; 0 for one per core
     * @param requestPool      where handlers that may block run (a {@link RequestHandlerPool})
     * @param buffers          the kernel buffer sizes of accepted connections
     * @param bounds           the node's connection limits, request memory and idle limit, shared by
     *                         its listeners
     */
    public SocketServer(ListenerSecurity security, SaslMechanisms sasl, InetSocketAddress bindAddress,
                        int maxRequestBytes, ApiRegistry registry, int eventLoops, Executor requestPool,
                        SocketBuffers buffers, ConnectionBounds bounds) {
        SecurityProtocol protocol = security.securityProtocol();
        boolean saslProtocol = protocol == SecurityProtocol.SASL_PLAINTEXT || protocol == SecurityProtocol.SASL_SSL;
        boolean tlsProtocol = protocol == SecurityProtocol.SSL || protocol == SecurityProtocol.SASL_SSL;
        if (protocol != SecurityProtocol.PLAINTEXT && !saslProtocol && !tlsProtocol) {
            throw new IllegalArgumentException("listener " + security.listenerName() + ": " + protocol
                    + " is not served");
        }
        if (saslProtocol != (sasl != null)) {
            throw new IllegalArgumentException("listener " + security.listenerName() + ": " + protocol
                    + (sasl == null ? " needs its SASL mechanisms" : " has no SASL mechanisms"));
        }
        if (tlsProtocol != (security.tls() != null)) {
            throw new IllegalArgumentException("listener " + security.listenerName() + ": " + protocol
                    + (tlsProtocol ? " needs its TLS layer" : " has a TLS layer"));
        }
        this.listenerName = security.listenerName();
        this.security = security;
        this.sasl = sasl;
        this.requestPool = requestPool;
        this.bindAddress = bindAddress;
        this.maxRequestBytes = maxRequestBytes;
        this.registry = registry;
        this.buffers = buffers;
        this.bounds = bounds;
        int loops = eventLoops > 0 ? eventLoops : Runtime.getRuntime().availableProcessors();
        if (Epoll.isAvailable()) {
            bossGroup = new EpollEventLoopGroup(1, new DefaultThreadFactory("strand-accept", true));
            workerGroup = new EpollEventLoopGroup(loops, new DefaultThreadFactory("strand-network", true));
            channelClass = EpollServerSocketChannel.class;
        } else {
            bossGroup = new NioEventLoopGroup(1, new DefaultThreadFactory("strand-accept", true));
            workerGroup = new NioEventLoopGroup(loops, new DefaultThreadFactory("strand-network", true));
            channelClass = NioServerSocketChannel.class;
        }
    }

    /** Binds the listener; returns the bound address (the real port when 0 was asked for). */
    public InetSocketAddress start() throws InterruptedException {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(channelClass)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true);
        if (buffers.sendBytes() > 0) {
            bootstrap.childOption(ChannelOption.SO_SNDBUF, buffers.sendBytes());
        }
        if (buffers.receiveBytes() > 0) {
            // Set on the listening socket too: a window above 64 KiB is only negotiated if the buffer
            // is in place before the handshake, which the accepted socket inherits.
            bootstrap.option(ChannelOption.SO_RCVBUF, buffers.receiveBytes())
                    .childOption(ChannelOption.SO_RCVBUF, buffers.receiveBytes());
        }
        bootstrap.childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ConnectionActivity activity = new ConnectionActivity(bounds.maxIdleMs());
                        ConnectionLimits.Admission admission = bounds.limits().admit(listenerName,
                                ch.remoteAddress().getAddress(), ch, activity);
                        pauseAcceptingIfLimited();
                        switch (admission.kind()) {
                            case ADMITTED -> {
                            }
                            case THROTTLED -> {
                                // Kafka holds such a connection, unread, for the throttle time before
                                // closing it, so that a client reconnecting at once is slowed down too.
                                LOG.info("Closing connection from {} on listener {} in {} ms: its address makes"
                                                + " connections faster than its connection_creation_rate quota",
                                        ch.remoteAddress(), listenerName,
                                        TimeUnit.NANOSECONDS.toMillis(admission.closeDelayNs()));
                                ch.config().setAutoRead(false);
                                ch.eventLoop().schedule(() -> ch.close(), admission.closeDelayNs(),
                                        TimeUnit.NANOSECONDS);
                                return;
                            }
                            case TOO_MANY_FROM_ADDRESS, TOO_MANY -> {
                                LOG.info("Closing connection from {} on listener {}: {}", ch.remoteAddress(),
                                        listenerName, admission.kind() == ConnectionLimits.Kind.TOO_MANY_FROM_ADDRESS
                                                ? "too many connections from its address (max.connections.per.ip)"
                                                : "too many connections (max.connections)");
                                ch.close();
                                return;
                            }
                        }
                        ch.closeFuture().addListener(f -> bounds.limits().release(ch));
                        connections.add(ch);
                        ch.pipeline().addLast("activity", activity);
                        if (security.tls() != null) {
                            // TLS first, nearest the socket; record data from segment files is read into
                            // buffers for it (no sendfile through an encryption).
                            FileRegionReader.addWithTls(ch.pipeline(),
                                    security.tls().newHandler(ch.alloc(), ch.remoteAddress()));
                        }
                        ch.pipeline()
                                .addLast("frames", sasl == null ? new FrameDecoder(maxRequestBytes, bounds.memory())
                                        : new FrameDecoder(sasl.maxReceiveBytes(), "sasl.server.max.receive.size",
                                                bounds.memory()))
                                .addLast("requests", new ConnectionHandler(registry, security, sasl, maxRequestBytes,
                                        requestPool, bounds.memory()));
                    }
                });
        serverChannel = bootstrap.bind(bindAddress).sync().channel();
        InetSocketAddress bound = (InetSocketAddress) serverChannel.localAddress();
        LOG.debug("Listener {} bound to {}", listenerName, bound);
        return bound;
    }

    /**
     * Stops accepting while the connection limits say so ({@link ConnectionLimits#acceptPauseNs}), and
     * resumes when a connection closes or the creation rate allows another. Any thread.
     */
    private void pauseAcceptingIfLimited() {
        Channel server = serverChannel;
        if (server == null || !server.isOpen()) {
            return;
        }
        long pauseNs = bounds.limits().acceptPauseNs(listenerName);
        if (pauseNs == 0) {
            if (!server.config().isAutoRead()) {
                server.config().setAutoRead(true);
            }
            return;
        }
        server.config().setAutoRead(false);
        if (pauseNs == ConnectionLimits.UNTIL_A_CONNECTION_CLOSES) {
            bounds.limits().whenConnectionCloses(this::pauseAcceptingIfLimited);
        } else {
            server.eventLoop().schedule(this::pauseAcceptingIfLimited, pauseNs, TimeUnit.NANOSECONDS);
        }
    }

    /** Connections open now (admitted and not yet closed). */
    public int connectionCount() {
        return connections.size();
    }

    /** The open connections' kernel buffer sizes as the sockets report them (SO_SNDBUF, SO_RCVBUF); for tests. */
    java.util.List<SocketBuffers> connectionBuffers() {
        java.util.List<SocketBuffers> sizes = new java.util.ArrayList<>();
        for (Channel connection : connections) {
            sizes.add(new SocketBuffers(connection.config().getOption(ChannelOption.SO_SNDBUF),
                    connection.config().getOption(ChannelOption.SO_RCVBUF)));
        }
        return sizes;
    }

    /** Stops accepting, closes every connection and stops the event loops. */
    @Override
    public void close() {
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        connections.close().awaitUninterruptibly();
        bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
