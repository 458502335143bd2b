package io.strand.broker.fetcher;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.security.sasl.SaslClient;
import javax.security.sasl.SaslException;
import org.apache.kafka.common.errors.DisconnectException;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka-protocol client connection to one broker, for requests between brokers: requests are
 * kafka-clients' generated {@code *RequestData} sent with a {@link RequestHeader}, answers are parsed
 * with kafka-clients' classes and complete the caller's future with the response data.
 *
 * <p>One request at a time: {@link #send} while another is in flight fails at once. The connection
 * is opened on the first send and after each loss, never sooner than {@code reconnectBackoffMs} after
 * the last failure; each new connection first sends ApiVersions, and every request then goes at the
 * highest version both sides support (failing with {@code UnsupportedVersionException} below the
 * caller's minimum). A request not answered within {@code requestTimeoutMs} (connecting included)
 * fails with {@code TimeoutException} and the connection is closed, so no late answer is taken for a
 * later request. A lost connection fails the request with {@code NetworkException}.
 *
 * <p>SASL: given {@link SaslClientSettings}, each new connection authenticates after ApiVersions
 * (SaslHandshake v1, then SaslAuthenticate until the client is done, which checks a SCRAM server's
 * signature) before any request goes; a refusal fails the request with {@code SaslAuthenticationException}.
 * With a session lifetime, the first request after 85% of it opens a new connection, which authenticates
 * anew (re-authentication by reconnecting).
 *
 * <p>Frames: a 4-byte big-endian size, then the header and body; answers are matched by correlation id.
 *
 * <p>Threads: all state belongs to one Netty event loop; {@link #send} and {@link #close} may be called
 * from any thread and hand their work to it. Futures complete on the loop: callers must not block it.
 */
public final class BrokerConnection implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerConnection.class);
    private static final short API_VERSIONS_VERSION = 3;
    private static final short SASL_HANDSHAKE_VERSION = 1;
    private static final short SASL_AUTHENTICATE_VERSION = 2;

    private final int brokerId;
    private final Supplier<Optional<InetSocketAddress>> address;
    private final String clientId;
    private final EventLoop loop;
    private final Class<? extends SocketChannel> channelClass;
    private final long reconnectBackoffMs;
    private final int requestTimeoutMs;
    /** SASL credentials for the broker's listener; null on PLAINTEXT. */
    private final SaslClientSettings sasl;
    /** Null for a plaintext connection. */
    private final ConnectionTls tls;

    // Owned by the loop.
    /** The broker's versions while this connection authenticates; moved to {@link #versions} once it has. */
    private Map<Short, ApiVersion> authenticatingVersions;
    private SaslClient saslClient;
    /** When this connection's SASL session ends (re-authentication is by reconnecting); MAX_VALUE for never. */
    private long sessionEndNs = Long.MAX_VALUE;
    private Channel channel;
    /** The broker's versions by API key, once ApiVersions answered on {@link #channel}. */
    private Map<Short, ApiVersion> versions;
    private Call inFlight;
    /** The header of the request on the wire, whose answer is the next frame. */
    private RequestHeader awaiting;
    private long nextConnectNs = System.nanoTime();
    private int nextCorrelationId;
    private boolean closed;

    /** One {@link #send}: from its call until its answer, connecting and ApiVersions included. */
    private static final class Call {
        final ApiKeys api;
        final short minVersion;
        final short maxVersion;
        final Function<Short, ApiMessage> request;
        final CompletableFuture<ApiMessage> future;
        ScheduledFuture<?> timeout;

        Call(ApiKeys api, short minVersion, short maxVersion, Function<Short, ApiMessage> request,
             CompletableFuture<ApiMessage> future) {
            this.api = api;
            this.minVersion = minVersion;
            this.maxVersion = maxVersion;
            this.request = request;
            this.future = future;
        }
    }

    /**
     * @param address the broker's inter-broker endpoint, looked up on every connection attempt
     * @param group   from {@link #newEventLoopGroup}; the connection uses one of its loops
     */
    public BrokerConnection(int brokerId, Supplier<Optional<InetSocketAddress>> address, String clientId,
                     EventLoopGroup group, long reconnectBackoffMs, int requestTimeoutMs) {
        this(brokerId, address, clientId, group, reconnectBackoffMs, requestTimeoutMs, null, null);
    }

    /**
     * @param tls  the TLS layer of an SSL or SASL_SSL inter-broker listener; null for PLAINTEXT and SASL_PLAINTEXT
     * @param sasl how to authenticate to a SASL inter-broker listener; null for PLAINTEXT and SSL
     */
    public BrokerConnection(int brokerId, Supplier<Optional<InetSocketAddress>> address, String clientId,
                     EventLoopGroup group, long reconnectBackoffMs, int requestTimeoutMs, ConnectionTls tls,
                     SaslClientSettings sasl) {
        this.tls = tls;
        this.sasl = sasl;
        this.brokerId = brokerId;
        this.address = address;
        this.clientId = clientId;
        this.loop = group.next();
        this.channelClass = group instanceof EpollEventLoopGroup ? EpollSocketChannel.class : NioSocketChannel.class;
        this.reconnectBackoffMs = reconnectBackoffMs;
        this.requestTimeoutMs = requestTimeoutMs;
    }

    /** Event loops for connections: epoll where the platform has it, as the listeners use. */
    public static EventLoopGroup newEventLoopGroup(String threadName, int threads) {
        DefaultThreadFactory factory = new DefaultThreadFactory(threadName, true);
        return Epoll.isAvailable() ? new EpollEventLoopGroup(threads, factory) : new NioEventLoopGroup(threads, factory);
    }

    public int brokerId() {
        return brokerId;
    }

    /**
     * Sends the request {@code request} builds for the version chosen, at least {@code minVersion}.
     * The future completes with the response data of {@code api}.
     */
    public CompletableFuture<ApiMessage> send(ApiKeys api, short minVersion, Function<Short, ApiMessage> request) {
        return send(api, minVersion, api.latestVersion(), request);
    }

    /** As {@link #send(ApiKeys, short, Function)}, at most at {@code maxVersion}. */
    public CompletableFuture<ApiMessage> send(ApiKeys api, short minVersion, short maxVersion,
                                              Function<Short, ApiMessage> request) {
        CompletableFuture<ApiMessage> future = new CompletableFuture<>();
        Call call = new Call(api, minVersion, (short) Math.min(maxVersion, api.latestVersion()), request, future);
        try {
            loop.execute(() -> start(call));
        } catch (RejectedExecutionException e) {
            future.completeExceptionally(new DisconnectException("connection to broker " + brokerId + " is closed"));
        }
        return future;
    }

    /** Fails what is in flight and closes the socket; idempotent. */
    @Override
    public void close() {
        try {
            loop.execute(this::onClose);
        } catch (RejectedExecutionException e) {
            // The loop has stopped, and with it every socket it ran.
        }
    }

    private void onClose() {
        closed = true;
        DisconnectException cause = new DisconnectException("connection to broker " + brokerId + " is closed");
        fail(cause);
        if (channel != null) {
            disconnect(channel, cause);
        }
    }

    private void start(Call call) {
        if (closed) {
            call.future.completeExceptionally(new DisconnectException("connection to broker " + brokerId + " is closed"));
            return;
        }
        if (inFlight != null) {
            call.future.completeExceptionally(new IllegalStateException("a request to broker " + brokerId
                    + " is already in flight"));
            return;
        }
        inFlight = call;
        call.timeout = loop.schedule(() -> onTimeout(call), requestTimeoutMs, TimeUnit.MILLISECONDS);
        if (channel == null) {
            long delayNs = nextConnectNs - System.nanoTime();
            if (delayNs > 0) {
                loop.schedule(this::connect, delayNs, TimeUnit.NANOSECONDS);
            } else {
                connect();
            }
        } else if (versions != null && System.nanoTime() - sessionEndNs >= 0) {
            // The SASL session is about to end: a fresh connection authenticates anew (the broker would
            // close this one on its first request after the end).
            Channel old = channel;
            channel = null;
            versions = null;
            awaiting = null;
            old.close();
            connect();
        } else if (versions != null) {
            write(call);
        }
        // Else the connection is being opened: the call goes out once ApiVersions has answered.
    }

    private void connect() {
        if (inFlight == null || closed || channel != null) {
            return;
        }
        Optional<InetSocketAddress> target = address.get();
        if (target.isEmpty()) {
            nextConnectNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(reconnectBackoffMs);
            fail(new NetworkException("no endpoint known for broker " + brokerId));
            return;
        }
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(channelClass)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, requestTimeoutMs)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast("tls", tls.newHandler(target.get().getHostString(),
                                    target.get().getPort()));
                        }
                        ch.pipeline()
                                // Answers between brokers are trusted and may be large: no size limit.
                                .addLast("frames", new LengthFieldBasedFrameDecoder(Integer.MAX_VALUE, 0, 4, 0, 4))
                                .addLast("sizes", new LengthFieldPrepender(4))
                                .addLast("answers", new AnswerHandler());
                    }
                });
        ChannelFuture connecting = bootstrap.connect(target.get());
        Channel ch = connecting.channel();
        channel = ch;
        connecting.addListener(done -> {
            if (done.isSuccess()) {
                onConnected(ch);
            } else {
                disconnect(ch, new NetworkException("cannot connect to broker " + brokerId + " at "
                        + target.get() + ": " + done.cause().getMessage(), done.cause()));
            }
        });
    }

    private void onConnected(Channel ch) {
        if (ch != channel) {
            return;
        }
        ApiVersionsRequestData request = new ApiVersionsRequestData()
                .setClientSoftwareName("strand")
                .setClientSoftwareVersion(softwareVersion());
        writeFrame(new RequestHeader(ApiKeys.API_VERSIONS, API_VERSIONS_VERSION, clientId, nextCorrelationId++),
                request);
    }

    private static String softwareVersion() {
        String version = BrokerConnection.class.getPackage().getImplementationVersion();
        return version == null ? "unknown" : version;
    }

    private void write(Call call) {
        ApiVersion range = versions.get(call.api.id);
        short version = range == null ? -1 : (short) Math.min(call.maxVersion, range.maxVersion());
        if (range == null || version < Math.max(call.minVersion, range.minVersion())) {
            fail(new UnsupportedVersionException("broker " + brokerId + " serves " + call.api + " "
                    + (range == null ? "not at all" : range.minVersion() + "-" + range.maxVersion())
                    + ", this client needs " + call.minVersion + "-" + call.maxVersion));
            return;
        }
        ApiMessage message;
        try {
            message = call.request.apply(version);
        } catch (RuntimeException e) {
            fail(e);
            return;
        }
        writeFrame(new RequestHeader(call.api, version, clientId, nextCorrelationId++), message);
    }

    private void writeFrame(RequestHeader header, ApiMessage message) {
        ByteBuffer bytes;
        try {
            bytes = RequestUtils.serialize(header.data(), header.headerVersion(), message, header.apiVersion());
        } catch (RuntimeException e) {
            fail(e);
            return;
        }
        awaiting = header;
        Channel ch = channel;
        ch.writeAndFlush(Unpooled.wrappedBuffer(bytes)).addListener(done -> {
            if (!done.isSuccess()) {
                disconnect(ch, new NetworkException("cannot write to broker " + brokerId, done.cause()));
            }
        });
    }

    private void onFrame(Channel ch, ByteBuffer frame) {
        if (ch != channel) {
            return;
        }
        RequestHeader header = awaiting;
        if (header == null || frame.remaining() < 4 || frame.getInt(frame.position()) != header.correlationId()) {
            LOG.warn("Broker {} sent an answer nobody asked for; closing the connection", brokerId);
            disconnect(ch, new NetworkException("broker " + brokerId + " sent an answer nobody asked for"));
            return;
        }
        awaiting = null;
        ApiMessage data;
        try {
            data = AbstractResponse.parseResponse(frame, header).data();
        } catch (RuntimeException e) {
            LOG.warn("Broker {} sent an unreadable {} answer; closing the connection", brokerId, header.apiKey(), e);
            disconnect(ch, new NetworkException("broker " + brokerId + " sent an unreadable answer", e));
            return;
        }
        if (header.apiKey() == ApiKeys.API_VERSIONS) {
            onApiVersions(ch, (ApiVersionsResponseData) data);
            return;
        }
        if (header.apiKey() == ApiKeys.SASL_HANDSHAKE) {
            onSaslHandshake(ch, (SaslHandshakeResponseData) data);
            return;
        }
        if (header.apiKey() == ApiKeys.SASL_AUTHENTICATE) {
            onSaslAuthenticate(ch, (SaslAuthenticateResponseData) data);
            return;
        }
        Call call = inFlight;
        inFlight = null;
        if (call != null) {
            call.timeout.cancel(false);
            call.future.complete(data);
        }
    }

    private void onApiVersions(Channel ch, ApiVersionsResponseData response) {
        Errors error = Errors.forCode(response.errorCode());
        if (error != Errors.NONE) {
            disconnect(ch, error.exception("ApiVersions to broker " + brokerId));
            return;
        }
        Map<Short, ApiVersion> byKey = new HashMap<>();
        for (ApiVersion version : response.apiKeys()) {
            byKey.put(version.apiKey(), version);
        }
        if (sasl != null) {
            authenticatingVersions = byKey;
            writeFrame(new RequestHeader(ApiKeys.SASL_HANDSHAKE, SASL_HANDSHAKE_VERSION, clientId, nextCorrelationId++),
                    new SaslHandshakeRequestData().setMechanism(sasl.mechanism()));
            return;
        }
        onReady(byKey);
    }

    private void onReady(Map<Short, ApiVersion> byKey) {
        versions = byKey;
        if (inFlight != null) {
            write(inFlight);
        }
    }

    private void onSaslHandshake(Channel ch, SaslHandshakeResponseData response) {
        Errors error = Errors.forCode(response.errorCode());
        if (error != Errors.NONE) {
            disconnect(ch, error.exception("broker " + brokerId + " does not serve SASL mechanism " + sasl.mechanism()
                    + "; it serves " + response.mechanisms()));
            return;
        }
        try {
            saslClient = sasl.newClient(((InetSocketAddress) ch.remoteAddress()).getHostString());
            byte[] first = saslClient.hasInitialResponse() ? saslClient.evaluateChallenge(new byte[0]) : new byte[0];
            writeSaslToken(first);
        } catch (SaslException | RuntimeException e) {
            disconnect(ch, new SaslAuthenticationException("SASL " + sasl.mechanism() + " to broker " + brokerId
                    + " failed: " + e.getMessage()));
        }
    }

    private void writeSaslToken(byte[] token) {
        ApiVersion range = authenticatingVersions.get(ApiKeys.SASL_AUTHENTICATE.id);
        short version = (short) Math.min(SASL_AUTHENTICATE_VERSION, range == null ? 0 : range.maxVersion());
        writeFrame(new RequestHeader(ApiKeys.SASL_AUTHENTICATE, version, clientId, nextCorrelationId++),
                new SaslAuthenticateRequestData().setAuthBytes(token == null ? new byte[0] : token));
    }

    private void onSaslAuthenticate(Channel ch, SaslAuthenticateResponseData response) {
        Errors error = Errors.forCode(response.errorCode());
        if (error != Errors.NONE) {
            disconnect(ch, new SaslAuthenticationException("broker " + brokerId + " refused " + sasl.mechanism()
                    + " as " + sasl.username() + ": " + response.errorMessage()));
            return;
        }
        try {
            if (!saslClient.isComplete()) {
                byte[] next = saslClient.evaluateChallenge(response.authBytes());
                if (!saslClient.isComplete()) {
                    writeSaslToken(next);
                    return;
                }
            }
        } catch (SaslException e) {
            disconnect(ch, new SaslAuthenticationException("SASL " + sasl.mechanism() + " to broker " + brokerId
                    + " failed: " + e.getMessage()));
            return;
        }
        disposeSaslClient();
        long lifetimeMs = response.sessionLifetimeMs();
        // Reconnect well before the session ends, as Kafka's clients re-authenticate at 85-95% of it.
        sessionEndNs = lifetimeMs > 0 ? System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(lifetimeMs * 85 / 100)
                : Long.MAX_VALUE;
        Map<Short, ApiVersion> byKey = authenticatingVersions;
        authenticatingVersions = null;
        onReady(byKey);
    }

    private void disposeSaslClient() {
        if (saslClient != null) {
            try {
                saslClient.dispose();
            } catch (SaslException e) {
                LOG.debug("Cannot dispose the SASL client", e);
            }
            saslClient = null;
        }
    }

    /**
     * Forgets {@code ch} at once (the next request opens a new connection, after the backoff; Netty
     * reports the close itself only later), fails the request in flight and closes the socket.
     * Nothing if {@code ch} is no longer the connection.
     */
    private void disconnect(Channel ch, RuntimeException cause) {
        if (ch != channel) {
            return;
        }
        channel = null;
        versions = null;
        awaiting = null;
        authenticatingVersions = null;
        disposeSaslClient();
        nextConnectNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(reconnectBackoffMs);
        fail(cause);
        ch.close();
    }

    private void onTimeout(Call call) {
        if (inFlight != call) {
            return;
        }
        TimeoutException cause = new TimeoutException("no answer from broker " + brokerId + " to " + call.api
                + " within " + requestTimeoutMs + " ms");
        fail(cause);
        if (channel != null) {
            disconnect(channel, cause);
        }
    }

    private void fail(RuntimeException cause) {
        Call call = inFlight;
        if (call == null) {
            return;
        }
        inFlight = null;
        if (call.timeout != null) {
            call.timeout.cancel(false);
        }
        call.future.completeExceptionally(cause);
    }

    /** Hands each whole frame to the connection and reports the socket's end. */
    private final class AnswerHandler extends SimpleChannelInboundHandler<ByteBuf> {

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
            // A copy on the heap: parsed records keep pointing into it after the frame is released.
            ByteBuffer copy = ByteBuffer.allocate(frame.readableBytes());
            frame.readBytes(copy);
            copy.flip();
            onFrame(ctx.channel(), copy);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            disconnect(ctx.channel(), new NetworkException("connection to broker " + brokerId + " was lost"));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof io.netty.handler.codec.DecoderException
                    && cause.getCause() instanceof javax.net.ssl.SSLException tlsFailure) {
                LOG.warn("TLS with broker {} failed: {}", brokerId, tlsFailure.getMessage());
            }
            LOG.debug("Connection to broker {} failed", brokerId, cause);
            ctx.close();
        }
    }
}
