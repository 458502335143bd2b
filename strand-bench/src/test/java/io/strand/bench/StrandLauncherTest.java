package io.strand.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StrandLauncherTest {

    private static final List<String> SHARED = List.of("-Xms128m", "-Xmx1g");

    @TempDir
    Path dir;

    @Test
    void startsWithTheShippedFlagsAheadOfTheSharedOnes() {
        StrandLauncher launcher = new StrandLauncher(dir.resolve("strand-server.jar") + ":lib/*", SHARED,
                Map.of("num.partitions", "6"));

        List<String> command = launcher.prepare(dir, 9092, 9093, dir);

        int shipped = command.indexOf(StrandLauncher.SHIPPED_JVM_OPTIONS.get(0));
        assertThat(shipped).isPositive().isLessThan(command.indexOf("-Xms128m"));
        assertThat(command).containsSubsequence("-Xms128m", "-Xmx1g", StrandLauncher.MAIN_CLASS, "server")
                .contains("num.partitions=6")
                .noneMatch(arg -> arg.startsWith("-XX:SharedArchiveFile"));
    }

    @Test
    void addsAnSslListenerServingTheRunsKeyStore() {
        StrandLauncher launcher = new StrandLauncher(dir.resolve("strand-server.jar") + ":lib/*", SHARED, Map.of());
        TlsKeys keys = new TlsKeys(dir.resolve("server.p12"), dir.resolve("trust.p12"), dir.resolve("client.properties"),
                dir.resolve("server.pem"));

        List<String> command = launcher.prepareWithSsl(dir, 9092, 9094, 9093, keys, dir);

        assertThat(command).contains(
                "listeners=PLAINTEXT://127.0.0.1:9092,SSL://127.0.0.1:9094,CONTROLLER://127.0.0.1:9093",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SSL:SSL,CONTROLLER:PLAINTEXT",
                "ssl.keystore.location=" + dir.resolve("server.p12").toAbsolutePath(), "ssl.keystore.type=PKCS12",
                "ssl.keystore.password=" + TlsKeys.PASSWORD);
    }

    @Test
    void startsFromTheArchiveTheStrandScriptRecordedWithItsLogOptions() throws IOException {
        Path archive = Files.createFile(dir.resolve("strand.jsa"));
        StrandLauncher launcher = new StrandLauncher(dir.resolve("strand-server.jar") + ":lib/*", SHARED, Map.of());

        assertThat(launcher.classDataArchive()).contains(archive.toAbsolutePath());
        assertThat(launcher.prepare(dir, 9092, 9093, dir)).containsSubsequence("-Xmx1g",
                "-XX:SharedArchiveFile=" + archive.toAbsolutePath(), "-Xlog:cds=off", "-Xlog:cds+dynamic=off",
                StrandLauncher.MAIN_CLASS);
    }

    @Test
    void logsAboutTheArchiveAsTheStrandScriptDoes() throws IOException {
        String script = Files.readString(Path.of("..", "strand"));
        String line = script.lines().map(String::trim).filter(l -> l.startsWith("java_opts+=(-XX:SharedArchiveFile="))
                .findFirst().orElseThrow();
        List<String> scriptOptions = Arrays.asList(line.substring(line.indexOf(' ') + 1, line.lastIndexOf(')'))
                .trim().split("\\s+"));

        assertThat(StrandLauncher.ARCHIVE_LOG_OPTIONS).isEqualTo(scriptOptions);
    }

    @Test
    void shipsTheFlagsThatTheStrandScriptShips() throws IOException {
        // The tests run in strand-bench/; the script is at the top of the repository.
        String script = Files.readString(Path.of("..", "strand"));
        String line = script.lines().filter(l -> l.startsWith("shipped_opts=(")).findFirst().orElseThrow();
        List<String> scriptFlags = Arrays.asList(
                line.substring("shipped_opts=(".length(), line.lastIndexOf(')')).trim().split("\\s+"));

        assertThat(StrandLauncher.SHIPPED_JVM_OPTIONS).isEqualTo(scriptFlags);
    }
}
