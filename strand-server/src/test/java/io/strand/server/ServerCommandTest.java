package io.strand.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.BrokerServer;
import io.strand.common.config.BrokerConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ServerCommandTest {

    @TempDir
    Path dir;

    private String runAndCaptureErr(String... args) {
        return runAndCaptureErr(2, args);
    }

    private String runAndCaptureErr(int expectedExit, String... args) {
        PrintStream original = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int exit = new CommandLine(new StrandMain()).execute(args);
            assertThat(exit).isEqualTo(expectedExit);
        } finally {
            System.setErr(original);
        }
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void unknownPropertyInTheConfigFileStopsStartupNamingIt() throws Exception {
        Path file = dir.resolve("server.properties");
        Files.writeString(file, "num.partitions=3\nlog.retension.ms=1000\n");
        assertThat(runAndCaptureErr("server", "--config", file.toString()))
                .contains("invalid configuration").contains("log.retension.ms");
    }

    @Test
    void invalidValueStopsStartupNamingPropertyAndValue() throws Exception {
        Path file = dir.resolve("server.properties");
        Files.writeString(file, "num.partitions=-4\n");
        assertThat(runAndCaptureErr("server", "--config", file.toString()))
                .contains("num.partitions").contains("-4");
        assertThat(runAndCaptureErr("server", "-o", "socket.request.max.bytes=huge")).contains("socket.request.max.bytes");
    }

    /** Kafka 4's shipped config/controller.properties and config/broker.properties, on free ports. */
    @Test
    void kafkaShapedControllerAndBrokerFilesStartAControllerOnlyAndABrokerOnlyNode() throws Exception {
        int controllerPort = freePort();
        String protocolMap = "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,"
                + "SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL\n";
        Path controllerFile = dir.resolve("controller.properties");
        Files.writeString(controllerFile, "process.roles=controller\nnode.id=1\n"
                + "controller.quorum.bootstrap.servers=localhost:" + controllerPort + "\n"
                + "listeners=CONTROLLER://:" + controllerPort + "\n"
                + "advertised.listeners=CONTROLLER://localhost:" + controllerPort + "\n"
                + "controller.listener.names=CONTROLLER\n" + protocolMap
                + "log.dirs=" + dir.resolve("controller-logs") + "\n");
        Path brokerFile = dir.resolve("broker.properties");
        Files.writeString(brokerFile, "process.roles=broker\nnode.id=2\n"
                + "controller.quorum.bootstrap.servers=localhost:" + controllerPort + "\n"
                + "listeners=PLAINTEXT://localhost:0\ninter.broker.listener.name=PLAINTEXT\n"
                + "controller.listener.names=CONTROLLER\n" + protocolMap
                + "offsets.topic.replication.factor=1\n"
                + "log.dirs=" + dir.resolve("broker-logs") + "\n");

        try (BrokerServer controller = start(controllerFile);
             BrokerServer broker = start(brokerFile);
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                     "localhost:" + broker.clientAddress().getPort()))) {
            assertThat(controller.config().quorumVoters()).extracting(BrokerConfig.QuorumVoter::id).containsExactly(1);
            assertThat(broker.config().quorumVoters()).as("found through the bootstrap servers at start").isEmpty();
            assertThat(admin.describeCluster().nodes().get(60, TimeUnit.SECONDS)).extracting(Node::id)
                    .containsExactly(2);
            assertThat(admin.describeMetadataQuorum().quorumInfo().get(60, TimeUnit.SECONDS).observers())
                    .extracting(QuorumInfo.ReplicaState::replicaId).containsExactly(2);
        }
    }

    /** What {@code strand server --config file} starts, short of the shutdown hook. */
    private static BrokerServer start(Path configFile) throws Exception {
        ServerCommand command = new ServerCommand();
        command.configFile = configFile;
        return BrokerServer.start(BrokerServer.config(command.properties()), Time.SYSTEM);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void aListenerThatWouldNeedAnUnservedMechanismIsRefused() {
        // Kafka's default SASL mechanism is GSSAPI (Kerberos), which is not served.
        assertThat(runAndCaptureErr("server", "-o",
                "listener.security.protocol.map=PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT"))
                .contains("SASL listener PLAINTEXT enables GSSAPI").contains("not served");
        assertThat(runAndCaptureErr("server", "-o",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:SASL_SSL"))
                .contains("controller listener CONTROLLER uses SASL").contains("GSSAPI");
    }

    @Test
    void serverPropertiesFileIsReadWithKafkasSyntax() throws Exception {
        Path file = dir.resolve("server.properties");
        Files.writeString(file, "# comment\nnode.id = 7\nlog.dirs=/var/strand/a,/var/strand/b\n");
        assertThat(ServerConfigFile.read(file)).containsEntry("node.id", "7")
                .containsEntry("log.dirs", "/var/strand/a,/var/strand/b").hasSize(2);
    }

    @Test
    void theEmbeddedSingleNodeDefaultsGiveTheOffsetsTopicOneReplicaUnlessTold() throws Exception {
        ServerCommand embedded = new ServerCommand();
        assertThat(embedded.properties()).containsEntry("offsets.topic.replication.factor", "1")
                .containsEntry("transaction.state.log.replication.factor", "1")
                .containsEntry("transaction.state.log.min.isr", "1");

        ServerCommand overridden = new ServerCommand();
        overridden.overrides.put("offsets.topic.replication.factor", "3");
        assertThat(overridden.properties()).containsEntry("offsets.topic.replication.factor", "3");

        Path file = dir.resolve("server.properties");
        Files.writeString(file, "node.id=1\n");
        ServerCommand configured = new ServerCommand();
        configured.configFile = file;
        assertThat(configured.properties()).doesNotContainKey("offsets.topic.replication.factor");
    }

    @Test
    void theEmbeddedDefaultsServeHttpOnLocalhost8080ButAConfigFileOnlyIfItSaysSo() throws Exception {
        assertThat(new ServerCommand().properties()).containsEntry("strand.http.listener", "http://localhost:8080");
        Path file = dir.resolve("server.properties");
        Files.writeString(file, "node.id=1\n");
        ServerCommand configured = new ServerCommand();
        configured.configFile = file;
        assertThat(BrokerServer.config(configured.properties()).httpListener()).isEmpty();
    }

    @Test
    void aTakenHttpPortStopsTheStartWithWhatToDo() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            int raftPort = freePort();
            assertThat(runAndCaptureErr(1, "server", "-o", "listeners=PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:" + raftPort,
                    "-o", "controller.quorum.voters=1@127.0.0.1:" + raftPort, "-o", "log.dirs=" + dir.resolve("taken"),
                    "-o", "strand.http.listener=http://127.0.0.1:" + taken.getLocalPort()))
                    .contains("strand: cannot start: Cannot bind strand.http.listener")
                    .contains(Integer.toString(taken.getLocalPort())).contains("leave it empty to turn HTTP off");
        }
    }
}
