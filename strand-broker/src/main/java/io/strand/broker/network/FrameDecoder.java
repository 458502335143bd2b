package io.strand.broker.network;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.ByteBuffer;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Splits a connection's bytes into Kafka request frames: a 4-byte big-endian size, then that many
 * bytes. Each frame is handed on as a heap {@link ByteBuffer} holding exactly the payload; its
 * capacity is what the frame reserved from the node's {@link RequestMemory}, for the next handler to
 * give back once the request is answered. A frame reserves its bytes as they arrive, not the size it
 * declares: a client that declares large frames and sends little holds little.
 *
 * <p>A size below zero or above the limit closes the connection before any of the frame is buffered or
 * allocated (Kafka does the same). The limit is {@code socket.request.max.bytes}, or on a SASL connection
 * {@code sasl.server.max.receive.size} until it has authenticated ({@link #maxFrameBytes(int, String)}).
 * A frame whose bytes find the node's request memory spent buffers nothing more: the decoder fires
 * {@link #MEMORY_EXHAUSTED} (the connection handler stops reading) and, once memory is given back,
 * {@link #MEMORY_AVAILABLE} (it may read again), and decodes what it holds. One instance per
 * connection, on its event loop.
 */
final class FrameDecoder extends ByteToMessageDecoder {

    private static final Logger LOG = LoggerFactory.getLogger(FrameDecoder.class);
    static final int SIZE_FIELD_BYTES = 4;
    /** User event: this connection must stop reading until {@link #MEMORY_AVAILABLE}. */
    static final Object MEMORY_EXHAUSTED = "request memory exhausted";
    /** User event: the memory this connection waited for is there. */
    static final Object MEMORY_AVAILABLE = "request memory available";

    private int maxFrameBytes;
    private String limitProperty = "socket.request.max.bytes";
    private final RequestMemory memory;
    /** Bytes reserved for the frame being read (those buffered so far), or -1 before its size is read. */
    private int reserved = -1;
    private boolean waiting;

    FrameDecoder(int maxFrameBytes, RequestMemory memory) {
        this.maxFrameBytes = maxFrameBytes;
        this.memory = memory;
    }

    /** @param limitProperty the property {@code maxFrameBytes} comes from, as refusals name it */
    FrameDecoder(int maxFrameBytes, String limitProperty, RequestMemory memory) {
        this.maxFrameBytes = maxFrameBytes;
        this.limitProperty = limitProperty;
        this.memory = memory;
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
        while (!waiting && in.readableBytes() >= SIZE_FIELD_BYTES) {
            int frameBytes = in.getInt(in.readerIndex());
            if (frameBytes < 0 || frameBytes > maxFrameBytes) {
                LOG.warn("Closing connection from {}: request of size={} exceeds {}={}",
                        ctx.channel().remoteAddress(), frameBytes, limitProperty, maxFrameBytes);
                in.skipBytes(in.readableBytes());
                ctx.close();
                return;
            }
            // Reserve what of the frame is buffered, as it arrives: a frame that declares a large size
            // and sends little holds little.
            int buffered = Math.min(in.readableBytes() - SIZE_FIELD_BYTES, frameBytes);
            int held = Math.max(reserved, 0);
            if (buffered > held || reserved < 0) {
                if (!memory.tryReserve(buffered - held)) {
                    waitForMemory(ctx);
                    return;
                }
                reserved = buffered;
            }
            if (buffered < frameBytes) {
                return;
            }
            in.skipBytes(SIZE_FIELD_BYTES);
            ByteBuffer frame = ByteBuffer.allocate(frameBytes);
            in.readBytes(frame);
            frame.flip();
            reserved = -1;
            out.add(frame);
        }
    }

    private void waitForMemory(ChannelHandlerContext ctx) {
        waiting = true;
        ctx.fireUserEventTriggered(MEMORY_EXHAUSTED);
        memory.whenAvailable(() -> ctx.executor().execute(() -> {
            if (!ctx.channel().isOpen() || ctx.isRemoved()) {
                return;
            }
            waiting = false;
            ctx.fireUserEventTriggered(MEMORY_AVAILABLE);
            // Decode what is buffered already: an empty read runs the decoder over the cumulation.
            try {
                channelRead(ctx, Unpooled.EMPTY_BUFFER);
            } catch (Exception e) {
                ctx.fireExceptionCaught(e);
            }
        }));
    }

    /**
     * While waiting for memory, ends the read without asking for more: a decoder that emitted nothing
     * otherwise reads on even with auto-read off (Netty's decoders do, to complete a frame), which
     * would buffer the very bytes the wait is for.
     */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        if (waiting) {
            ctx.fireChannelReadComplete();
            return;
        }
        super.channelReadComplete(ctx);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        if (reserved >= 0) {
            memory.release(reserved);
            reserved = -1;
        }
    }
}
