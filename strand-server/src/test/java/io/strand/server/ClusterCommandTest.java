package io.strand.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.broker.BrokerServer;
import io.strand.common.config.BrokerConfig;
import io.strand.common.config.ProcessRole;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The configuration {@code strand cluster} generates, and the command line it starts each node with. */
class ClusterCommandTest {

    @TempDir
    Path dir;

    @Test
    void threeNodesGetTheDocumentedPortsAndEveryNodeIsAVoter() {
        ClusterLayout layout = new ClusterLayout(3, 9092, "localhost", dir);
        assertThat(layout.nodeList()).extracting(ClusterLayout.Node::clientPort).containsExactly(9092, 9094, 9096);
        assertThat(layout.nodeList()).extracting(ClusterLayout.Node::controllerPort).containsExactly(9093, 9095, 9097);
        assertThat(layout.bootstrapServers()).isEqualTo("localhost:9092,localhost:9094,localhost:9096");
        assertThat(layout.quorumVoters()).isEqualTo("1@localhost:9093,2@localhost:9095,3@localhost:9097");
        assertThat(layout.nodeList().get(1).dir()).isEqualTo(dir.toAbsolutePath().resolve("node-2"));
    }

    @Test
    void everyGeneratedConfigurationIsAValidCombinedNodeOnItsOwnPortsAndData() throws Exception {
        ClusterLayout layout = new ClusterLayout(5, 19092, "localhost", dir);
        for (ClusterLayout.Node node : layout.nodeList()) {
            layout.writeConfig(node);
            // As the node reads it: from the written file, through the same validation as a start.
            BrokerConfig config = BrokerServer.config(ServerConfigFile.read(node.configFile()));
            assertThat(config.nodeId()).isEqualTo(node.nodeId());
            assertThat(config.processRoles()).containsExactlyInAnyOrder(ProcessRole.BROKER, ProcessRole.CONTROLLER);
            assertThat(config.brokerListener()).isEqualTo(new BrokerConfig.Listener("PLAINTEXT", "localhost",
                    node.clientPort()));
            assertThat(config.controllerListener()).contains(new BrokerConfig.Listener("CONTROLLER", "localhost",
                    node.controllerPort()));
            assertThat(config.quorumVoters()).hasSize(5)
                    .contains(new BrokerConfig.QuorumVoter(node.nodeId(), "localhost", node.controllerPort()));
            assertThat(config.logDirs()).containsExactly(node.logDir());
            assertThat(node.logDir()).isDirectory().startsWith(dir.toAbsolutePath().resolve("node-" + node.nodeId()));
        }
    }

    @Test
    void onlyOddQuorumSizesAndPortsThatFitAreAccepted() {
        assertThat(new ClusterLayout(1, 9092, "localhost", dir).nodeList()).hasSize(1);
        assertThatThrownBy(() -> new ClusterLayout(2, 9092, "localhost", dir))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1, 3 or 5");
        assertThatThrownBy(() -> new ClusterLayout(3, 65531, "localhost", dir))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--base-port 65531");
        assertThat(new ClusterLayout(3, 65530, "localhost", dir).nodeList().get(2).controllerPort()).isEqualTo(65535);
    }

    @Test
    void aNodeRunsInTheSameJvmSetupWithItsConfigFile() {
        Path config = dir.resolve("node-1/server.properties");
        List<String> command = NodeProcessCommand.of(config, "/opt/jdk",
                List.of("-Xmx1g", "-XX:+UseG1GC", "-agentlib:jdwp=transport=dt_socket,server=y,address=5005",
                        "-XX:SharedArchiveFile=/opt/strand/strand.jsa"), "a.jar:lib/*");
        assertThat(command).containsExactly("/opt/jdk/bin/java", "-Xmx1g", "-XX:+UseG1GC",
                "-XX:SharedArchiveFile=/opt/strand/strand.jsa", "-cp", "a.jar:lib/*", "io.strand.server.StrandMain",
                "server", "--config", config.toString());
    }

    @Test
    void badOptionsOrABusyPortStopBeforeAnyNodeStarts() throws Exception {
        assertThat(runAndCaptureErr("cluster", "--nodes", "4", "--data-dir", dir.toString()))
                .contains("--nodes must be 1, 3 or 5");
        try (ServerSocket busy = busyPortAfterTwoFree()) {
            // The busy port is node 2's client port; node 1's two ports below it are free.
            String basePort = Integer.toString(busy.getLocalPort() - 2);
            assertThat(runAndCaptureErr("cluster", "--base-port", basePort, "--data-dir", dir.toString()))
                    .contains("port " + busy.getLocalPort() + " of node 2 is in use");
        }
        assertThat(dir.resolve("node-1")).doesNotExist();
    }

    /**
     * A bound port whose two ports below are free now: another process on the machine may hold any
     * port, and node 1's would then be reported in use first.
     */
    private static ServerSocket busyPortAfterTwoFree() throws Exception {
        InetAddress localhost = InetAddress.getByName("localhost");
        for (int attempt = 0; attempt < 100; attempt++) {
            ServerSocket busy = new ServerSocket(0, 1, localhost);
            int port = busy.getLocalPort();
            if (port > 1026 && isFree(localhost, port - 1) && isFree(localhost, port - 2)) {
                return busy;
            }
            busy.close();
        }
        throw new AssertionError("no port with two free ports below it in 100 attempts");
    }

    private static boolean isFree(InetAddress address, int port) {
        try (ServerSocket probe = new ServerSocket(port, 1, address)) {
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Test
    void aSingleNodesLogDirectoryIsRefusedAsDataDir() throws Exception {
        java.nio.file.Files.createDirectories(dir.resolve("__cluster_metadata"));
        assertThat(runAndCaptureErr("cluster", "--data-dir", dir.toString()))
                .contains("is a node's log directory").contains("--data-dir");
        assertThat(dir.resolve("node-1")).doesNotExist();
    }

    @Test
    void usageNamesTheOptions() {
        String usage = new CommandLine(new StrandMain()).getSubcommands().get("cluster").getUsageMessage();
        assertThat(usage).contains("--nodes", "--base-port", "--data-dir", "default: ./data/cluster");
    }

    private static String runAndCaptureErr(String... args) {
        PrintStream original = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertThat(new CommandLine(new StrandMain()).execute(args)).isEqualTo(2);
        } finally {
            System.setErr(original);
        }
        return err.toString(StandardCharsets.UTF_8);
    }
}
