package io.strand.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

class KcatConsumeTest {

    @TempDir
    Path dir;

    @Test
    void readsPartitionZeroFromTheBeginningToItsEndPrintingOffsets() {
        KcatConsume kcat = new KcatConsume(Path.of("/usr/bin/kcat"), 1_000);

        assertThat(kcat.command("127.0.0.1:9092", "t", Optional.empty())).containsExactly("/usr/bin/kcat", "-C",
                "-b", "127.0.0.1:9092", "-t", "t", "-p", "0", "-o", "beginning", "-e", "-f", "%o\\n");
        assertThat(kcat.command("127.0.0.1:9093", "t", Optional.of(Path.of("/tmp/tls/server.pem"))))
                .endsWith("-X", "security.protocol=SSL", "-X", "ssl.ca.location=/tmp/tls/server.pem");
    }

    @Test
    void parsesTheEndOfPartitionLineOfItsTopic() {
        String line = "% Reached end of topic bench-tls-1kib [0] at offset 500000: exiting";

        assertThat(KcatConsume.parseEndOffset(line, "bench-tls-1kib")).hasValue(500_000);
        assertThat(KcatConsume.parseEndOffset(line, "other")).isEmpty();
        assertThat(KcatConsume.parseEndOffset("% ERROR: Failed to query metadata", "bench-tls-1kib")).isEmpty();
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void findsTheFirstExecutableOnThePath() throws Exception {
        Path first = Files.createDirectories(dir.resolve("a"));
        Path second = Files.createDirectories(dir.resolve("b"));
        Files.writeString(first.resolve("kcat"), "not executable");
        Path executable = executable(second.resolve("kcat"), "#!/bin/sh\n");

        assertThat(KcatConsume.locate(first + ":" + second)).hasValue(executable);
        assertThat(KcatConsume.locate(first.toString())).isEmpty();
        assertThat(KcatConsume.locate(null)).isEmpty();
    }

    /**
     * A script in kcat's place prints what kcat prints for a partition of 20,000 records: the offsets on
     * standard output in two parts as fetches come in (the pauses stand for fetching), then the
     * end-of-partition line on standard error, and exits 0.
     */
    @Test
    @EnabledOnOs(OS.LINUX)
    void countsTheOffsetsPrintedAndTimesThemToTheEndOfPartitionLine() throws Exception {
        Path script = executable(dir.resolve("kcat"), """
                #!/bin/sh
                seq 0 9999
                sleep 0.2
                seq 10000 19999
                sleep 0.2
                echo '% Reached end of topic bench-tls-1kib [0] at offset 20000: exiting' >&2
                """);
        Path log = dir.resolve("logs/consume-tls-kcat.log");

        KcatConsume.Outcome outcome = new KcatConsume(script, 30_000).read("127.0.0.1:1", "bench-tls-1kib",
                Optional.of(dir.resolve("server.pem")), log);

        assertThat(outcome.succeeded()).isTrue();
        assertThat(outcome.offsets().records()).isEqualTo(20_000);
        assertThat(outcome.offsets().breaks()).isZero();
        assertThat(outcome.endOffset()).hasValue(20_000);
        assertThat(outcome.recordsTimed()).isBetween(10_000L, 20_000L);
        assertThat(outcome.fetchNs()).isGreaterThanOrEqualTo(200_000_000L);
        assertThat(outcome.fetchMbPerSec(1024)).isPositive();
        assertThat(outcome.runNs()).isGreaterThan(outcome.fetchNs());
        assertThat(Files.readString(log)).contains("-X ssl.ca.location=", "% Reached end of topic",
                "20000 offsets read (first 0, 0 out of sequence, 0 other lines), end offset 20000");
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void aReadThatNeverReachesTheEndFails() throws Exception {
        Path script = executable(dir.resolve("kcat"), """
                #!/bin/sh
                echo '% ERROR: Failed to query metadata for topic t: Local: Broker transport failure' >&2
                exit 1
                """);

        KcatConsume.Outcome outcome = new KcatConsume(script, 30_000).read("127.0.0.1:1", "t", Optional.empty(),
                dir.resolve("consume-plaintext-kcat.log"));

        assertThat(outcome.succeeded()).isFalse();
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.offsets().records()).isZero();
        assertThat(outcome.endOffset()).isEmpty();
    }

    private static Path executable(Path file, String text) throws Exception {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }
}
