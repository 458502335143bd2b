package io.strand.broker.network;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When a connection last read or wrote anything, and the closing of connections idle for longer than
 * {@code connections.max.idle.ms}, as Kafka's processors close them. A connection waiting for the
 * response to a request it sent (a long poll) is not idle: only its bytes count, and a long poll
 * answers within its {@code max.wait.ms}, far below the idle limit.
 *
 * <p>First in the pipeline, so it sees the socket's bytes whatever decodes them. One per connection;
 * {@link #lastActiveNs} may be read from any thread, the rest runs on the connection's event loop.
 */
public final class ConnectionActivity extends ChannelDuplexHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionActivity.class);

    private final long maxIdleNs;
    private volatile long lastActiveNs = System.nanoTime();
    private ScheduledFuture<?> idleCheck;

    /** @param maxIdleMs {@code connections.max.idle.ms}; a negative value never closes a connection */
    public ConnectionActivity(long maxIdleMs) {
        this.maxIdleNs = maxIdleMs < 0 ? -1 : TimeUnit.MILLISECONDS.toNanos(maxIdleMs);
    }

    /** Monotonic time of the connection's last read or write (its opening before either). */
    public long lastActiveNs() {
        return lastActiveNs;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        lastActiveNs = System.nanoTime();
        if (maxIdleNs >= 0) {
            scheduleIdleCheck(ctx, maxIdleNs);
        }
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        lastActiveNs = System.nanoTime();
        super.channelRead(ctx, msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        lastActiveNs = System.nanoTime();
        super.write(ctx, msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (idleCheck != null) {
            idleCheck.cancel(false);
        }
        super.channelInactive(ctx);
    }

    private void scheduleIdleCheck(ChannelHandlerContext ctx, long delayNs) {
        idleCheck = ctx.executor().schedule(() -> checkIdle(ctx), delayNs, TimeUnit.NANOSECONDS);
    }

    private void checkIdle(ChannelHandlerContext ctx) {
        if (!ctx.channel().isOpen()) {
            return;
        }
        long idleNs = System.nanoTime() - lastActiveNs;
        if (idleNs >= maxIdleNs) {
            LOG.debug("Closing connection from {}: idle for {} ms (connections.max.idle.ms)",
                    ctx.channel().remoteAddress(), TimeUnit.NANOSECONDS.toMillis(idleNs));
            ctx.close();
        } else {
            scheduleIdleCheck(ctx, maxIdleNs - idleNs);
        }
    }
}
