package io.strand.broker.network;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;

/**
 * Turns the {@link SharedFileRegion}s a response writes (record data in segment files) into pooled
 * direct buffers, for connections whose bytes must pass through a TLS engine, which cannot take a
 * file region ({@code sendfile} would bypass the encryption). Sits between the TLS handler and the
 * request handlers; plaintext connections do not have it and keep {@code sendfile}.
 *
 * <p>Record data is read from the page cache straight into a pooled direct buffer with a positional
 * read (the one copy TLS needs: the engine encrypts from it), at most {@value #CHUNK_BYTES} bytes at a
 * time and only while the channel is writable, so a large fetch never holds more than a chunk beyond
 * the socket's high-water mark. Everything written after a region waits behind it, so a connection's
 * bytes keep their order. A flush drains what the channel takes and flushes once, so the TLS engine
 * sees a whole response at a time rather than one record per part.
 *
 * <p>The TLS handler before it wraps up to a chunk per call ({@link #addWithTls}): the engine seals a
 * chunk's 16 KiB TLS records one after another into one buffer, which the socket takes in one write.
 * With Netty's default (16 KiB per wrap) every TLS record costs a slice, an output buffer, a promise
 * and an entry in the channel's outbound buffer; small parts of a response (its header, the fields
 * between record sets) are still gathered into one record, up to a chunk.
 *
 * <p>The last small buffer written while nothing is held (at most {@value #LEAD_MAX_BYTES} bytes, a
 * response's header and fields before its first records) is kept back until the next write or flush:
 * when a region follows it, the region's first chunk is read into a buffer that starts with those bytes.
 * Otherwise the TLS handler would gather the small buffer and the chunk into one wrap by copying the
 * whole chunk behind the small one.
 *
 * <p>Not thread-safe: on the connection's event loop only, as every handler.
 */
final class FileRegionReader extends ChannelDuplexHandler {

    /** Bytes read from a region per buffer. */
    static final int CHUNK_BYTES = 256 * 1024;
    /** The largest buffer kept back to lead a region's first chunk. */
    static final int LEAD_MAX_BYTES = 16 * 1024;

    /** A write held back behind a region (or the region being read). */
    private static final class Held {
        final Object msg;
        final ChannelPromise promise;
        /** For a region: the next position to read, relative to the region. */
        long transferred;

        Held(Object msg, ChannelPromise promise) {
            this.msg = msg;
            this.promise = promise;
        }
    }

    /**
     * Adds {@code tls} and a reader behind it to a new connection's pipeline (TLS nearest the socket),
     * with the TLS handler wrapping up to {@value #CHUNK_BYTES} bytes per call.
     */
    static void addWithTls(ChannelPipeline pipeline, SslHandler tls) {
        tls.setWrapDataSize(CHUNK_BYTES);
        pipeline.addLast("tls", tls).addLast("file-reads", new FileRegionReader());
    }

    private final ArrayDeque<Held> held = new ArrayDeque<>();
    /** Whether a flush was asked for while writes are held: the drain flushes when done. */
    private boolean flushPending;
    /**
     * A small buffer written while nothing was held, kept back (ahead of everything held) for the first
     * chunk of a region that may follow it; null when none. Its promise is always the void one.
     */
    private ByteBuf lead;

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (held.isEmpty() && !(msg instanceof SharedFileRegion)) {
            maybeWriteLead(ctx);
            if (promise.isVoid() && msg instanceof ByteBuf buf && buf.readableBytes() <= LEAD_MAX_BYTES) {
                lead = buf;
            } else {
                ctx.write(msg, promise);
            }
            return;
        }
        held.addLast(new Held(msg, promise));
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        if (held.isEmpty()) {
            maybeWriteLead(ctx);
            ctx.flush();
            return;
        }
        flushPending = true;
        drain(ctx);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && flushPending) {
            drain(ctx);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        discard(new ClosedChannelException());
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        discard(new ClosedChannelException());
    }

    /** Writes held messages, reading regions chunk by chunk, while the channel is writable; then flushes. */
    private void drain(ChannelHandlerContext ctx) {
        try {
            while (!held.isEmpty() && ctx.channel().isWritable()) {
                Held next = held.peekFirst();
                if (!(next.msg instanceof SharedFileRegion region)) {
                    maybeWriteLead(ctx);
                    held.removeFirst();
                    ctx.write(next.msg, next.promise);
                    continue;
                }
                ByteBuf leading = lead;
                lead = null;
                ByteBuf chunk = readChunk(ctx, region, next, leading);
                if (next.transferred == region.count()) {
                    held.removeFirst();
                    region.release();
                    ctx.write(chunk, next.promise);
                } else {
                    ctx.write(chunk, ctx.voidPromise());
                }
            }
        } catch (IOException e) {
            discard(e);
            ctx.fireExceptionCaught(e);
            ctx.close();
            return;
        }
        if (held.isEmpty()) {
            flushPending = false;
        }
        ctx.flush();
    }

    /** Passes the kept-back buffer on, if any: what comes next is not a region's first chunk. */
    private void maybeWriteLead(ChannelHandlerContext ctx) {
        if (lead != null) {
            ByteBuf buf = lead;
            lead = null;
            ctx.write(buf, ctx.voidPromise());
        }
    }

    /**
     * Reads the region's next chunk; a region's first chunk starts with {@code leading} (null for none),
     * which this releases, and holds that many fewer bytes of the file.
     */
    private static ByteBuf readChunk(ChannelHandlerContext ctx, SharedFileRegion region, Held at, ByteBuf leading)
            throws IOException {
        int leadBytes = leading == null ? 0 : leading.readableBytes();
        int length = (int) Math.min(CHUNK_BYTES - leadBytes, region.count() - at.transferred);
        ByteBuf chunk;
        try {
            chunk = ctx.alloc().directBuffer(leadBytes + length);
            if (leading != null) {
                chunk.writeBytes(leading);
            }
        } finally {
            ReferenceCountUtil.release(leading);
        }
        try {
            long position = region.position() + at.transferred;
            int read = 0;
            while (read < length) {
                int n = chunk.writeBytes(region.fileChannel(), position + read, length - read);
                if (n < 0) {
                    throw new EOFException("segment file ended at position " + (position + read)
                            + ", expected " + (region.position() + region.count()));
                }
                read += n;
            }
        } catch (IOException | RuntimeException e) {
            chunk.release();
            throw e;
        }
        at.transferred += length;
        return chunk;
    }

    private void discard(Throwable cause) {
        flushPending = false;
        ReferenceCountUtil.release(lead);
        lead = null;
        Held next;
        while ((next = held.pollFirst()) != null) {
            ReferenceCountUtil.release(next.msg);
            if (!next.promise.isVoid()) {
                next.promise.tryFailure(cause);
            }
        }
    }
}
