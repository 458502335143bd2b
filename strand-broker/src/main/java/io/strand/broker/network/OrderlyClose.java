package io.strand.broker.network;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Ends the connections that Ratis' netty client opened to a tunnel endpoint ({@link SaslQuorumTunnel#endpointFor})
 * only while Ratis is not writing to them, and with an end of stream, never a reset.
 *
 * <p>Why: Ratis' netty client ({@code NettyRpcProxy}, 3.3) stalls its event loop for 5 s when a connection
 * ends under a write. The write fails on the event loop (the end was read first), which fails the request
 * and wakes its sender (a leader's log appender, a candidate's vote); the sender closes the connection from
 * its own thread, holding the connection's lock while it waits for the close on the event loop, and the
 * event loop meanwhile runs the connection's {@code channelInactive}, queued before that close, which needs
 * the lock. A reset (the kernel's answer to closing a socket with unread bytes) does the same through Ratis'
 * exception handler. Every peer connection on that thread stalls with it: a leader whose appender to its one
 * live follower shared the thread lost its lease and the quorum elected again (seen in thread dumps after a
 * voter was killed). The tunnel ends such connections whenever a voter cannot be reached, that is on every
 * reconnect to a dead voter, right when Ratis writes its first request on the new connection.
 *
 * <p>How: the channel is marked when accepted ({@link #mark}). {@link #close} then reads and drops whatever
 * Ratis sends, waits until Ratis has written something and then been quiet for {@link #QUIET_MS} (a request
 * is written, and Ratis waits for its answer: the appender and elections send one request at a time per
 * peer), or for {@link #IDLE_MS} when Ratis writes nothing, and only then shuts the output down. Ratis reads
 * the end of stream and closes the connection on its event loop, failing its requests in {@code
 * channelInactive} before their sender wakes. The channel closes when Ratis has closed its end, or after
 * {@link #LINGER_MS} at the latest. Unmarked channels are closed after a flush, as before. Thread-safe; the
 * work runs on the channel's event loop.
 */
final class OrderlyClose {

    /** Ratis is taken to be done writing once nothing has come from it for this long after something did. */
    static final long QUIET_MS = 50;
    /** A connection Ratis writes nothing to is ended after this long. */
    static final long IDLE_MS = 500;
    /** How long a connection being ended waits for Ratis to close its end before it is closed anyway. */
    static final long LINGER_MS = 10_000;
    private static final long CHECK_EVERY_MS = 10;

    private static final AttributeKey<Boolean> RATIS_CLIENT = AttributeKey.valueOf("strand.tunnel.ratisClient");
    private static final AttributeKey<Boolean> CLOSING = AttributeKey.valueOf("strand.tunnel.closing");

    private OrderlyClose() {
    }

    /** Marks {@code channel} as a connection Ratis' client opened to an endpoint: it is to be ended by {@link #close}. */
    static void mark(Channel channel) {
        channel.attr(RATIS_CLIENT).set(Boolean.TRUE);
    }

    /**
     * Ends {@code channel}: a marked one with an end of stream (see the class doc), any other once what was
     * written to it is flushed. Idempotent.
     */
    static void close(Channel channel) {
        if (!Boolean.TRUE.equals(channel.attr(RATIS_CLIENT).get())) {
            if (channel.isActive()) {
                channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            } else {
                channel.close();
            }
            return;
        }
        channel.eventLoop().execute(() -> endStream(channel));
    }

    private static void endStream(Channel channel) {
        if (!channel.isActive() || !(channel instanceof DuplexChannel duplex)) {
            channel.close();
            return;
        }
        if (channel.attr(CLOSING).setIfAbsent(Boolean.TRUE) != null) {
            return;
        }
        ChannelPipeline pipeline = channel.pipeline();
        List<String> names = new ArrayList<>(pipeline.names());
        for (String name : names) {
            if (pipeline.context(name) != null) {
                pipeline.remove(name);
            }
        }
        Drain drain = new Drain(System.nanoTime());
        pipeline.addLast("drain", drain);
        channel.config().setAutoRead(true);
        channel.read();
        channel.eventLoop().schedule(() -> {
            channel.close();
        }, LINGER_MS, TimeUnit.MILLISECONDS);
        endWhenQuiet(duplex, drain);
    }

    /** Shuts {@code channel}'s output down once {@code drain} saw Ratis done writing; else looks again shortly. */
    private static void endWhenQuiet(DuplexChannel channel, Drain drain) {
        if (!channel.isActive()) {
            return;
        }
        long now = System.nanoTime();
        boolean quiet = drain.lastReadNs != 0
                ? now - drain.lastReadNs >= TimeUnit.MILLISECONDS.toNanos(QUIET_MS)
                : now - drain.startNs >= TimeUnit.MILLISECONDS.toNanos(IDLE_MS);
        if (!quiet) {
            channel.eventLoop().schedule(() -> endWhenQuiet(channel, drain), CHECK_EVERY_MS, TimeUnit.MILLISECONDS);
            return;
        }
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) flushed ->
                channel.shutdownOutput().addListener((ChannelFutureListener) shut -> {
                    if (!shut.isSuccess()) {
                        channel.close();
                    }
                }));
    }

    /**
     * Drops what Ratis sends while its connection is being ended, noting when it last came; the channel closes
     * when Ratis closes its end. Only the channel's event loop touches it.
     */
    private static final class Drain extends ChannelInboundHandlerAdapter {
        final long startNs;
        /** When bytes last came; 0 while none have. */
        long lastReadNs;

        Drain(long startNs) {
            this.startNs = startNs;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
            lastReadNs = Math.max(1, System.nanoTime());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
