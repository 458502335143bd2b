package io.strand.broker.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@code socket.send.buffer.bytes} / {@code socket.receive.buffer.bytes} reach the accepted sockets.
 * Linux doubles a requested size for its bookkeeping and reports the doubled value, so the checks
 * are on the size being the one asked for (or its double), not on the OS default.
 */
class SocketBuffersTest {

    private static final int SEND = 64 * 1024;
    private static final int RECEIVE = 96 * 1024;

    @Test
    void configuredSizesApplyToAcceptedConnections() throws Exception {
        SocketBuffers applied = firstConnectionBuffers(new SocketBuffers(SEND, RECEIVE));
        assertThat(applied.sendBytes()).isIn(SEND, 2 * SEND);
        assertThat(applied.receiveBytes()).isIn(RECEIVE, 2 * RECEIVE);
    }

    @Test
    void minusOneLeavesTheOperatingSystemsSizes() throws Exception {
        SocketBuffers applied = firstConnectionBuffers(SocketBuffers.OS_DEFAULTS);
        assertThat(applied.sendBytes()).isNotIn(SEND, 2 * SEND);
        assertThat(applied.receiveBytes()).isNotIn(RECEIVE, 2 * RECEIVE);
    }

    private static SocketBuffers firstConnectionBuffers(SocketBuffers buffers) throws Exception {
        try (RequestHandlerPool pool = new RequestHandlerPool(1)) {
            SocketServer server = new SocketServer(ListenerSecurity.plaintext("PLAINTEXT"),
                    new InetSocketAddress("127.0.0.1", 0), 1024 * 1024, new ApiRegistry(), 1, pool, buffers, ConnectionBounds.unlimited());
            try {
                InetSocketAddress address = server.start();
                try (Socket client = new Socket(address.getAddress(), address.getPort())) {
                    await().atMost(Duration.ofSeconds(30)).until(() -> !server.connectionBuffers().isEmpty());
                    return server.connectionBuffers().get(0);
                }
            } finally {
                server.close();
            }
        }
    }
}
