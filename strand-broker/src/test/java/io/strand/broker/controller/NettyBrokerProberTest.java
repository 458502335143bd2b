package io.strand.broker.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ConnectTimeoutException;
import io.strand.metadata.controller.BrokerProber.Outcome;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.NoRouteToHostException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The real prober against sockets of this host: a closed port refuses, a listening one accepts. */
class NettyBrokerProberTest {

    private final NettyBrokerProber prober = new NettyBrokerProber(1);

    @AfterEach
    void close() {
        prober.close();
    }

    @Test
    void aPortNothingListensOnIsRefused() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        assertThat(prober.probe("127.0.0.1", port).get(10, TimeUnit.SECONDS)).isEqualTo(Outcome.REFUSED);
    }

    @Test
    void aListeningPortAcceptsAndTheProbeClosesItsConnection() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThat(prober.probe("localhost", socket.getLocalPort()).get(10, TimeUnit.SECONDS))
                    .isEqualTo(Outcome.ACCEPTED);
            socket.setSoTimeout(10_000);
            try (Socket accepted = socket.accept()) {
                accepted.setSoTimeout(10_000);
                assertThat(accepted.getInputStream().read()).as("end of stream: closed, nothing sent").isEqualTo(-1);
            }
        }
    }

    @Test
    void oneProberProbesAgainAndAgain() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
            for (int i = 0; i < 3; i++) {
                assertThat(prober.probe("127.0.0.1", port).get(10, TimeUnit.SECONDS)).as("probe %d", i)
                        .isEqualTo(Outcome.ACCEPTED);
            }
        }
        for (int i = 0; i < 3; i++) {
            assertThat(prober.probe("127.0.0.1", port).get(10, TimeUnit.SECONDS)).as("probe %d", i)
                    .isEqualTo(Outcome.REFUSED);
        }
    }

    @Test
    void anUnknownHostIsNoAnswer() throws Exception {
        assertThat(prober.probe("no-such-host.invalid", 9092).get(10, TimeUnit.SECONDS)).isEqualTo(Outcome.NO_ANSWER);
    }

    @Test
    void aClosedProberAnswersNoAnswer() throws Exception {
        prober.close();
        assertThat(prober.probe("127.0.0.1", 9).get(10, TimeUnit.SECONDS)).isEqualTo(Outcome.NO_ANSWER);
    }

    @Test
    void onlyARefusalCountsAsRefused() {
        assertThat(NettyBrokerProber.classify(new ConnectException("Connection refused"))).isEqualTo(Outcome.REFUSED);
        assertThat(NettyBrokerProber.classify(new ConnectTimeoutException("connection timed out")))
                .isEqualTo(Outcome.NO_ANSWER);
        assertThat(NettyBrokerProber.classify(new NoRouteToHostException())).isEqualTo(Outcome.NO_ANSWER);
        assertThat(NettyBrokerProber.classify(new UnknownHostException())).isEqualTo(Outcome.NO_ANSWER);
        assertThat(NettyBrokerProber.classify(new IOException())).isEqualTo(Outcome.NO_ANSWER);
    }
}
