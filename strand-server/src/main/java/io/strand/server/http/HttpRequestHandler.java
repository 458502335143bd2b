package io.strand.server.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers each aggregated request of one connection through the {@link HttpRouter}, in order. A
 * request the codec could not decode (a malformed request line, headers over their limit) is
 * answered 400 (431 for headers too large, 414 for a request line too long) as JSON and the connection closed, since what follows it
 * cannot be framed. A request that changes something from another web site, or with a body that is not
 * JSON, is refused before routing ({@link CrossSiteGuard}), and so is one the listener's {@link HttpGate}
 * refuses (no or wrong credentials); otherwise the gate's caller goes with the request to its endpoint. An endpoint may answer later (a future): answers are written on the event loop in
 * the order the requests came. An event stream's answer is a chunked 200 whose chunks the stream
 * writes; the connection then serves nothing else. Owned by the connection's event loop.
 */
final class HttpRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger LOG = LoggerFactory.getLogger(HttpRequestHandler.class);

    private final HttpRouter router;
    private final HttpGate gate;
    /** Completes once every answer so far is written: answers leave in request order (HTTP/1.1 pipelining). */
    private CompletableFuture<Void> previous = CompletableFuture.completedFuture(null);
    /** True once an answer became an event stream. */
    private boolean streaming;

    HttpRequestHandler(HttpRouter router, HttpGate gate) {
        this.router = router;
        this.gate = gate;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (request.decoderResult().isFailure()) {
            Throwable cause = request.decoderResult().cause();
            HttpResponseStatus status = cause instanceof TooLongHttpHeaderException
                    ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                    : cause instanceof TooLongHttpLineException ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                    : HttpResponseStatus.BAD_REQUEST;
            LOG.debug("Malformed HTTP request from {}: {}", ctx.channel().remoteAddress(), cause.toString());
            write(ctx, HttpReply.error(status.code(), "HTTP " + status + ": " + cause.getMessage()), "", false);
            return;
        }
        if (streaming) {
            return; // the connection is an event stream's now; it never answers another request
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        // Only a request some endpoint serves is checked: others get their 404 or 405 from routing.
        HttpReply refused = router.serves(request.method(), request.uri()) ? CrossSiteGuard.refusal(request) : null;
        CompletableFuture<HttpRouter.Routed> answer;
        if (refused != null) {
            answer = CompletableFuture.completedFuture(new HttpRouter.Routed(refused, ""));
        } else {
            InetAddress client = ctx.channel().remoteAddress() instanceof InetSocketAddress inet ? inet.getAddress() : null;
            CompletableFuture<HttpGate.Admission> admitted = gate.admit(request, HttpRouter.path(request.uri()), client);
            if (admitted.isDone()) {
                answer = routeAdmitted(request, admitted.join());
            } else {
                // Admitted later, on another thread: route back on the event loop, the request kept until then.
                request.retain();
                answer = admitted.handleAsync((admission, failure) -> {
                    try {
                        return failure == null ? routeAdmitted(request, admission)
                                : CompletableFuture.completedFuture(new HttpRouter.Routed(HttpReply.error(500,
                                        "HTTP 500 Internal Server Error: " + failure), ""));
                    } finally {
                        request.release();
                    }
                }, ctx.executor()).thenCompose(routed -> routed);
            }
        }
        previous = previous.thenCombine(answer, (done, routed) -> routed)
                .thenAcceptAsync(routed -> answer(ctx, routed, keepAlive), ctx.executor());
    }

    private CompletableFuture<HttpRouter.Routed> routeAdmitted(FullHttpRequest request, HttpGate.Admission admission) {
        return admission.refusal() != null
                ? CompletableFuture.completedFuture(new HttpRouter.Routed(admission.refusal(), ""))
                : router.route(request, admission.caller());
    }

    /** Writes {@code routed}, on the event loop, after every earlier answer of the connection. */
    private void answer(ChannelHandlerContext ctx, HttpRouter.Routed routed, boolean keepAlive) {
        try {
            if (routed.stream() == null) {
                write(ctx, routed.reply(), routed.allow(), keepAlive);
                return;
            }
            streaming = true;
            HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                    .set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
            HttpUtil.setTransferEncodingChunked(response, true);
            ctx.writeAndFlush(response);
            routed.stream().start(new SseSink(ctx.channel()));
        } catch (RuntimeException e) {
            LOG.warn("Cannot answer an HTTP request from {}", ctx.channel().remoteAddress(), e);
            ctx.close();
        }
    }

    private static void write(ChannelHandlerContext ctx, HttpReply reply, String allow, boolean keepAlive) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(reply.status()), Unpooled.wrappedBuffer(reply.body()));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, reply.contentType())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, reply.body().length);
        reply.headers().forEach(response.headers()::set);
        if (!allow.isEmpty()) {
            response.headers().set(HttpHeaderNames.ALLOW, allow);
        }
        if (keepAlive) {
            ctx.writeAndFlush(response);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, "close");
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent) {
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("HTTP connection from {} failed", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }
}
