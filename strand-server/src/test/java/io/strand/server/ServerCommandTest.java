package io.strand.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ServerCommandTest {

    @TempDir
    Path dir;

    private String runAndCaptureErr(String... args) {
        PrintStream original = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int exit = new CommandLine(new StrandMain()).execute(args);
            assertThat(exit).isEqualTo(2);
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

    @Test
    void aBrokerOnlyNodeIsRefusedNamingTheMissingControllerQuorum() throws Exception {
        Path file = dir.resolve("server.properties");
        Files.writeString(file, "process.roles=broker\nnode.id=2\ncontroller.quorum.voters=1@127.0.0.1:9093\n"
                + "listeners=PLAINTEXT://127.0.0.1:0\nlog.dirs=" + dir.resolve("data") + "\n");
        assertThat(runAndCaptureErr("server", "--config", file.toString()))
                .contains("invalid configuration").contains("process.roles").contains("remote controller quorum");
        assertThat(dir.resolve("data")).doesNotExist();
    }

    @Test
    void aListenerOtherThanPlaintextIsRefused() {
        assertThat(runAndCaptureErr("server", "-o", "listener.security.protocol.map=PLAINTEXT:SSL,CONTROLLER:PLAINTEXT"))
                .contains("listener PLAINTEXT uses security protocol SSL").contains("only PLAINTEXT");
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
        assertThat(embedded.properties()).containsEntry("offsets.topic.replication.factor", "1");

        ServerCommand overridden = new ServerCommand();
        overridden.overrides.put("offsets.topic.replication.factor", "3");
        assertThat(overridden.properties()).containsEntry("offsets.topic.replication.factor", "3");

        Path file = dir.resolve("server.properties");
        Files.writeString(file, "node.id=1\n");
        ServerCommand configured = new ServerCommand();
        configured.configFile = file;
        assertThat(configured.properties()).doesNotContainKey("offsets.topic.replication.factor");
    }
}
