package io.strand.broker.network;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One direction of a joined pair of connections: what this channel reads is written to the other, and the
 * next read is asked for only once that write is done, so a slow side holds the other back rather than
 * filling memory (both channels have auto-read off). When either side closes or fails, the other is
 * closed once what was written to it is flushed ({@link OrderlyClose}: a Ratis client's connection with an
 * end of stream, never a reset).
 *
 * <p>Used by the quorum tunnel ({@link SaslQuorumTunnel}) once a connection has authenticated: each of the
 * two channels gets one, naming the other ({@link #join}). Runs on the channels' event loop; no state of
 * its own beyond the other channel.
 */
final class Splice extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(Splice.class);

    private final Channel other;

    private Splice(Channel other) {
        this.other = other;
    }

    /**
     * Joins {@code a} and {@code b}: adds a splice at the end of each pipeline, turns auto-read off and asks
     * each for its first read. Call on their event loop, with every other handler after the transport's
     * (TLS) removed or about to be removed (their leftovers then flow to the splice).
     */
    static void join(Channel a, Channel b) {
        a.config().setAutoRead(false);
        b.config().setAutoRead(false);
        a.pipeline().addLast("splice", new Splice(b));
        b.pipeline().addLast("splice", new Splice(a));
        a.read();
        b.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!other.isActive()) {
            io.netty.util.ReferenceCountUtil.release(msg);
            closeOnFlush(ctx.channel());
            return;
        }
        other.writeAndFlush(msg).addListener((ChannelFutureListener) written -> {
            if (written.isSuccess()) {
                ctx.channel().read();
            } else {
                LOG.debug("Cannot relay to {}: {}", other.remoteAddress(), String.valueOf(written.cause()));
                closeOnFlush(written.channel());
                closeOnFlush(ctx.channel());
            }
        });
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closeOnFlush(other);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("Relayed connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        closeOnFlush(ctx.channel());
    }

    /** Closes {@code channel} once what was written to it is flushed; a Ratis client's with an {@link OrderlyClose}. */
    static void closeOnFlush(Channel channel) {
        OrderlyClose.close(channel);
    }
}
