package io.strand.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {

    @Test
    void emitsWholeFramesOnlyAcrossSplitReads() {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(100, RequestMemory.unbounded()));
        ByteBuf first = Unpooled.buffer().writeInt(5).writeBytes(new byte[]{1, 2});
        ByteBuf second = Unpooled.buffer().writeBytes(new byte[]{3, 4, 5}).writeInt(1).writeByte(9);
        assertThat(channel.writeInbound(first)).isFalse();
        assertThat(channel.writeInbound(second)).isTrue();
        ByteBuffer frame = channel.readInbound();
        assertThat(frame.remaining()).isEqualTo(5);
        assertThat(frame.get(4)).isEqualTo((byte) 5);
        ByteBuffer next = channel.readInbound();
        assertThat(next.get(0)).isEqualTo((byte) 9);
        assertThat(channel.isOpen()).isTrue();
        channel.finishAndReleaseAll();
    }

    @Test
    void closesOnFrameLargerThanTheLimitBeforeItArrives() {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(100, RequestMemory.unbounded()));
        channel.writeInbound(Unpooled.buffer().writeInt(101));
        assertThat(channel.isOpen()).isFalse();
        assertThat((Object) channel.readInbound()).isNull();
    }

    @Test
    void aFrameThatFindsTheMemorySpentIsNotBufferedUntilMemoryIsGivenBack() {
        RequestMemory memory = new RequestMemory(10);
        java.util.List<Object> events = new java.util.ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(100, memory),
                new io.netty.channel.ChannelInboundHandlerAdapter() {
                    @Override
                    public void userEventTriggered(io.netty.channel.ChannelHandlerContext ctx, Object event) {
                        events.add(event);
                    }

                    @Override
                    public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                        ctx.fireChannelRead(msg);
                    }
                });
        // The first frame reserves 12 bytes of 10 (any memory left lets a frame through) ...
        channel.writeInbound(Unpooled.buffer().writeInt(12).writeBytes(new byte[12]).writeInt(3).writeBytes(new byte[]{7, 8, 9}));
        ByteBuffer first = channel.readInbound();
        assertThat(first.capacity()).isEqualTo(12);
        assertThat(memory.available()).isEqualTo(-2);
        // ... so the second, whole in the buffer, waits: nothing reserved, nothing emitted.
        assertThat((Object) channel.readInbound()).isNull();
        assertThat(events).containsExactly(FrameDecoder.MEMORY_EXHAUSTED);

        memory.release(first.capacity());
        channel.runPendingTasks();
        assertThat(events).containsExactly(FrameDecoder.MEMORY_EXHAUSTED, FrameDecoder.MEMORY_AVAILABLE);
        ByteBuffer second = channel.readInbound();
        assertThat(second.get(2)).isEqualTo((byte) 9);
        assertThat(memory.available()).isEqualTo(7);

        // A frame holds what of it has arrived, not the size it declares, and gives it back if the
        // connection closes half way.
        channel.writeInbound(Unpooled.buffer().writeInt(90).writeBytes(new byte[]{1}));
        assertThat(memory.available()).isEqualTo(6);
        channel.writeInbound(Unpooled.buffer().writeBytes(new byte[]{2, 3}));
        assertThat(memory.available()).isEqualTo(4);
        channel.close();
        channel.runPendingTasks();
        assertThat(memory.available()).isEqualTo(7);
    }

    @Test
    void closesOnNegativeSize() {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(100, RequestMemory.unbounded()));
        channel.writeInbound(Unpooled.buffer().writeInt(-1));
        assertThat(channel.isOpen()).isFalse();
    }
}
