package io.strand.broker.controller;

import java.nio.ByteBuffer;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;

/** A request's or response's data in Kafka's binary form at a version, without header. Stateless. */
final class MessageBytes {

    private MessageBytes() {
    }

    /** {@code message} written at {@code version}, positioned at its first byte. */
    static ByteBuffer write(ApiMessage message, short version) {
        ObjectSerializationCache cache = new ObjectSerializationCache();
        ByteBuffer buffer = ByteBuffer.allocate(message.size(cache, version));
        message.write(new ByteBufferAccessor(buffer), cache, version);
        return buffer.flip();
    }
}
