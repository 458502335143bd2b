package io.strand.broker.network;

import io.strand.common.config.BrokerConfig;

/**
 * The kernel buffer sizes of a listener's connections, from {@code socket.send.buffer.bytes} and
 * {@code socket.receive.buffer.bytes}; a size of -1 leaves the operating system's default (on Linux,
 * buffers that grow with the connection's needs).
 */
public record SocketBuffers(int sendBytes, int receiveBytes) {

    /** The operating system's defaults for both. */
    public static final SocketBuffers OS_DEFAULTS = new SocketBuffers(-1, -1);

    public SocketBuffers {
        if (sendBytes == 0 || sendBytes < -1 || receiveBytes == 0 || receiveBytes < -1) {
            throw new IllegalArgumentException("socket buffer sizes are positive or -1: send=" + sendBytes
                    + " receive=" + receiveBytes);
        }
    }

    public static SocketBuffers of(BrokerConfig config) {
        return new SocketBuffers(config.socketSendBufferBytes(), config.socketReceiveBufferBytes());
    }
}
