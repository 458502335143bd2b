package io.strand.broker.network;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The voter's side of one connection to its SASL controller listener ({@link SaslQuorumTunnel#serve}):
 * the connection first authenticates as a Kafka client does on a SASL listener (SaslHandshake, then
 * SaslAuthenticate until done; {@link SaslAuthenticator} decides, with the listener's mechanisms and
 * users), and only then is joined ({@link Splice}) to a new connection to the voter's Raft server on
 * loopback. Anything else before that closes the connection: ApiVersions and every other request (this
 * listener serves no Kafka API), a failed authentication (after its SASL_AUTHENTICATION_FAILED answer,
 * as Kafka answers it), a frame larger than {@code sasl.server.max.receive.size}, or no authentication
 * within {@link SaslQuorumTunnel#AUTHENTICATION_TIMEOUT_MS}. The client must wait for the last answer
 * before it sends the quorum's bytes. With {@code connections.max.reauth.ms} the joined connection is closed
 * when its session ends (its bytes cannot carry a re-authentication); the next one authenticates anew.
 *
 * <p>Not thread-safe: one per connection, on its event loop.
 */
final class TunnelAcceptor extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(TunnelAcceptor.class);
    static final String DECODER = "sasl-frames";

    private final SaslAuthenticator authenticator;
    private final InetSocketAddress raftServer;
    private final String listenerName;
    private ScheduledFuture<?> deadline;
    /** Set once authenticated: no more frames are taken. */
    private boolean joining;

    TunnelAcceptor(ListenerSecurity security, SaslMechanisms mechanisms, InetAddress client,
                   InetSocketAddress raftServer) {
        this.authenticator = new SaslAuthenticator(security, mechanisms, client, version -> false);
        this.raftServer = raftServer;
        this.listenerName = security.listenerName();
    }

    /** The frame decoder to go before this handler: size-prefixed frames up to {@code maxFrameBytes}. */
    static LengthFieldBasedFrameDecoder newDecoder(int maxFrameBytes) {
        return new LengthFieldBasedFrameDecoder(maxFrameBytes, 0, 4, 0, 4);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        deadline = ctx.executor().schedule(() -> {
            if (!joining) {
                LOG.info("Closing connection from {} to controller listener {}: not authenticated within {} ms",
                        ctx.channel().remoteAddress(), listenerName, SaslQuorumTunnel.AUTHENTICATION_TIMEOUT_MS);
                ctx.close();
            }
        }, SaslQuorumTunnel.AUTHENTICATION_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        try {
            if (joining) {
                close(ctx, "sent data before its authentication was answered");
                return;
            }
            ByteBuffer bytes = ByteBuffer.allocate(frame.readableBytes());
            frame.readBytes(bytes);
            bytes.flip();
            onStep(ctx, authenticator.onFrame(bytes, System.nanoTime()));
        } finally {
            ReferenceCountUtil.release(frame);
        }
    }

    private void onStep(ChannelHandlerContext ctx, SaslAuthenticator.Step step) {
        if (step instanceof SaslAuthenticator.Serve) {
            close(ctx, "sent a Kafka request other than SaslHandshake and SaslAuthenticate; a controller listener"
                    + " serves only the metadata quorum");
        } else if (step instanceof SaslAuthenticator.Close close) {
            close(ctx, close.reason());
        } else if (step instanceof SaslAuthenticator.RawToken raw) {
            ByteBuf out = ctx.alloc().buffer(4 + raw.token().length);
            out.writeInt(raw.token().length).writeBytes(raw.token());
            ctx.writeAndFlush(out);
            maybeJoin(ctx);
        } else if (step instanceof SaslAuthenticator.Respond respond) {
            RequestHeader header = respond.header();
            ByteBuffer body = RequestUtils.serialize(new ResponseHeaderData().setCorrelationId(header.correlationId()),
                    header.apiKey().responseHeaderVersion(header.apiVersion()), respond.body(), header.apiVersion());
            ByteBuf out = Unpooled.wrappedBuffer(Unpooled.copyInt(body.remaining()), Unpooled.wrappedBuffer(body));
            if (respond.thenClose()) {
                ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            ctx.writeAndFlush(out);
            maybeJoin(ctx);
        }
    }

    /** Once authenticated: connects to the Raft server and joins the two; nothing more is read until then. */
    private void maybeJoin(ChannelHandlerContext ctx) {
        if (!authenticator.isAuthenticated()) {
            return;
        }
        joining = true;
        Channel client = ctx.channel();
        client.config().setAutoRead(false);
        LOG.debug("{} authenticated on controller listener {} from {}", authenticator.principal(), listenerName,
                client.remoteAddress());
        new Bootstrap().group(client.eventLoop()).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) SaslQuorumTunnel.AUTHENTICATION_TIMEOUT_MS)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        // Nothing until joined: the splice is added once both connections are up.
                    }
                })
                .connect(raftServer).addListener((ChannelFutureListener) connected -> {
                    if (!connected.isSuccess()) {
                        close(ctx, "cannot reach the Raft server at " + raftServer + ": " + connected.cause());
                        return;
                    }
                    Channel raft = connected.channel();
                    if (!client.isActive()) {
                        raft.close();
                        return;
                    }
                    deadline.cancel(false);
                    client.closeFuture().addListener(closed -> raft.close());
                    long lifetimeMs = authenticator.sessionLifetimeMs();
                    if (lifetimeMs > 0) {
                        // The quorum's bytes cannot carry a re-authentication: the session ends with the
                        // connection, as Kafka ends one whose client does not re-authenticate in time.
                        client.eventLoop().schedule(() -> {
                            if (client.isActive()) {
                                LOG.info("Closing connection from {} to controller listener {}: its SASL session"
                                        + " of {} ms ended (connections.max.reauth.ms)", client.remoteAddress(),
                                        listenerName, lifetimeMs);
                                client.close();
                            }
                        }, lifetimeMs, TimeUnit.MILLISECONDS);
                    }
                    client.pipeline().remove(this);
                    Splice.join(client, raft);
                    // Leftover bytes (none from a well-behaved client) flow to the splice.
                    client.pipeline().remove(DECODER);
                });
    }

    private void close(ChannelHandlerContext ctx, String reason) {
        LOG.info("Closing connection from {} to controller listener {}: {}", ctx.channel().remoteAddress(),
                listenerName, reason);
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (deadline != null) {
            deadline.cancel(false);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        close(ctx, cause.toString());
    }
}
