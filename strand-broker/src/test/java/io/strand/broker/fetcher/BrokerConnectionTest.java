package io.strand.broker.fetcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.EventLoopGroup;
import io.strand.common.test.ThreadLeakCheck;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The client's own rules, against a socket that accepts and never answers. */
class BrokerConnectionTest {

    private final ThreadLeakCheck threads = ThreadLeakCheck.start();
    private final EventLoopGroup network = BrokerConnection.newEventLoopGroup("test-connection", 1);

    @AfterEach
    void close() {
        network.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        threads.assertNoNewThreads();
    }

    @Test
    void anUnansweredRequestTimesOutAndTheNextOneReconnects() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            silent.setSoTimeout(10_000);
            BrokerConnection connection = new BrokerConnection(4, () -> Optional.of(
                    (InetSocketAddress) silent.getLocalSocketAddress()), "test", network, 0, 300);

            CompletableFuture<ApiMessage> first = connection.send(ApiKeys.METADATA, (short) 12,
                    v -> new MetadataRequestData());
            try (Socket accepted = silent.accept()) {
                accepted.setSoTimeout(10_000);
                assertThat(readFrameSize(accepted.getInputStream())).isPositive();
                assertThatThrownBy(() -> first.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(TimeoutException.class);
                // The connection is dropped on a timeout, so a late answer is never taken for a later request.
                assertThat(accepted.getInputStream().read()).isEqualTo(-1);
            }

            CompletableFuture<ApiMessage> second = connection.send(ApiKeys.METADATA, (short) 12,
                    v -> new MetadataRequestData());
            try (Socket accepted = silent.accept()) {
                assertThat(readFrameSize(accepted.getInputStream())).isPositive();
                assertThatThrownBy(() -> second.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(TimeoutException.class);
            }
            connection.close();
        }
    }

    @Test
    void refusesASecondRequestWhileOneIsInFlight() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            BrokerConnection connection = new BrokerConnection(4, () -> Optional.of(
                    (InetSocketAddress) silent.getLocalSocketAddress()), "test", network, 0, 10_000);
            CompletableFuture<ApiMessage> first = connection.send(ApiKeys.METADATA, (short) 12,
                    v -> new MetadataRequestData());
            CompletableFuture<ApiMessage> second = connection.send(ApiKeys.METADATA, (short) 12,
                    v -> new MetadataRequestData());

            assertThatThrownBy(() -> second.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalStateException.class);
            assertThat(first).isNotDone();
            connection.close();
            assertThatThrownBy(() -> first.get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(org.apache.kafka.common.errors.DisconnectException.class);
        }
    }

    /** Reads the first frame the client wrote (its ApiVersions request) and returns its size. */
    private static int readFrameSize(InputStream in) throws Exception {
        int size = 0;
        for (int i = 0; i < 4; i++) {
            size = (size << 8) | in.read();
        }
        assertThat(in.readNBytes(size)).hasSize(size);
        return size;
    }
}
