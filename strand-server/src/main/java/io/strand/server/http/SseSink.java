package io.strand.server.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@link EventStream.EventSink} of one connection: each event is one chunk of the chunked 200
 * response, in the text/event-stream format (an {@code event:} line, an {@code id:} line, a
 * {@code data:} line per line of data, a blank line). Netty's {@code Channel.writeAndFlush} is
 * thread-safe, so the stream's thread writes directly; writes after the close are dropped.
 */
final class SseSink implements EventStream.EventSink {

    private final Channel channel;
    private final AtomicBoolean closed = new AtomicBoolean();

    SseSink(Channel channel) {
        this.channel = channel;
        channel.closeFuture().addListener(f -> closed.set(true));
    }

    @Override
    public void send(String event, String id, String data) {
        StringBuilder text = new StringBuilder(data.length() + 32);
        if (!event.isEmpty()) {
            text.append("event: ").append(event).append('\n');
        }
        if (!id.isEmpty()) {
            text.append("id: ").append(id).append('\n');
        }
        for (String line : data.split("\r\n|\r|\n", -1)) {
            text.append("data: ").append(line).append('\n');
        }
        write(text.append('\n'));
    }

    @Override
    public void comment(String text) {
        write(new StringBuilder(": ").append(text.replace('\n', ' ')).append("\n\n"));
    }

    private void write(CharSequence text) {
        if (isOpen()) {
            channel.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8)));
        }
    }

    @Override
    public boolean isOpen() {
        return !closed.get() && channel.isActive();
    }

    @Override
    public boolean isWritable() {
        return channel.isWritable();
    }

    @Override
    public void onClose(Runnable action) {
        channel.closeFuture().addListener(f -> action.run());
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
