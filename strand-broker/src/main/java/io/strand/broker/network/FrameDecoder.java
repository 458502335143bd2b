package io.strand.broker.network;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.ByteBuffer;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Splits a connection's bytes into Kafka request frames: a 4-byte big-endian size, then that many
 * bytes. Each frame is handed on as a heap {@link ByteBuffer} holding exactly the payload.
 *
 * <p>A size below zero or above the limit closes the connection before any of the frame is buffered or
 * allocated (Kafka does the same). The limit is {@code socket.request.max.bytes}, or on a SASL connection
 * {@code sasl.server.max.receive.size} until it has authenticated ({@link #maxFrameBytes(int, String)}).
 * One instance per connection, on its event loop.
 */
final class FrameDecoder extends ByteToMessageDecoder {

    private static final Logger LOG = LoggerFactory.getLogger(FrameDecoder.class);
    static final int SIZE_FIELD_BYTES = 4;

    private int maxFrameBytes;
    private String limitProperty = "socket.request.max.bytes";

    FrameDecoder(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
    }

    FrameDecoder(int maxFrameBytes, String limitProperty) {
        this.maxFrameBytes = maxFrameBytes;
        this.limitProperty = limitProperty;
    }

    int maxFrameBytes() {
        return maxFrameBytes;
    }

    /** Frames read from now on may have at most {@code bytes}, the value of {@code property}. Event loop only. */
    void maxFrameBytes(int bytes, String property) {
        this.maxFrameBytes = bytes;
        this.limitProperty = property;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.readableBytes() >= SIZE_FIELD_BYTES) {
            int frameBytes = in.getInt(in.readerIndex());
            if (frameBytes < 0 || frameBytes > maxFrameBytes) {
                LOG.warn("Closing connection from {}: request of size={} exceeds {}={}",
                        ctx.channel().remoteAddress(), frameBytes, limitProperty, maxFrameBytes);
                in.skipBytes(in.readableBytes());
                ctx.close();
                return;
            }
            if (in.readableBytes() < SIZE_FIELD_BYTES + frameBytes) {
                return;
            }
            in.skipBytes(SIZE_FIELD_BYTES);
            ByteBuffer frame = ByteBuffer.allocate(frameBytes);
            in.readBytes(frame);
            frame.flip();
            out.add(frame);
        }
    }
}
