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
    private final Executor requestPool;
    private final InetSocketAddress bindAddress;
    private final int maxRequestBytes;
    private final ApiRegistry registry;
    private final SocketBuffers buffers;
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final Class<? extends ServerSocketChannel> channelClass;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private Channel serverChannel;

    /**
     * @param security         the listener's protocol, configuration, TLS layer and principal builder;
     *                         PLAINTEXT and SSL are served
     * @param eventLoops       network threads; 0 for one per core
     * @param requestPool      where handlers that may block run (a {@link RequestHandlerPool})
     * @param buffers          the kernel buffer sizes of accepted connections
     */
    public SocketServer(ListenerSecurity security, InetSocketAddress bindAddress,
                        int maxRequestBytes, ApiRegistry registry, int eventLoops, Executor requestPool,
                        SocketBuffers buffers) {
        if (security.securityProtocol() != SecurityProtocol.PLAINTEXT
                && security.securityProtocol() != SecurityProtocol.SSL) {
            throw new IllegalArgumentException("listener " + security.listenerName() + ": "
                    + security.securityProtocol() + " is not served yet");
        }
        this.listenerName = security.listenerName();
        this.security = security;
        this.requestPool = requestPool;
        this.bindAddress = bindAddress;
        this.maxRequestBytes = maxRequestBytes;
        this.registry = registry;
        this.buffers = buffers;
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
                        connections.add(ch);
                        if (security.tls() != null) {
                            // TLS first, nearest the socket; record data from segment files is read into
                            // buffers for it (no sendfile through an encryption).
                            ch.pipeline()
                                    .addLast("tls", security.tls().newHandler(ch.alloc(), ch.remoteAddress()))
                                    .addLast("file-reads", new FileRegionReader());
                        }
                        ch.pipeline()
                                .addLast("frames", new FrameDecoder(maxRequestBytes))
                                .addLast("requests", new ConnectionHandler(registry, security, requestPool));
                    }
                });
        serverChannel = bootstrap.bind(bindAddress).sync().channel();
        InetSocketAddress bound = (InetSocketAddress) serverChannel.localAddress();
        LOG.debug("Listener {} bound to {}", listenerName, bound);
        return bound;
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
