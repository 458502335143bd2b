package io.strand.broker.network;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.network.TransferableChannel;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.protocol.Writable;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.ResponseHeader;

/**
 * Serializes one response (size prefix, header, body) onto a channel. Record data held in segment
 * files goes out as {@link SharedFileRegion}s, so on a plaintext connection the kernel copies it from
 * the page cache to the socket ({@code sendfile}) and it never enters the JVM heap.
 *
 * <p>Call {@link #write} on the channel's event loop (an {@code EmbeddedChannel}'s is the caller's
 * thread). The caller flushes. Public so that the fetch benchmark times the real serialization.
 */
public final class ResponseWriter implements Writable {

    private final Channel channel;
    private final ByteBufAllocator alloc;
    private final List<Object> parts = new ArrayList<>(4);
    private ByteBuf current;

    private ResponseWriter(Channel channel) {
        this.channel = channel;
        this.alloc = channel.alloc();
    }

    /** Writes the response frame for {@code body} at {@code apiVersion} with {@code header}. */
    public static void write(Channel channel, ResponseHeader header, ApiMessage body, short apiVersion) {
        ObjectSerializationCache cache = new ObjectSerializationCache();
        int headerBytes = header.size();
        int bodyBytes = body.size(cache, apiVersion);
        ResponseWriter writer = new ResponseWriter(channel);
        writer.current = writer.alloc.buffer(Math.min(4 + headerBytes + bodyBytes, 64 * 1024));
        try {
            writer.current.writeInt(headerBytes + bodyBytes);
            header.data().write(writer, cache, header.headerVersion());
            body.write(writer, cache, apiVersion);
        } catch (RuntimeException e) {
            writer.release();
            throw e;
        }
        writer.finish();
    }

    /** Frees what was written so far, when the response cannot be completed. */
    private void release() {
        for (Object part : parts) {
            io.netty.util.ReferenceCountUtil.release(part);
        }
        parts.clear();
        if (current != null) {
            current.release();
            current = null;
        }
    }

    private void finish() {
        parts.add(current);
        current = null;
        for (Object part : parts) {
            channel.write(part, channel.voidPromise());
        }
    }

    @Override
    public void writeByte(byte val) {
        current.writeByte(val);
    }

    @Override
    public void writeShort(short val) {
        current.writeShort(val);
    }

    @Override
    public void writeInt(int val) {
        current.writeInt(val);
    }

    @Override
    public void writeLong(long val) {
        current.writeLong(val);
    }

    @Override
    public void writeDouble(double val) {
        current.writeDouble(val);
    }

    @Override
    public void writeByteArray(byte[] arr) {
        current.writeBytes(arr);
    }

    @Override
    public void writeUnsignedVarint(int i) {
        while ((i & 0xffffff80) != 0L) {
            current.writeByte((i & 0x7f) | 0x80);
            i >>>= 7;
        }
        current.writeByte(i);
    }

    @Override
    public void writeVarint(int i) {
        writeUnsignedVarint((i << 1) ^ (i >> 31));
    }

    @Override
    public void writeVarlong(long v) {
        long z = (v << 1) ^ (v >> 63);
        while ((z & 0xffffffffffffff80L) != 0L) {
            current.writeByte(((int) z & 0x7f) | 0x80);
            z >>>= 7;
        }
        current.writeByte((int) z);
    }

    @Override
    public void writeByteBuffer(ByteBuffer buf) {
        current.writeBytes(buf.duplicate());
    }

    @Override
    public void writeUuid(Uuid uuid) {
        current.writeLong(uuid.getMostSignificantBits());
        current.writeLong(uuid.getLeastSignificantBits());
    }

    @Override
    public void writeRecords(BaseRecords records) {
        if (records instanceof MemoryRecords memory) {
            writeByteBuffer(memory.buffer());
        } else if (records instanceof FileRecords file) {
            if (file.sizeInBytes() == 0) {
                return;
            }
            parts.add(current);
            current = alloc.buffer(256);
            try {
                file.writeTo(new RegionCapture(parts), 0, file.sizeInBytes());
            } catch (IOException e) {
                throw new IllegalStateException("Cannot slice " + file, e);
            }
        } else {
            throw new IllegalArgumentException("Unsupported records type " + records.getClass());
        }
    }

    /** Turns FileRecords' transferFrom call into a file region, without transferring anything yet. */
    private static final class RegionCapture implements TransferableChannel {
        private final List<Object> parts;

        RegionCapture(List<Object> parts) {
            this.parts = parts;
        }

        @Override
        public boolean hasPendingWrites() {
            return false;
        }

        @Override
        public long transferFrom(FileChannel fileChannel, long position, long count) {
            parts.add(new SharedFileRegion(fileChannel, position, count));
            return count;
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long write(ByteBuffer[] srcs) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int write(ByteBuffer src) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }
}
