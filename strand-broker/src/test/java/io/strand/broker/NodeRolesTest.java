package io.strand.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.common.test.ThreadLeakCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a node runs for each {@code process.roles}. */
class NodeRolesTest {

    @TempDir
    Path dataDir;

    @Test
    void aBrokerWithoutTheControllerRoleIsRefusedBeforeAnythingStarts() {
        ThreadLeakCheck threads = ThreadLeakCheck.start();
        Path logDir = dataDir.resolve("logs");
        Map<String, String> props = Map.of(
                "process.roles", "broker",
                "node.id", "2",
                "listeners", "PLAINTEXT://127.0.0.1:0",
                "controller.quorum.voters", "1@127.0.0.1:9093",
                "log.dirs", logDir.toString());

        assertThatThrownBy(() -> TestNodes.start(props))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("process.roles")
                .hasMessageContaining("needs a remote controller quorum");
        assertThat(logDir).doesNotExist();
        threads.assertNoNewThreads();
    }

    @Test
    void aControllerOnlyNodeRunsTheQuorumVoterAndNoClientListener() throws Exception {
        int raftPort = TestNodes.freePort();
        ThreadLeakCheck threads = ThreadLeakCheck.start();
        Map<String, String> props = TestNodes.props(dataDir, raftPort, Map.of(
                "process.roles", "controller",
                "listeners", "CONTROLLER://127.0.0.1:" + raftPort));

        try (BrokerServer node = TestNodes.start(props)) {
            assertThat(TestNodes.bindable(raftPort)).as("the quorum listens on the controller listener").isFalse();
            assertThatThrownBy(node::clientListeners).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("serves no clients");
            assertThat(Files.exists(dataDir.resolve(ControllerComponent.METADATA_DIR_NAME))).isTrue();
        }
        threads.assertNoNewThreads();
        assertThat(TestNodes.bindable(raftPort)).isTrue();

        // The same directory then serves a combined node: locks released, the quorum's log readable.
        try (BrokerServer combined = TestNodes.start(TestNodes.props(dataDir, raftPort, Map.of()))) {
            assertThat(combined.clientAddress().getPort()).isPositive();
        }
    }
}
