package io.strand.broker.network;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.strand.broker.network.tls.ClientTls;
import io.strand.broker.network.tls.ServerTls;
import io.strand.metadata.quorum.QuorumTunnel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metadata quorum's SASL controller listener (SASL_PLAINTEXT, or SASL_SSL with TLS first) as a
 * tunnel in front of Apache Ratis, which has no SASL of its own ({@link QuorumTunnel} for the contract).
 *
 * <p>A voter's listener ({@link #serve}) authenticates each connection with the listener's own
 * {@link SaslAuthenticator} and {@link SaslMechanisms} (as on a SASL client listener), then joins it to the
 * Raft server on loopback ({@link TunnelAcceptor}). Every node's way to a voter ({@link #endpointFor}) is a
 * loopback port of its own per voter; each connection Ratis opens there dials the voter's listener,
 * authenticates with this node's credentials ({@code sasl.mechanism.controller.protocol} and the
 * username/password of the listener's JAAS line for it) and is then joined ({@link TunnelDialer}). A
 * refusal closes the connection; it is logged at WARN when a voter's reason changes (Ratis retries often),
 * else at DEBUG.
 *
 * <p>Why a tunnel: Ratis' transports offer no hook for an authentication exchange on the client side
 * (its gRPC channels are built inside Ratis with no interceptor or proxy setting, its netty client dials
 * the address directly), so the exchange happens on the TCP connection before Ratis' bytes, as Kafka's
 * own SASL does, using the same code as the client listeners. Bytes pass unchanged; each direction reads
 * again only once its last write is flushed. Limits: the loopback ports (the Raft server's and the
 * endpoints') are not authenticated, so processes on the same host are trusted; a session is not
 * re-authenticated in place: with {@code connections.max.reauth.ms} the listener closes the connection when
 * it ends and Ratis' next connection authenticates anew.
 *
 * <p>Thread-safe; one event loop group of its own ({@code strand-quorum-tunnel}, two threads) runs every
 * connection. {@link #close} stops the endpoints and listeners, closes every connection and the listener's
 * mechanisms.
 */
public final class SaslQuorumTunnel implements QuorumTunnel {

    private static final Logger LOG = LoggerFactory.getLogger(SaslQuorumTunnel.class);
    /** A connection must have authenticated (and, dialing, connected) within this long, or it is closed. */
    static final long AUTHENTICATION_TIMEOUT_MS = 10_000;
    private static final String LOOPBACK = "127.0.0.1";
    /** Answers to this node's SASL requests are small: a SCRAM challenge or an error message. */
    private static final int MAX_ANSWER_BYTES = 64 * 1024;

    /**
     * A voter's side: the controller listener's security and mechanisms (closed with the tunnel).
     */
    public record Server(ListenerSecurity security, SaslMechanisms mechanisms) {
        public Server {
            Objects.requireNonNull(security, "security");
            Objects.requireNonNull(mechanisms, "mechanisms");
        }
    }

    private final String listenerName;
    private final Server server;
    private final SaslLogin client;
    private final ClientTls clientTls;
    private final String clientId;
    private final EventLoopGroup group;
    private final ChannelGroup channels = new DefaultChannelGroup("strand-quorum-tunnel", GlobalEventExecutor.INSTANCE);
    private final Map<InetSocketAddress, InetSocketAddress> endpoints = new ConcurrentHashMap<>();
    /** The last refusal logged at WARN per voter, so a repeated one goes to DEBUG. */
    private final Map<InetSocketAddress, String> lastRefusal = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * @param listenerName the controller listener, for logs
     * @param server       how this node's listener authenticates others; null on a node that is no voter
     * @param client       how this node authenticates to the voters
     * @param clientTls    TLS to the voters (SASL_SSL); null for SASL_PLAINTEXT
     * @param clientId     the client id of this node's SaslHandshake and SaslAuthenticate requests
     */
    public SaslQuorumTunnel(String listenerName, Server server, SaslLogin client, ClientTls clientTls,
                            String clientId) {
        this.listenerName = Objects.requireNonNull(listenerName, "listenerName");
        this.server = server;
        this.client = Objects.requireNonNull(client, "client");
        this.clientTls = clientTls;
        this.clientId = Objects.requireNonNull(clientId, "clientId");
        this.group = new NioEventLoopGroup(2, new DefaultThreadFactory("strand-quorum-tunnel", true));
    }

    @Override
    public InetSocketAddress endpointFor(InetSocketAddress voter) {
        InetSocketAddress key = InetSocketAddress.createUnresolved(voter.getHostString(), voter.getPort());
        return endpoints.computeIfAbsent(key, this::bindEndpoint);
    }

    private InetSocketAddress bindEndpoint(InetSocketAddress voter) {
        checkOpen();
        ServerBootstrap bootstrap = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel local) {
                        channels.add(local);
                        OrderlyClose.mark(local);
                        dial(local, voter);
                    }
                });
        Channel bound = bind(bootstrap, new InetSocketAddress(LOOPBACK, 0), "tunnel endpoint for voter " + voter);
        return (InetSocketAddress) bound.localAddress();
    }

    /** Connects {@code local} (a connection Ratis opened to the endpoint) to {@code voter} through SASL. */
    private void dial(Channel local, InetSocketAddress voter) {
        String host = voter.getHostString();
        new Bootstrap().group(local.eventLoop()).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) AUTHENTICATION_TIMEOUT_MS)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel remote) {
                        channels.add(remote);
                        if (clientTls != null) {
                            remote.pipeline().addLast("tls", clientTls.newHandler(host, voter.getPort()));
                        }
                        remote.pipeline().addLast(TunnelDialer.DECODER, TunnelAcceptor.newDecoder(MAX_ANSWER_BYTES));
                        remote.pipeline().addLast("sasl", new TunnelDialer(local, voter, client, clientId,
                                reason -> onRefused(voter, reason)));
                    }
                })
                .connect(new InetSocketAddress(host, voter.getPort()))
                .addListener((ChannelFutureListener) connected -> {
                    if (!connected.isSuccess()) {
                        LOG.debug("Cannot connect to voter {}: {}", voter, String.valueOf(connected.cause()));
                        OrderlyClose.close(local);
                        return;
                    }
                    Channel remote = connected.channel();
                    local.closeFuture().addListener(closedLocal -> remote.close());
                    // Neither side may wait for ever for the other to finish authenticating.
                    remote.eventLoop().schedule(() -> {
                        if (remote.pipeline().get(TunnelDialer.class) != null) {
                            onRefused(voter, "controller listener " + voter + " did not complete authentication within "
                                    + AUTHENTICATION_TIMEOUT_MS + " ms");
                            remote.close();
                            OrderlyClose.close(local);
                        }
                    }, AUTHENTICATION_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                });
    }

    private void onRefused(InetSocketAddress voter, String reason) {
        if (!reason.equals(lastRefusal.put(voter, reason))) {
            LOG.warn("Metadata quorum connection refused: {}; the connection is closed and retried", reason);
        } else {
            LOG.debug("Metadata quorum connection refused again: {}", reason);
        }
    }

    @Override
    public QuorumTunnel.Listener serve(InetSocketAddress listen, InetSocketAddress raftServer) {
        checkOpen();
        if (server == null) {
            throw new IllegalStateException("This node's tunnel has no listener side (it is no voter)");
        }
        int maxFrameBytes = server.mechanisms().maxReceiveBytes();
        ServerTls tls = server.security().tls();
        ServerBootstrap bootstrap = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        channels.add(ch);
                        if (tls != null) {
                            ch.pipeline().addLast("tls", tls.newHandler(ch.alloc(), ch.remoteAddress()));
                        }
                        ch.pipeline().addLast(TunnelAcceptor.DECODER, TunnelAcceptor.newDecoder(maxFrameBytes));
                        ch.pipeline().addLast("sasl", new TunnelAcceptor(server.security(), server.mechanisms(),
                                ch.remoteAddress().getAddress(), raftServer));
                    }
                });
        Channel bound = bind(bootstrap, listen, "controller listener " + listenerName);
        InetSocketAddress address = (InetSocketAddress) bound.localAddress();
        LOG.info("Controller listener {} authenticates with SASL {} in front of the Raft server at {}: address={}",
                listenerName, server.mechanisms().enabled(), raftServer, address);
        return new QuorumTunnel.Listener() {
            @Override
            public InetSocketAddress address() {
                return address;
            }

            @Override
            public void close() {
                if (!closed) {
                    bound.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
                }
            }
        };
    }

    private Channel bind(ServerBootstrap bootstrap, InetSocketAddress address, String what) {
        try {
            Channel bound = bootstrap.bind(address).sync().channel();
            channels.add(bound);
            return bound;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("Interrupted binding " + what + " at " + address));
        } catch (Exception e) {
            throw new UncheckedIOException(new IOException("Cannot bind " + what + ": address=" + address
                    + " cause=" + e.getMessage(), e));
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("The quorum tunnel is closed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        if (server != null) {
            server.mechanisms().close();
        }
    }

    @Override
    public String toString() {
        return "sasl " + client.mechanism() + (clientTls != null ? " over tls" : "") + " on " + listenerName;
    }
}
