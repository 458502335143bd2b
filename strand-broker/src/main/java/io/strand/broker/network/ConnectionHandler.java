package io.strand.broker.network;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: parses each request frame, hands it to its API's handler, and writes the
 * responses back in request order, whatever order the handlers finish in.
 *
 * <p>Owned by the connection's event loop; futures completed on other threads hop back onto it.
 * A frame that cannot be parsed, an unknown API key, or a version no handler serves closes the
 * connection (as Kafka does) — except ApiVersions, which is answered in v0 with UNSUPPORTED_VERSION
 * and the supported list so that a newer client can negotiate down.
 *
 * <p>Back-pressure: requests are pipelined, but at most {@value #MAX_PENDING_RESPONSES} may wait for
 * their responses, and none is read while the socket's send buffer is over its high-water mark (a
 * client that does not read its responses). Past either, the connection stops reading until
 * responses drain, so one connection cannot queue unbounded work or response bytes. Kafka goes
 * further and reads one request at a time.
 */
final class ConnectionHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionHandler.class);
    /** Requests read whose responses are not yet written, past which the connection stops reading. */
    static final int MAX_PENDING_RESPONSES = 64;

    private final ApiRegistry registry;
    private final String listenerName;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private Channel channel;
    private boolean closing;

    ConnectionHandler(ApiRegistry registry, String listenerName) {
        this.registry = registry;
        this.listenerName = listenerName;
    }

    /** A request whose response is not written yet. */
    private record Pending(RequestHeader header, short responseVersion, CompletableFuture<? extends ApiMessage> response) {
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
            return;
        }
        ByteBuffer frame = (ByteBuffer) msg;
        long receivedNs = System.nanoTime();
        try {
            onFrame(frame, receivedNs);
        } catch (RuntimeException e) {
            closeOnBadRequest(e);
        }
    }

    private void onFrame(ByteBuffer frame, long receivedNs) {
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
                enqueue(header, (short) 0, CompletableFuture.completedFuture(unsupportedApiVersions()));
                return;
            }
            throw new IllegalArgumentException("unsupported version " + apiVersion + " of api=" + apiKey);
        }
        AbstractRequest request = AbstractRequest.parseRequest(apiKey, apiVersion, new ByteBufferAccessor(frame)).request;
        RequestContext context = new RequestContext(header, channel.remoteAddress(),
                listenerName, receivedNs, channel.eventLoop());
        enqueue(header, apiVersion, invoke(handler, context, request));
    }

    private ApiVersionsResponseData unsupportedApiVersions() {
        ApiVersionsResponseData data = new ApiVersionsResponseData().setErrorCode(Errors.UNSUPPORTED_VERSION.code());
        for (ApiHandler<?> h : registry.handlers()) {
            data.apiKeys().add(h.advertisedVersions().duplicate());
        }
        return data;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static CompletableFuture<? extends ApiMessage> invoke(ApiHandler handler, RequestContext context,
                                                                  AbstractRequest request) {
        CompletableFuture<? extends ApiMessage> future;
        try {
            future = handler.handle(context, request);
        } catch (RuntimeException e) {
            future = CompletableFuture.failedFuture(e);
        }
        return future.handle((response, error) -> {
            if (error == null) {
                return response;
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof CloseConnectionException close) {
                throw close;
            }
            if (Errors.forException(cause) == Errors.UNKNOWN_SERVER_ERROR) {
                LOG.error("Unexpected error handling {} from {}", context.apiKey(), context.clientId(), cause);
            }
            return request.getErrorResponse(0, cause).data();
        });
    }

    private void enqueue(RequestHeader header, short responseVersion, CompletableFuture<? extends ApiMessage> response) {
        pending.addLast(new Pending(header, responseVersion, response));
        maybePauseOrResumeReading();
        if (response.isDone()) {
            drain();
        } else {
            response.whenComplete((r, e) -> channel.eventLoop().execute(this::drain));
        }
    }

    /** Writes every completed response at the head of the queue, in request order. */
    private void drain() {
        boolean wrote = false;
        while (!closing && !pending.isEmpty() && pending.peekFirst().response().isDone()) {
            Pending next = pending.pollFirst();
            ApiMessage body;
            try {
                body = next.response().join();
            } catch (CompletionException e) {
                LOG.info("Closing connection from {}: {}", channel.remoteAddress(), e.getCause().getMessage());
                closing = true;
                channel.close();
                return;
            }
            if (body == null) {
                continue; // acks=0 produce: no response
            }
            ApiKeys apiKey = next.header().apiKey();
            ResponseHeader header = new ResponseHeader(next.header().correlationId(),
                    apiKey.responseHeaderVersion(next.responseVersion()));
            try {
                ResponseWriter.write(channel, header, body, next.responseVersion());
            } catch (RuntimeException e) {
                // A response that cannot be serialized is a broker bug; the client must not wait forever.
                LOG.error("Closing connection from {}: cannot write {} v{} response", channel.remoteAddress(),
                        apiKey, next.responseVersion(), e);
                closing = true;
                channel.close();
                return;
            }
            wrote = true;
        }
        if (wrote) {
            channel.flush();
        }
        maybePauseOrResumeReading();
    }

    /** Reads only while few responses wait and the client keeps up with reading them. */
    private void maybePauseOrResumeReading() {
        boolean read = !closing && pending.size() < MAX_PENDING_RESPONSES && channel.isWritable();
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
        pending.clear();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("Connection from {} failed", ctx.channel().remoteAddress(), cause);
        closing = true;
        ctx.close();
    }
}
