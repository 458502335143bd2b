package io.strand.broker.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strand.common.time.ManualTime;
import io.strand.metadata.controller.BrokerProbeSettings;
import io.strand.metadata.controller.ClusterControlSettings;
import io.strand.metadata.controller.QuorumController;
import io.strand.metadata.image.LocalMetadataLog;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.BrokerHeartbeatRequestData;
import org.apache.kafka.common.message.BrokerRegistrationRequestData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The controller on its own thread with the real prober, as the controller component wires them: a
 * broker registered on a port nothing listens on is fenced long before its session expires (at the
 * controller's first check or after one missed heartbeat), one whose port listens is not.
 */
class ProbingControllerTest {

    private static final long HEARTBEAT_INTERVAL_MS = 2_000;

    private final ManualTime time = new ManualTime();
    private final LocalMetadataLog log = new LocalMetadataLog();
    private final NettyBrokerProber prober = new NettyBrokerProber(1);
    private final QuorumController controller = new QuorumController(log, time, new Random(1),
            ClusterControlSettings.DEFAULTS, new BrokerProbeSettings(prober, "PLAINTEXT", HEARTBEAT_INTERVAL_MS));

    @AfterEach
    void close() {
        controller.close();
        prober.close();
    }

    @Test
    void aBrokerWhosePortRefusesIsFencedWellBeforeItsSessionExpires() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        activate(1, closedPort);

        time.advance(HEARTBEAT_INTERVAL_MS * 3 / 2 + 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> log.image().brokers().get(1).fenced());
    }

    @Test
    void aBrokerWhosePortListensStaysUntilItsSessionExpires() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            activate(1, socket.getLocalPort());

            time.advance(HEARTBEAT_INTERVAL_MS * 3 / 2 + 1);
            socket.setSoTimeout(10_000);
            socket.accept().close();
            assertThat(controller.fenceExpiredBrokers().get(10, TimeUnit.SECONDS)).isEmpty();
            assertThat(log.image().brokers().get(1).fenced()).isFalse();

            time.advance(ClusterControlSettings.DEFAULTS.brokerSessionTimeoutMs());
            await().atMost(Duration.ofSeconds(10)).until(() -> log.image().brokers().get(1).fenced());
        }
    }

    private void activate(int brokerId, int port) throws Exception {
        BrokerRegistrationRequestData registration = new BrokerRegistrationRequestData().setBrokerId(brokerId)
                .setIncarnationId(new Uuid(1, brokerId));
        registration.listeners().add(new BrokerRegistrationRequestData.Listener().setName("PLAINTEXT")
                .setHost("127.0.0.1").setPort(port).setSecurityProtocol((short) 0));
        long epoch = controller.registerBroker(registration).get(10, TimeUnit.SECONDS).brokerEpoch();
        controller.brokerHeartbeat(new BrokerHeartbeatRequestData().setBrokerId(brokerId).setBrokerEpoch(epoch)
                .setCurrentMetadataOffset(log.image().appliedOffset()).setWantFence(false)).get(10, TimeUnit.SECONDS);
        assertThat(log.image().brokers().get(brokerId).fenced()).isFalse();
    }
}
