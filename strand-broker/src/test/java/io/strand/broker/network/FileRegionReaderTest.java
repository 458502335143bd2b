package io.strand.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Record data from segment files reaches a TLS connection as buffers, in order, a chunk at a time. */
class FileRegionReaderTest {

    @TempDir
    Path dir;

    private byte[] segment(int bytes) throws Exception {
        byte[] data = new byte[bytes];
        new Random(42).nextBytes(data);
        Files.write(dir.resolve("segment.log"), data);
        return data;
    }

    /** Everything the channel wrote, concatenated; counts the chunks read from the file. */
    private static byte[] written(EmbeddedChannel channel, int[] directBuffers) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuf buf;
        while ((buf = channel.readOutbound()) != null) {
            if (buf.isDirect()) {
                directBuffers[0]++;
                assertThat(buf.readableBytes()).isLessThanOrEqualTo(FileRegionReader.CHUNK_BYTES);
            }
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            out.writeBytes(bytes);
            buf.release();
        }
        return out.toByteArray();
    }

    @Test
    void aRegionGoesOutAsBuffersBetweenTheBytesWrittenAroundIt() throws Exception {
        byte[] data = segment(3 * FileRegionReader.CHUNK_BYTES + 1000);
        try (FileChannel file = FileChannel.open(dir.resolve("segment.log"), StandardOpenOption.READ)) {
            EmbeddedChannel channel = new EmbeddedChannel(new FileRegionReader());
            // A tiny high-water mark: the reader stops after each chunk and resumes when the channel drains.
            channel.config().setOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1, 2));
            SharedFileRegion region = new SharedFileRegion(file, 500, data.length - 700);
            channel.write(Unpooled.copiedBuffer("head", StandardCharsets.US_ASCII));
            channel.write(region);
            channel.write(Unpooled.copiedBuffer("tail", StandardCharsets.US_ASCII));
            channel.flush();
            channel.runPendingTasks();
            int[] chunks = {0};
            byte[] out = written(channel, chunks);
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            expected.writeBytes("head".getBytes(StandardCharsets.US_ASCII));
            expected.write(data, 500, data.length - 700);
            expected.writeBytes("tail".getBytes(StandardCharsets.US_ASCII));
            assertThat(out).isEqualTo(expected.toByteArray());
            assertThat(chunks[0]).isEqualTo(4);
            assertThat(region.refCnt()).isZero();
            assertThat(file.isOpen()).as("the segment owns its file").isTrue();
            assertThat(channel.finish()).isFalse();
        }
    }

    @Test
    void theSmallBufferBeforeARegionLeadsItsFirstChunk() throws Exception {
        byte[] data = segment(2 * FileRegionReader.CHUNK_BYTES);
        try (FileChannel file = FileChannel.open(dir.resolve("segment.log"), StandardOpenOption.READ)) {
            EmbeddedChannel channel = new EmbeddedChannel(new FileRegionReader());
            ByteBuf first = Unpooled.copiedBuffer("first response", StandardCharsets.US_ASCII);
            ByteBuf header = Unpooled.copiedBuffer("header", StandardCharsets.US_ASCII);
            channel.writeAndFlush(first);
            channel.write(header, channel.voidPromise());
            channel.write(new SharedFileRegion(file, 0, data.length), channel.voidPromise());
            channel.flush();
            channel.runPendingTasks();

            ByteBuf out = channel.readOutbound();
            assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("first response");
            out.release();
            ByteBuf chunk = channel.readOutbound();
            assertThat(chunk.isDirect()).isTrue();
            assertThat(chunk.readableBytes()).isEqualTo(FileRegionReader.CHUNK_BYTES);
            assertThat(chunk.readCharSequence(6, StandardCharsets.US_ASCII).toString()).isEqualTo("header");
            byte[] fileBytes = new byte[chunk.readableBytes()];
            chunk.readBytes(fileBytes);
            assertThat(fileBytes).isEqualTo(java.util.Arrays.copyOf(data, fileBytes.length));
            chunk.release();
            assertThat(header.refCnt()).isZero();
            int[] chunks = {0};
            byte[] rest = written(channel, chunks);
            assertThat(rest).isEqualTo(java.util.Arrays.copyOfRange(data, fileBytes.length, data.length));
            assertThat(channel.finish()).isFalse();
        }
    }

    /** Passes on only as many flushes as permitted, so a test can stop the reader between chunks. */
    private static final class FlushGate extends ChannelOutboundHandlerAdapter {
        int permits;

        @Override
        public void flush(ChannelHandlerContext ctx) {
            if (permits > 0) {
                permits--;
                ctx.flush();
            }
        }
    }

    @Test
    void aRegionWhoseSegmentIsDeletedWhileSentClosesTheConnection() throws Exception {
        byte[] data = segment(3 * FileRegionReader.CHUNK_BYTES);
        Path path = dir.resolve("segment.log");
        FileChannel file = FileChannel.open(path, StandardOpenOption.READ);
        FlushGate gate = new FlushGate();
        EmbeddedChannel channel = new EmbeddedChannel(gate, new FileRegionReader());
        channel.config().setOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1, 2));
        SharedFileRegion region = new SharedFileRegion(file, 0, data.length);
        ChannelFuture sent = channel.writeAndFlush(region);
        // The first chunk waits unflushed; the segment is deleted (its file closed) before the second is read.
        file.close();
        Files.delete(path);
        gate.permits = Integer.MAX_VALUE;
        channel.flush();
        channel.runPendingTasks();

        // Netty's read from a closed file answers end-of-file.
        assertThat(sent.cause()).isInstanceOf(EOFException.class).hasMessageContaining("segment file ended");
        assertThat(channel.isOpen()).isFalse();
        int[] chunks = {0};
        assertThat(written(channel, chunks)).isEqualTo(Arrays.copyOf(data, FileRegionReader.CHUNK_BYTES));
        assertThat(region.refCnt()).isZero();
    }

    @Test
    void whatIsHeldWhenTheConnectionClosesIsReleased() throws Exception {
        byte[] data = segment(1000);
        try (FileChannel file = FileChannel.open(dir.resolve("segment.log"), StandardOpenOption.READ)) {
            EmbeddedChannel channel = new EmbeddedChannel(new FileRegionReader());
            SharedFileRegion region = new SharedFileRegion(file, 0, data.length);
            ByteBuf tail = Unpooled.copiedBuffer("tail", StandardCharsets.US_ASCII);
            channel.write(region);
            channel.write(tail);
            channel.close();
            assertThat(region.refCnt()).isZero();
            assertThat(tail.refCnt()).isZero();
        }
    }
}
