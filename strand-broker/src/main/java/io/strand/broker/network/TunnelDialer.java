package io.strand.broker.network;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import javax.security.sasl.SaslClient;
import javax.security.sasl.SaslException;
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
 * This node's side of one tunnelled connection to a voter ({@link SaslQuorumTunnel#endpointFor}): on the
 * connection to the voter's controller listener it authenticates as a Kafka client does (SaslHandshake v1,
 * then SaslAuthenticate v2 until this side's SASL client is done, which for SCRAM checks the server's
 * signature) and then joins it ({@link Splice}) to the local connection Ratis opened. A refusal (the
 * mechanism not served, SASL_AUTHENTICATION_FAILED, a server that does not prove itself) closes both; the
 * reason goes to {@code onRefused}.
 *
 * <p>States: HANDSHAKE (waiting for the SaslHandshake answer) → AUTHENTICATE (tokens) → joined (this
 * handler removed). Not thread-safe: one per connection, on the event loop the two channels share.
 */
final class TunnelDialer extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(TunnelDialer.class);
    static final String DECODER = "sasl-frames";
    private static final short HANDSHAKE_VERSION = 1;
    private static final short AUTHENTICATE_VERSION = 2;

    private final Channel local;
    private final InetSocketAddress voter;
    private final SaslLogin sasl;
    private final String clientId;
    private final Consumer<String> onRefused;
    private RequestHeader awaiting;
    private int nextCorrelationId;
    private SaslClient saslClient;

    /**
     * @param local     the connection Ratis opened to the local endpoint (auto-read off until joined)
     * @param voter     the voter's controller listener
     * @param onRefused told why an authentication failed, for the tunnel's log
     */
    TunnelDialer(Channel local, InetSocketAddress voter, SaslLogin sasl, String clientId,
                 Consumer<String> onRefused) {
        this.local = local;
        this.voter = voter;
        this.sasl = sasl;
        this.clientId = clientId;
        this.onRefused = onRefused;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // A TLS handler ahead holds this until its handshake is done.
        write(ctx, ApiKeys.SASL_HANDSHAKE, HANDSHAKE_VERSION, new SaslHandshakeRequestData().setMechanism(sasl.mechanism()));
        ctx.fireChannelActive();
    }

    private void write(ChannelHandlerContext ctx, ApiKeys api, short version, ApiMessage body) {
        awaiting = new RequestHeader(api, version, clientId, nextCorrelationId++);
        ByteBuffer bytes = RequestUtils.serialize(awaiting.data(), awaiting.headerVersion(), body, version);
        ctx.writeAndFlush(Unpooled.wrappedBuffer(Unpooled.copyInt(bytes.remaining()), Unpooled.wrappedBuffer(bytes)));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        ApiMessage data;
        RequestHeader header = awaiting;
        try {
            if (header == null) {
                refuse(ctx, "sent an answer nobody asked for");
                return;
            }
            ByteBuffer bytes = ByteBuffer.allocate(frame.readableBytes());
            frame.readBytes(bytes);
            bytes.flip();
            data = AbstractResponse.parseResponse(bytes, header).data();
        } catch (RuntimeException e) {
            refuse(ctx, "sent an unreadable " + header.apiKey() + " answer: " + e);
            return;
        } finally {
            ReferenceCountUtil.release(frame);
        }
        awaiting = null;
        try {
            if (data instanceof SaslHandshakeResponseData handshake) {
                onHandshake(ctx, handshake);
            } else {
                onAuthenticate(ctx, (SaslAuthenticateResponseData) data);
            }
        } catch (SaslException | RuntimeException e) {
            refuse(ctx, "SASL " + sasl.mechanism() + " failed: " + e.getMessage());
        }
    }

    private void onHandshake(ChannelHandlerContext ctx, SaslHandshakeResponseData response) throws SaslException {
        if (response.errorCode() != Errors.NONE.code()) {
            refuse(ctx, "does not serve SASL mechanism " + sasl.mechanism() + " (" + Errors.forCode(response.errorCode())
                    + "); it serves " + response.mechanisms());
            return;
        }
        saslClient = sasl.newClient(voter.getHostString());
        byte[] first = saslClient.hasInitialResponse() ? saslClient.evaluateChallenge(new byte[0]) : new byte[0];
        writeToken(ctx, first);
    }

    private void writeToken(ChannelHandlerContext ctx, byte[] token) {
        write(ctx, ApiKeys.SASL_AUTHENTICATE, AUTHENTICATE_VERSION,
                new SaslAuthenticateRequestData().setAuthBytes(token == null ? new byte[0] : token));
    }

    private void onAuthenticate(ChannelHandlerContext ctx, SaslAuthenticateResponseData response) throws SaslException {
        if (response.errorCode() != Errors.NONE.code()) {
            refuse(ctx, "refused " + sasl.mechanism() + " as " + sasl.username() + ": " + response.errorMessage());
            return;
        }
        if (!saslClient.isComplete()) {
            byte[] next = saslClient.evaluateChallenge(response.authBytes());
            if (!saslClient.isComplete()) {
                writeToken(ctx, next);
                return;
            }
        }
        disposeClient();
        if (!local.isActive()) {
            ctx.close();
            return;
        }
        Channel remote = ctx.channel();
        remote.pipeline().remove(this);
        Splice.join(local, remote);
        remote.pipeline().remove(DECODER);
        LOG.debug("Tunnel to voter {} authenticated as {}", voter, sasl.username());
    }

    private void refuse(ChannelHandlerContext ctx, String reason) {
        disposeClient();
        onRefused.accept("controller listener " + voter + " " + reason);
        ctx.close();
        OrderlyClose.close(local);
    }

    private void disposeClient() {
        if (saslClient != null) {
            try {
                saslClient.dispose();
            } catch (SaslException e) {
                LOG.debug("Cannot dispose the SASL client", e);
            }
            saslClient = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        disposeClient();
        OrderlyClose.close(local);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        refuse(ctx, "failed: " + cause);
    }
}
