package io.strand.broker.controller;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.strand.metadata.controller.BrokerProber;
import java.io.IOException;
import java.net.ConnectException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The active controller's {@link BrokerProber}: a TCP connect with a short timeout on one event
 * loop of its own (thread {@code strand-broker-prober-<nodeId>}), closed as soon as it is made.
 * Nothing is sent; the broker sees a connection that opens and closes.
 *
 * <p>Outcomes: a {@link ConnectException} from the connect itself (the host answered with a reset:
 * nothing listens) is {@link Outcome#REFUSED}; a connection made is {@link Outcome#ACCEPTED};
 * everything else (the timeout, an unreachable host or network, an unknown host name, a closed
 * prober) is {@link Outcome#NO_ANSWER}. NIO, not epoll, on purpose: the JDK's socket channel
 * maps ECONNREFUSED to {@code ConnectException} and an unreachable host to
 * {@code NoRouteToHostException}, where Netty's native transport reports most connect errors as
 * {@code ConnectException}. The JDK also reports the kernel's own connect timeout (ETIMEDOUT) as a
 * {@code ConnectException}; {@link #CONNECT_TIMEOUT_MS} is below the shortest the kernel allows
 * (3 s, one SYN retry), so that one never arrives first.
 *
 * <p>Thread-safe; {@link #probe} never blocks (the host name is resolved on the prober's loop).
 * {@link #close()} stops the loop; probes under way answer NO_ANSWER.
 */
public final class NettyBrokerProber implements BrokerProber, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NettyBrokerProber.class);

    /** How long a connect may take before the probe answers {@link Outcome#NO_ANSWER}. */
    static final int CONNECT_TIMEOUT_MS = 1_000;
    private static final long CLOSE_TIMEOUT_MS = 5_000;

    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    /** Probes whose outcome is not known yet; {@link #close()} answers them. */
    private final Set<CompletableFuture<Outcome>> pending = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    public NettyBrokerProber(int nodeId) {
        this.group = new NioEventLoopGroup(1, new DefaultThreadFactory("strand-broker-prober-" + nodeId, true));
        this.bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MS)
                .handler(NothingToRead.INSTANCE);
    }

    @Override
    public CompletableFuture<Outcome> probe(String host, int port) {
        CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        pending.add(outcome);
        outcome.whenComplete((answer, error) -> pending.remove(outcome));
        if (closed) {
            // Checked after the add: a close from now on finds it pending, one before is seen here.
            outcome.complete(Outcome.NO_ANSWER);
            return outcome;
        }
        ChannelFuture connect;
        try {
            connect = bootstrap.connect(host, port);
        } catch (RuntimeException e) {
            log.debug("Cannot probe {}:{}", host, port, e);
            outcome.complete(Outcome.NO_ANSWER);
            return outcome;
        }
        connect.addListener((ChannelFuture done) -> {
            if (done.isSuccess()) {
                done.channel().close();
                outcome.complete(Outcome.ACCEPTED);
                return;
            }
            Outcome answer = classify(done.cause());
            if (done.cause() instanceof IOException) {
                log.debug("Probe of {}:{}: {}", host, port, answer, done.cause());
            } else {
                log.warn("Probe of {}:{} failed unexpectedly", host, port, done.cause());
            }
            outcome.complete(answer);
        });
        return outcome;
    }

    /** What a failed connect means; see the class doc. */
    static Outcome classify(Throwable cause) {
        return cause instanceof ConnectException && !(cause instanceof ConnectTimeoutException)
                ? Outcome.REFUSED : Outcome.NO_ANSWER;
    }

    /** Every probe's channel shares it: a connection is closed before it could read anything. */
    @ChannelHandler.Sharable
    private static final class NothingToRead extends ChannelInboundHandlerAdapter {
        static final NothingToRead INSTANCE = new NothingToRead();
    }

    @Override
    public void close() {
        closed = true;
        group.shutdownGracefully(0, CLOSE_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                .awaitUninterruptibly(CLOSE_TIMEOUT_MS + 1_000);
        // A connect under way when the loop stopped may never be answered by it.
        pending.forEach(outcome -> outcome.complete(Outcome.NO_ANSWER));
    }
}
