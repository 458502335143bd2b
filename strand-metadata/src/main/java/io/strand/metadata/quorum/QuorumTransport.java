package io.strand.metadata.quorum;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.client.RaftClientRpc;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcFactory;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.netty.NettyConfigKeys;
import org.apache.ratis.netty.client.NettyClientRpc;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.thirdparty.io.netty.handler.ssl.SslProvider;
import org.apache.ratis.util.TimeDuration;

/**
 * How the metadata quorum's traffic travels: the one place that chooses Ratis' transport, for the
 * voters' Raft servers ({@link MetadataQuorum}) and for every client connection to them
 * ({@link LeaderRequestClient}, so brokers' controller channels and observers, and
 * {@link LeaderReadIndex}). Every node of a cluster must use the same transport: Ratis' netty and
 * gRPC transports do not speak to each other.
 *
 * <ul>
 *   <li>{@link #plaintext()}: Ratis' netty transport, in the clear (a PLAINTEXT controller listener);</li>
 *   <li>{@link #tls}: Ratis' gRPC transport with TLS (an SSL controller listener). The server presents the
 *       key manager's certificate and the clients check it with the trust manager; with {@code mutualTls}
 *       every connection, a voter's to another voter included, must present a certificate the other side
 *       trusts (the key manager's), or its handshake fails. The client checks that the certificate names
 *       the host it connects to (the voter's host in {@code controller.quorum.voters}) unless
 *       {@code checkHostName} is false. The JDK's TLS engine is used.</li>
 *   <li>{@link #tunnelled}: Ratis' netty transport through a {@link QuorumTunnel} (a SASL_PLAINTEXT or
 *       SASL_SSL controller listener): the Raft server binds a loopback port only and the tunnel's listener
 *       takes the voter's address ({@link #serve}); every connection to a voter, a voter's to another
 *       voter included ({@link TunnelledNettyRpc}), goes to the tunnel's local endpoint for it, which
 *       authenticates on the voter's listener before joining the two. The group's addresses (in the Raft
 *       log) stay the voters' real ones.</li>
 * </ul>
 *
 * <p>Client connections ({@link Client}) send each request on its own: with netty, Ratis'
 * {@code sendRequestAsync}, whose connection answers in order; with gRPC, the unordered stream (the
 * ordered one expects Ratis' own sliding-window sequence numbers, which these raw requests lack), whose
 * client side also fails a request left unanswered longer than {@link RaftClientConfigKeys.Rpc}'s request
 * timeout, so that timeout is set to the longest wait the caller names. Over gRPC each client has a
 * thread that closes the connections it drops ({@link Client}); a connection dropped is reopened at the
 * next send instead of after gRPC's reconnect backoff.
 *
 * <p>Immutable and thread-safe; the key and trust managers given must be too (the JDK's are), as must
 * the tunnel. {@link #close} closes the tunnel: whoever made the transport closes it after the quorum
 * and its clients.
 */
public final class QuorumTransport implements AutoCloseable {

    private static final QuorumTransport PLAINTEXT = new QuorumTransport(null, false, false, null);
    /** The Raft server of a tunnelled voter listens here only; the tunnel's listener takes the voter's address. */
    private static final String LOOPBACK = "127.0.0.1";

    /** Null for the netty transport. */
    private final GrpcTlsConfig tls;
    private final boolean mutualTls;
    private final boolean serverCapable;
    /** Null unless connections go through an authenticating tunnel (netty transport then). */
    private final QuorumTunnel tunnel;

    private QuorumTransport(GrpcTlsConfig tls, boolean mutualTls, boolean serverCapable, QuorumTunnel tunnel) {
        this.tls = tls;
        this.mutualTls = mutualTls;
        this.serverCapable = serverCapable;
        this.tunnel = tunnel;
    }

    /**
     * Ratis' netty transport through {@code tunnel}, which authenticates every connection (SASL on the
     * controller listener). Closing the transport closes the tunnel.
     */
    public static QuorumTransport tunnelled(QuorumTunnel tunnel) {
        return new QuorumTransport(null, false, true, Objects.requireNonNull(tunnel, "tunnel"));
    }

    /** Ratis' netty transport, in the clear. */
    public static QuorumTransport plaintext() {
        return PLAINTEXT;
    }

    /**
     * Ratis' gRPC transport over TLS.
     *
     * @param keyManager    this node's certificate and key; null only on a node that runs no Raft server
     *                      and connects without a certificate ({@code mutualTls} false)
     * @param trustManager  checks the other side's certificate
     * @param mutualTls     every connection presents a certificate, which the server checks
     * @param checkHostName a client checks that the server's certificate names the host it connects to
     * @param protocols     TLS versions to enable; empty for the engine's defaults
     * @param cipherSuites  cipher suites to enable; empty for the engine's defaults
     */
    public static QuorumTransport tls(KeyManager keyManager, TrustManager trustManager, boolean mutualTls,
                                      boolean checkHostName, List<String> protocols, List<String> cipherSuites) {
        Objects.requireNonNull(trustManager, "trustManager");
        if (mutualTls && keyManager == null) {
            throw new IllegalArgumentException("Mutual TLS needs a key manager to present a certificate");
        }
        TrustManager trust = checkHostName ? trustManager : withoutHostNameCheck(trustManager);
        GrpcTlsConfig.Builder builder = GrpcTlsConfig.newBuilder()
                .setName("strand-metadata-quorum")
                .setTrustManager(trust)
                .setMutualTls(mutualTls)
                // Netty's OpenSSL engine is Ratis' default for servers; the shaded netty has no native library.
                .setSslProvider(SslProvider.JDK);
        if (keyManager != null) {
            builder.setKeyManager(keyManager);
        }
        if (!protocols.isEmpty()) {
            builder.setProtocols(List.copyOf(protocols));
        }
        if (!cipherSuites.isEmpty()) {
            builder.setCipherSuites(List.copyOf(cipherSuites));
        }
        return new QuorumTransport(builder.build(), mutualTls, keyManager != null, null);
    }

    /** True for the TLS (gRPC) transport. */
    public boolean isTls() {
        return tls != null;
    }

    /** True when every connection presents a certificate the other side checks. */
    public boolean isMutualTls() {
        return mutualTls;
    }

    /** True when connections go through an authenticating {@link QuorumTunnel}. */
    public boolean isTunnelled() {
        return tunnel != null;
    }

    /** For logs: {@code plaintext (netty)}, {@code tls (grpc), mutual=<b>} or {@code tunnelled (netty), <tunnel>}. */
    @Override
    public String toString() {
        if (tunnel != null) {
            return "tunnelled (netty), " + tunnel;
        }
        return tls == null ? "plaintext (netty)" : "tls (grpc), mutual=" + mutualTls;
    }

    /** Closes the tunnel, if any; the other transports hold nothing. */
    @Override
    public void close() {
        if (tunnel != null) {
            tunnel.close();
        }
    }

    /**
     * Sets the transport and the address a Raft server binds in {@code properties}; a tunnelled server
     * binds an ephemeral loopback port (the tunnel's listener then takes {@code bindAddress}, {@link #serve}).
     */
    void configureServer(RaftProperties properties, InetSocketAddress bindAddress) {
        if (tunnel != null) {
            RaftConfigKeys.Rpc.setType(properties, new TunnelledNettyRpc());
            NettyConfigKeys.Server.setHost(properties, LOOPBACK);
            NettyConfigKeys.Server.setPort(properties, 0);
            return;
        }
        if (tls == null) {
            RaftConfigKeys.Rpc.setType(properties, SupportedRpcType.NETTY);
            NettyConfigKeys.Server.setHost(properties, bindAddress.getHostString());
            NettyConfigKeys.Server.setPort(properties, bindAddress.getPort());
            return;
        }
        if (!serverCapable) {
            throw new IllegalStateException("A Raft server over TLS needs a key manager (a key store)");
        }
        RaftConfigKeys.Rpc.setType(properties, SupportedRpcType.GRPC);
        // One port for Raft, client and admin traffic: the client and admin ports default to the server's.
        GrpcConfigKeys.Server.setHost(properties, bindAddress.getHostString());
        GrpcConfigKeys.Server.setPort(properties, bindAddress.getPort());
    }

    /** What a Raft server's builder takes besides its properties: the TLS settings of the gRPC transport. */
    Parameters serverParameters() {
        Parameters parameters = new Parameters();
        if (tls != null) {
            GrpcConfigKeys.TLS.setConf(parameters, tls);
        }
        if (tunnel != null) {
            parameters.put(TunnelledNettyRpc.TUNNEL_PARAMETER, tunnel, QuorumTunnel.class);
        }
        return parameters;
    }

    /**
     * A tunnelled voter's controller listener: accepts on {@code voterAddress} and joins the connections
     * that authenticate to the Raft server at {@code raftServer}. Null for the other transports, whose Raft
     * server binds the voter's address itself.
     */
    QuorumTunnel.Listener serve(InetSocketAddress voterAddress, InetSocketAddress raftServer) {
        return tunnel == null ? null : tunnel.serve(voterAddress, raftServer);
    }

    /**
     * A client connection set to the voters.
     *
     * @param properties    the netty transport's client settings (the gRPC one sets its own)
     * @param longestWaitMs the longest any request sent through it is waited for
     */
    Client newClient(ClientId clientId, RaftProperties properties, long longestWaitMs) {
        if (tls == null) {
            return new Client(new NettyClientRpc(clientId, properties), null, tunnel);
        }
        RaftProperties grpc = new RaftProperties();
        RaftConfigKeys.Rpc.setType(grpc, SupportedRpcType.GRPC);
        RaftClientConfigKeys.Rpc.setRequestTimeout(grpc, TimeDuration.valueOf(longestWaitMs, TimeUnit.MILLISECONDS));
        ExecutorService dropper = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "strand-quorum-drops-" + clientId);
            t.setDaemon(true);
            return t;
        });
        return new Client(new GrpcFactory(serverParameters()).newRaftClientRpc(clientId, grpc), dropper, null);
    }

    /**
     * Connections to the voters, one per voter, made on first use. Thread-safe.
     *
     * <p>Dropping a gRPC connection shuts its channel down gracefully, which waits (up to about five
     * seconds) for the requests still on it, so over gRPC {@link #drop} hands that to a thread of its
     * own ({@code strand-quorum-drops-<clientId>}) and returns at once: a send to that voter meanwhile
     * may still take the old connection and fail on its closing, as a send on any failed connection does.
     */
    static final class Client implements AutoCloseable {
        private final RaftClientRpc rpc;
        /** Null for netty (unordered sends, drops in place); gRPC's drops run here. */
        private final ExecutorService dropper;
        /** Null unless peers are reached through the tunnel's local endpoints. */
        private final QuorumTunnel tunnel;

        private Client(RaftClientRpc rpc, ExecutorService dropper, QuorumTunnel tunnel) {
            this.rpc = rpc;
            this.dropper = dropper;
            this.tunnel = tunnel;
        }

        void addPeers(java.util.Collection<RaftPeer> peers) {
            rpc.addRaftPeers(tunnel == null ? peers
                    : peers.stream().map(p -> TunnelledNettyRpc.throughTunnel(p, tunnel)).toList());
        }

        /** Sends to the request's server; completes with its reply, or fails as the connection fails. */
        CompletableFuture<RaftClientReply> send(RaftClientRequest request) {
            return dropper != null ? rpc.sendRequestAsyncUnordered(request) : rpc.sendRequestAsync(request);
        }

        /** Closes the connection to {@code peer}; the next send to it connects afresh. */
        void drop(RaftPeerId peer, Throwable cause) {
            if (dropper == null) {
                rpc.handleException(peer, cause, true);
                return;
            }
            try {
                dropper.execute(() -> rpc.handleException(peer, cause, true));
            } catch (RejectedExecutionException e) {
                // Closed: close() closes every connection.
            }
        }

        /** Closes every connection; over gRPC this waits for requests still on them (up to seconds). */
        @Override
        public void close() {
            if (dropper != null) {
                dropper.shutdown();
            }
            try {
                rpc.close();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /**
     * A trust manager that checks the chain but not the host name: the JDK engine checks the name
     * through {@link X509ExtendedTrustManager}'s engine-taking methods, so those check the chain alone.
     */
    private static TrustManager withoutHostNameCheck(TrustManager trustManager) {
        if (!(trustManager instanceof X509TrustManager x509)) {
            throw new IllegalArgumentException("Not an X.509 trust manager: " + trustManager);
        }
        return new X509ExtendedTrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                    throws CertificateException {
                x509.checkClientTrusted(chain, authType);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                    throws CertificateException {
                x509.checkServerTrusted(chain, authType);
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                    throws CertificateException {
                x509.checkClientTrusted(chain, authType);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                    throws CertificateException {
                x509.checkServerTrusted(chain, authType);
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                x509.checkClientTrusted(chain, authType);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                x509.checkServerTrusted(chain, authType);
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return x509.getAcceptedIssuers();
            }
        };
    }
}
