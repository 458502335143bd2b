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
 * with an orderly end of stream, never with a reset.
 *
 * <p>Why: closing a socket that still holds unread bytes makes the kernel answer with a reset, and Ratis'
 * netty client (its {@code NettyRpcProxy}) takes a reset as an exception: it fails the requests outstanding
 * on the connection at once, and their sender (a leader's log appender, a candidate's vote) then closes the
 * connection from its own thread while holding the connection's lock and waiting, up to 5 s, for the close
 * to finish on the event loop. The event loop meanwhile runs the connection's {@code channelInactive}, which
 * needs that lock: it stalls for those 5 s, and with it every other peer connection it serves. A leader
 * whose appender to its one live follower shared that thread lost its lease and the quorum elected again
 * (seen after a voter was killed: every reconnect to a dead voter is accepted by the endpoint and then
 * closed by the tunnel, with Ratis' first request unread). An end of stream instead makes Ratis close the
 * connection itself on its event loop, so its requests fail in {@code channelInactive} before their sender
 * wakes, and the lock is never waited for while held.
 *
 * <p>How: the channel is marked when accepted ({@link #mark}); {@link #close} then shuts its output down,
 * reads and drops whatever Ratis still sends, and closes it once Ratis has closed its end, or after
 * {@link #LINGER_MS} at the latest. Unmarked channels are closed after a flush, as before. Thread-safe;
 * the work runs on the channel's event loop.
 */
final class OrderlyClose {

    /** How long a half-closed connection waits for Ratis to close its end before it is closed anyway. */
    static final long LINGER_MS = 10_000;

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
        pipeline.addLast("drain", new Drain());
        channel.eventLoop().schedule(() -> {
            channel.close();
        }, LINGER_MS, TimeUnit.MILLISECONDS);
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) flushed ->
                duplex.shutdownOutput().addListener((ChannelFutureListener) shut -> {
                    if (!shut.isSuccess()) {
                        channel.close();
                    }
                }));
        channel.config().setAutoRead(true);
        channel.read();
    }

    /** Drops what the peer sends after this side's end of stream; the channel closes when the peer's does. */
    private static final class Drain extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
