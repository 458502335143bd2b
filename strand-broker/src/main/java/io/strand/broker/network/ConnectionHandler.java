package io.strand.broker.network;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.strand.broker.metrics.BrokerMetrics;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: parses each request frame, hands it to its API's handler on a thread the
 * handler allows ({@link ApiHandler#runsOn()}: the event loop, or the request pool), and writes the
 * responses back in request order, whatever order and on whatever thread the handlers finish.
 *
 * <p>Owned by the connection's event loop: the queue of pending responses is read and written only
 * there; a future completed on a pool thread or elsewhere hops back onto it to be written. A frame
 * that cannot be parsed, an unknown API key, or a version no handler serves closes the connection (as
 * Kafka does) — except ApiVersions, which is answered in v0 with UNSUPPORTED_VERSION and the supported
 * list so that a newer client can negotiate down.
 *
 * <p>Invocation order: a connection's requests are handed to their handlers one at a time, in arrival
 * order (an idempotent producer's batches must reach the log in sequence), each once its
 * predecessor's handler has returned (its future may still be pending: a long poll does not hold up
 * the next request). Requests for the pool go through the connection's {@link RequestLane}, which has
 * at most one of them queued or running on the pool; a request for the event loop runs there at once
 * when the lane is idle, and otherwise joins the lane behind the requests before it. So a request
 * blocked on the pool (an fsync, a partition's writer lock) holds up only its own connection.
 *
 * <p>Back-pressure: requests are pipelined, but at most {@value #MAX_PENDING_RESPONSES} may wait for
 * their responses (invoked or not), and none is read while the socket's send buffer is over its
 * high-water mark (a client that does not read its responses). Past either, the connection stops
 * reading until responses drain, so one connection cannot queue unbounded work or response bytes.
 * Kafka goes further and reads one request at a time. After a response carrying a throttle time
 * (client quotas) it also stops reading for that long ({@link ChannelThrottle}, KIP-219).
 *
 * <p>A request the client reads no response to (an acks=0 produce, the one kind) is still answered by
 * its handler: the answer is not written, but its throttle time (a {@code producer_byte_rate} quota)
 * mutes the connection as a written one would, as Kafka mutes the channel of a throttled acks=0
 * producer. Such a request is exempt from the request-time quota, as in Kafka. An error that would
 * become its error response closes the connection instead (Kafka's request has no error response
 * then), the only signal the client can see.
 *
 * <p>SASL: on a SASL listener the connection's {@link SaslAuthenticator} sees every frame first.
 * Before authentication it answers the handshake and the tokens itself (through the same ordered
 * queue of responses), lets only ApiVersions through to its handler, and refuses everything else by
 * closing; the frame limit is {@code sasl.server.max.receive.size} until authentication succeeds. Once
 * authenticated, requests carry the authenticated principal.
 *
 * <p>Closing: once the connection closes, nothing more is read or written, but a request already
 * read is still handed to its handler, whoever closed the connection, and only its response is
 * dropped. A client may close right after writing a request it expects no answer to (an acks=0
 * produce, then {@code close()}); Kafka appends that batch, and so must this broker, however far
 * behind the pool is. The exception: when a request's handler fails with
 * {@link CloseConnectionException}, the requests read after it are not handed on, as Kafka, reading
 * one request at a time, would never have read them (a refused acks=0 batch must not leave a gap
 * that later batches close over). That holds for the requests not yet invoked when the failure is
 * known: a handler failing at once stops the next; one whose future fails later may already have
 * been overtaken by pipelined requests.
 */
final class ConnectionHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionHandler.class);
    /** Requests read whose responses are not yet written, past which the connection stops reading. */
    static final int MAX_PENDING_RESPONSES = 64;

    private final ApiRegistry registry;
    private final String listenerName;
    private final ListenerSecurity security;
    /** A SASL listener's mechanisms; null on PLAINTEXT. */
    private final SaslMechanisms sasl;
    /** {@code socket.request.max.bytes}: the frame limit once authenticated. */
    private final int maxRequestBytes;
    /** This connection's authentication on a SASL listener, made when it becomes active; else null. */
    private SaslAuthenticator authenticator;
    /** Whether the frame decoder's limit is the authenticated one (socket.request.max.bytes) now. */
    private boolean authenticatedLimit;
    /**
     * Who the client is, as the listener's principal builder names it: set on the event loop when the
     * connection becomes active (PLAINTEXT) or authenticates; every request read after carries it.
     */
    private KafkaPrincipal principal = KafkaPrincipal.ANONYMOUS;
    /** Closed with the connection: releases the long polls its requests left waiting. */
    private final ConnectionScope scope = new ConnectionScope();
    /** Requests read whose responses are not written yet, in arrival order. */
    private final ArrayDeque<InFlight> pending = new ArrayDeque<>();
    private final RequestLane lane;
    /** The node's request memory: each frame's capacity is given back when its response is written or dropped. */
    private final RequestMemory memory;
    /** Set while the frame decoder waits for request memory: nothing is read meanwhile. */
    private boolean waitingForMemory;
    /** Mutes the connection after a throttled response (client quotas, KIP-219). */
    private final ChannelThrottle throttle = new ChannelThrottle(this::maybePauseOrResumeReading);
    private Channel channel;
    /** Set when the connection closes, on the event loop: nothing more is read or written. */
    private volatile boolean closing;
    /**
     * Set when a request's failure closes the connection, on whichever thread learns of it; read by
     * {@link #invokeInto}, which then drops the requests read after it.
     */
    private volatile boolean refused;

    /**
     * @param requestPool where handlers that run on {@link ApiHandler.RunsOn#REQUEST_POOL} are called,
     *                    through this connection's {@link RequestLane}
     */
    ConnectionHandler(ApiRegistry registry, ListenerSecurity security, Executor requestPool) {
        this(registry, security, null, Integer.MAX_VALUE, requestPool, RequestMemory.unbounded());
    }

    /**
     * @param sasl            a SASL listener's mechanisms, null on PLAINTEXT
     * @param maxRequestBytes the frame limit once authenticated ({@code socket.request.max.bytes})
     * @param memory          where the frames' bytes were reserved ({@link FrameDecoder}), given back here
     */
    ConnectionHandler(ApiRegistry registry, ListenerSecurity security, SaslMechanisms sasl, int maxRequestBytes,
                      Executor requestPool, RequestMemory memory) {
        this.memory = memory;
        this.registry = registry;
        this.listenerName = security.listenerName();
        this.security = security;
        this.sasl = sasl;
        this.maxRequestBytes = maxRequestBytes;
        this.lane = new RequestLane(requestPool);
    }

    /** A request whose response is not written yet; {@code response} completes with what to write. */
    private static final class InFlight {
        final RequestHeader header;
        final short responseVersion;
        final ApiHandler<?> handler;
        final RequestContext context;
        final AbstractRequest request;
        final CompletableFuture<ApiMessage> response = new CompletableFuture<>();
        /** The request memory its frame holds until the response is written or dropped. */
        final int frameBytes;
        /** A SASL token to write without a response header (after SaslHandshake v0), or null. */
        byte[] rawToken;
        /** Close the connection once this response is written (a refused authentication). */
        boolean closeAfterWrite;

        InFlight(RequestHeader header, short responseVersion, ApiHandler<?> handler, RequestContext context,
                 AbstractRequest request, int frameBytes) {
            this.frameBytes = frameBytes;
            this.header = header;
            this.responseVersion = responseVersion;
            this.handler = handler;
            this.context = context;
            this.request = request;
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (security.securityProtocol() == SecurityProtocol.PLAINTEXT
                && channel.remoteAddress() instanceof InetSocketAddress client) {
            principal = security.plaintextPrincipal(client);
        }
        if (sasl != null) {
            // Whatever the transport: a SASL listener never serves a connection without its authenticator.
            ApiHandler<?> apiVersions = registry.handler(ApiKeys.API_VERSIONS);
            authenticator = new SaslAuthenticator(security, sasl,
                    channel.remoteAddress() instanceof InetSocketAddress client ? client.getAddress() : null,
                    version -> apiVersions != null && apiVersions.servesVersion(version));
        }
        ctx.fireChannelActive();
    }

    /**
     * On an SSL listener the client is known once the TLS handshake is done (the TLS handler passes no
     * request on before): the principal of its certificate, ANONYMOUS without one. A failed handshake
     * closes the connection (the TLS handler does) and is logged at INFO, as Kafka logs a failed
     * authentication; a peer that just closes (the controller's broker probe) only at DEBUG.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event == FrameDecoder.MEMORY_EXHAUSTED || event == FrameDecoder.MEMORY_AVAILABLE) {
            waitingForMemory = event == FrameDecoder.MEMORY_EXHAUSTED;
            maybePauseOrResumeReading();
            return;
        }
        if (event instanceof SslHandshakeCompletionEvent handshake) {
            if (!handshake.isSuccess()) {
                // A peer that closes before finishing (a port probe, a health check) is no failed authentication.
                if (handshake.cause() instanceof javax.net.ssl.SSLException) {
                    LOG.info("Failed authentication with {} on listener {} (TLS handshake failed: {})",
                            channel.remoteAddress(), listenerName, handshake.cause().getMessage());
                } else {
                    LOG.debug("TLS handshake with {} on listener {} ended: {}", channel.remoteAddress(), listenerName,
                            handshake.cause().toString());
                }
            } else if (security.securityProtocol() == SecurityProtocol.SSL
                    && channel.remoteAddress() instanceof InetSocketAddress client) {
                principal = security.sslPrincipal(ctx.pipeline().get(SslHandler.class).engine().getSession(), client);
            }
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuffer frame = (ByteBuffer) msg;
        if (closing) {
            memory.release(frame.capacity());
            return;
        }
        long receivedNs = System.nanoTime();
        int queued = pending.size();
        try {
            onFrame(frame, receivedNs);
        } catch (RuntimeException e) {
            if (pending.size() == queued) {
                memory.release(frame.capacity()); // no InFlight owns the frame
            }
            closeOnBadRequest(e);
        }
    }

    private void onFrame(ByteBuffer frame, long receivedNs) {
        if (authenticator != null && !onSaslStep(authenticator.onFrame(frame, receivedNs), frame.capacity())) {
            return;
        }
        if (frame.remaining() < 4) {
            throw new IllegalArgumentException("request of " + frame.remaining() + " bytes has no header");
        }
        short apiKeyId = frame.getShort(0);
        short apiVersion = frame.getShort(2);
        if (!ApiKeys.hasId(apiKeyId)) {
            throw new IllegalArgumentException("unknown apiKey=" + apiKeyId);
        }
        ApiKeys apiKey = ApiKeys.forId(apiKeyId);
        ApiHandler<?> handler = registry.handler(apiKey);
        if (handler == null) {
            throw new IllegalArgumentException("unsupported api=" + apiKey);
        }
        RequestHeader header = RequestHeader.parse(frame);
        if (!handler.servesVersion(apiVersion)) {
            if (apiKey == ApiKeys.API_VERSIONS) {
                InFlight answered = new InFlight(header, (short) 0, handler, null, null, frame.capacity());
                pending.addLast(answered);
                answered.response.complete(unsupportedApiVersions());
                drain();
                return;
            }
            throw new IllegalArgumentException("unsupported version " + apiVersion + " of api=" + apiKey);
        }
        AbstractRequest request = AbstractRequest.parseRequest(apiKey, apiVersion, new ByteBufferAccessor(frame)).request;
        RequestContext context = new RequestContext(header, channel.remoteAddress(), listenerName,
                security.securityProtocol(), principal, receivedNs, channel.eventLoop(), scope);
        InFlight inFlight = new InFlight(header, apiVersion, handler, context, request, frame.capacity());
        pending.addLast(inFlight);
        maybePauseOrResumeReading();
        if (handler.runsOn() == ApiHandler.RunsOn.EVENT_LOOP && lane.isIdle()) {
            invokeInto(inFlight);
            if (inFlight.response.isDone()) {
                drain();
            } else {
                inFlight.response.whenComplete((r, e) -> executeOnLoop(this::drain));
            }
            return;
        }
        inFlight.response.whenComplete((r, e) -> executeOnLoop(this::drain));
        try {
            lane.submit(() -> invokeInto(inFlight));
        } catch (RejectedExecutionException e) {
            LOG.debug("Closing connection from {}: the request pool is closed", channel.remoteAddress());
            refused = true;
            closing = true;
            channel.close();
        }
    }

    /**
     * Carries out what the authenticator decided for a frame; true when the frame goes on to its handler.
     */
    private boolean onSaslStep(SaslAuthenticator.Step step, int frameBytes) {
        if (authenticator.isAuthenticated() != authenticatedLimit) {
            authenticatedLimit = authenticator.isAuthenticated();
            FrameDecoder decoder = channel.pipeline().get(FrameDecoder.class);
            if (decoder != null) {
                decoder.maxFrameBytes(authenticator.maxFrameBytes(maxRequestBytes), authenticatedLimit
                        ? "socket.request.max.bytes" : "sasl.server.max.receive.size");
            }
        }
        principal = authenticator.principal();
        if (step instanceof SaslAuthenticator.Serve) {
            return true;
        }
        if (step instanceof SaslAuthenticator.Close close) {
            LOG.info("Closing SASL connection from {} on listener {}: {}", channel.remoteAddress(), listenerName,
                    close.reason());
            closing = true;
            memory.release(frameBytes);
            channel.close();
            return false;
        }
        if (step instanceof SaslAuthenticator.Respond respond) {
            InFlight answered = new InFlight(respond.header(), respond.header().apiVersion(), null, null, null,
                    frameBytes);
            answered.closeAfterWrite = respond.thenClose();
            pending.addLast(answered);
            answered.response.complete(respond.body());
        } else if (step instanceof SaslAuthenticator.RawToken raw) {
            InFlight answered = new InFlight(null, (short) 0, null, null, null, frameBytes);
            answered.rawToken = raw.token();
            pending.addLast(answered);
            answered.response.complete(null);
        }
        drain();
        return false;
    }

    /**
     * Calls the request's handler, on whichever thread this runs, and completes its response with what
     * the handler's future completes with. Never throws. A request read after one whose failure
     * closes the connection is not handed to its handler; one of a connection the client closed is.
     */
    private void invokeInto(InFlight next) {
        if (refused) {
            next.response.completeExceptionally(
                    new CloseConnectionException("an earlier request closed the connection"));
            return;
        }
        invoke(next, registry.requestTimeQuota(), registry.metrics()).whenComplete((response, error) -> {
            if (error != null) {
                // Only a CloseConnectionException gets here (invoke turns other failures into error
                // responses). Set on this thread when the handler failed at once, so before the
                // connection's next request is invoked.
                refused = true;
                next.response.completeExceptionally(error);
            } else {
                next.response.complete(response);
            }
        });
    }

    private void executeOnLoop(Runnable task) {
        try {
            channel.eventLoop().execute(task);
        } catch (RejectedExecutionException e) {
            // The event loops are shutting down with the server: the connection is gone.
        }
    }

    private ApiVersionsResponseData unsupportedApiVersions() {
        ApiVersionsResponseData data = new ApiVersionsResponseData().setErrorCode(Errors.UNSUPPORTED_VERSION.code());
        for (ApiHandler<?> h : registry.handlers()) {
            data.apiKeys().add(h.advertisedVersions().duplicate());
        }
        return data;
    }

    /**
     * Calls the handler; never throws: a failure becomes the API's error response or closes the connection.
     * With a request quota, the call's time is accounted and its throttle time put in the response.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static CompletableFuture<? extends ApiMessage> invoke(InFlight next, RequestTimeQuota quota,
                                                                 BrokerMetrics metrics) {
        ApiHandler handler = next.handler;
        RequestContext context = next.context;
        AbstractRequest request = next.request;
        CompletableFuture<? extends ApiMessage> future;
        long startNs = quota.enabled() && !context.apiKey().clusterAction && expectsResponse(request)
                ? System.nanoTime() : -1L;
        try {
            future = handler.handle(context, request);
            if (startNs != -1L) {
                future = RequestTimes.throttled(future, quota, context, System.nanoTime() - startNs);
            }
        } catch (RuntimeException e) {
            future = CompletableFuture.failedFuture(e);
        } catch (Throwable e) {
            LOG.error("Handler of {} failed; closing the connection", context.apiKey(), e);
            return CompletableFuture.failedFuture(new CloseConnectionException("handler failed: " + e));
        }
        return future.handle((response, error) -> {
            if (error == null) {
                return response;
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof CloseConnectionException close) {
                throw close;
            }
            Errors answered = Errors.forException(cause);
            if (answered == Errors.UNKNOWN_SERVER_ERROR) {
                LOG.error("Unexpected error handling {} from {}", context.apiKey(), context.clientId(), cause);
            }
            metrics.onRequestError(context.apiKey(), answered);
            AbstractResponse answer = request.getErrorResponse(0, cause);
            if (answer == null) {
                throw new CloseConnectionException(context.apiKey() + " request without response failed: " + cause);
            }
            return answer.data();
        });
    }

    /**
     * Whether the client reads a response to {@code request}: every request but an acks=0 produce (whose
     * {@code getErrorResponse} is null, as Kafka's broker then closes instead of answering).
     */
    static boolean expectsResponse(AbstractRequest request) {
        return !(request instanceof ProduceRequest produce && produce.acks() == 0);
    }

    /** Writes every completed response at the head of the queue, in request order. */
    private void drain() {
        boolean wrote = false;
        while (!closing && !pending.isEmpty() && pending.peekFirst().response.isDone()) {
            InFlight next = pending.pollFirst();
            memory.release(next.frameBytes);
            ApiMessage body;
            try {
                body = next.response.join();
            } catch (CompletionException e) {
                LOG.info("Closing connection from {}: {}", channel.remoteAddress(), e.getCause().getMessage());
                refused = true;
                closing = true;
                channel.close();
                return;
            }
            if (next.context != null) {
                // Handed to the connection now (or, for acks=0, finished): the request's latency ends here.
                long latencyNs = System.nanoTime() - next.context.receivedNs();
                registry.metrics().onRequestCompleted(next.context.apiKey(), latencyNs);
            }
            if (next.rawToken != null) {
                channel.write(channel.alloc().buffer(4 + next.rawToken.length).writeInt(next.rawToken.length)
                        .writeBytes(next.rawToken), channel.voidPromise());
                wrote = true;
                continue;
            }
            if (body == null) {
                continue; // a handler with nothing to answer
            }
            if (!expectsResponse(next.request)) {
                throttle.onResponseWritten(body, System.nanoTime(), channel.eventLoop()); // not written: mute only
                continue;
            }
            ApiKeys apiKey = next.header.apiKey();
            ResponseHeader header = new ResponseHeader(next.header.correlationId(),
                    apiKey.responseHeaderVersion(next.responseVersion));
            try {
                ResponseWriter.write(channel, header, body, next.responseVersion);
                throttle.onResponseWritten(body, System.nanoTime(), channel.eventLoop());
            } catch (RuntimeException e) {
                // A response that cannot be serialized is a broker bug; the client must not wait forever.
                LOG.error("Closing connection from {}: cannot write {} v{} response", channel.remoteAddress(),
                        apiKey, next.responseVersion, e);
                refused = true;
                closing = true;
                channel.close();
                return;
            }
            wrote = true;
            if (next.closeAfterWrite) {
                closing = true;
                pending.clear();
                channel.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER)
                        .addListener(io.netty.channel.ChannelFutureListener.CLOSE);
                return;
            }
        }
        if (wrote) {
            channel.flush();
        }
        maybePauseOrResumeReading();
    }

    /** Reads only while few responses wait and the client keeps up with reading them. */
    private void maybePauseOrResumeReading() {
        boolean read = !closing && !waitingForMemory && pending.size() < MAX_PENDING_RESPONSES
                && channel.isWritable() && !throttle.isMuted();
        if (channel.config().isAutoRead() != read) {
            channel.config().setAutoRead(read);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        maybePauseOrResumeReading();
        ctx.fireChannelWritabilityChanged();
    }

    private void closeOnBadRequest(RuntimeException e) {
        LOG.warn("Closing connection from {} on listener {}: cannot serve request: {}",
                channel.remoteAddress(), listenerName, e.toString());
        closing = true;
        channel.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closing = true;
        for (InFlight dropped : pending) {
            memory.release(dropped.frameBytes);
        }
        pending.clear();
        scope.close();
        throttle.close();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("Connection from {} failed", ctx.channel().remoteAddress(), cause);
        closing = true;
        ctx.close();
    }
}
