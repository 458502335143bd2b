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
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(100));
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
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(100));
        channel.writeInbound(Unpooled.buffer().writeInt(101));
        assertThat(channel.isOpen()).isFalse();
        assertThat((Object) channel.readInbound()).isNull();
    }

    @Test
    void closesOnNegativeSize() {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(100));
        channel.writeInbound(Unpooled.buffer().writeInt(-1));
        assertThat(channel.isOpen()).isFalse();
    }
}
