package io.strand.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.strand.common.test.ThreadLeakCheck;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose start fails part way closes every component it had started: afterwards no thread
 * of it runs, its ports bind again and its data directory can be locked by the next node.
 */
class NodeStartFailureTest {

    @TempDir
    Path dataDir;

    @Test
    void aSecondListenerThatCannotBindLeavesNothingBehind() throws Exception {
        int clientPort = TestNodes.freePort();
        int raftPort = TestNodes.freePort();
        ThreadLeakCheck threads = ThreadLeakCheck.start();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Map<String, String> props = TestNodes.props(dataDir, raftPort, Map.of(
                    "listeners", "PLAINTEXT://127.0.0.1:" + clientPort + ",EXTERNAL://127.0.0.1:" + taken.getLocalPort()
                            + ",CONTROLLER://127.0.0.1:" + raftPort,
                    "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,EXTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT"));

            assertThatThrownBy(() -> TestNodes.start(props))
                    .isInstanceOf(UncheckedIOException.class)
                    .hasMessageContaining("name=EXTERNAL");
        }
        threads.assertNoNewThreads();
        assertThat(TestNodes.bindable(clientPort)).as("first client listener's port").isTrue();
        assertThat(TestNodes.bindable(raftPort)).as("raft port").isTrue();
        assertTheDataDirectoryServesAgain();
    }

    @Test
    void aRaftPortInUseLeavesTheLockedLogDirectoriesFree() throws Exception {
        ThreadLeakCheck threads = ThreadLeakCheck.start();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Map<String, String> props = TestNodes.props(dataDir, taken.getLocalPort(), Map.of());

            assertThatThrownBy(() -> TestNodes.start(props))
                    .isInstanceOf(UncheckedIOException.class)
                    .hasMessageContaining("Cannot start metadata quorum");
        }
        threads.assertNoNewThreads();
        assertTheDataDirectoryServesAgain();
    }

    @Test
    void aLockedLogDirectoryFailsTheStartBeforeAnythingElse() throws Exception {
        try (BrokerServer running = TestNodes.start(TestNodes.props(dataDir, 0, Map.of()))) {
            awaitOffsetsTopic(running);
            ThreadLeakCheck threads = ThreadLeakCheck.start();
            int raftPort = TestNodes.freePort();
            Path otherMetadataDir = dataDir.resolveSibling(dataDir.getFileName() + "-metadata");
            assertThatThrownBy(() -> TestNodes.start(TestNodes.props(dataDir, raftPort,
                    Map.of("metadata.log.dir", otherMetadataDir.toString()))))
                    .hasMessageContaining(dataDir.toString());
            threads.assertNoNewThreads();
            assertThat(TestNodes.bindable(raftPort)).isTrue();
            assertThat(running.clientAddress()).isNotNull();
        }
    }

    /**
     * A node creates {@code __consumer_offsets} through its controller channel after it serves (at
     * start if it is available by then, else on the first group request, as Kafka does); the connection
     * that opens must not count as a thread of the failed start. Asking for a group's coordinator makes
     * sure of it whichever way the start went.
     */
    private static void awaitOffsetsTopic(BrokerServer node) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                TestNodes.bootstrap(node.clientAddress())))) {
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                admin.listConsumerGroupOffsets("probe").all().toCompletionStage().handle((offsets, failure) -> null)
                        .toCompletableFuture().get();
                return admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get()
                        .contains("__consumer_offsets");
            });
        }
    }

    /** The next node on the same directory starts: the log dir and metadata locks were released. */
    private void assertTheDataDirectoryServesAgain() throws Exception {
        ThreadLeakCheck threads = ThreadLeakCheck.start();
        try (BrokerServer node = TestNodes.start(TestNodes.props(dataDir, 0, Map.of()))) {
            assertThat(node.clientAddress().getPort()).isPositive();
        }
        threads.assertNoNewThreads();
    }
}
