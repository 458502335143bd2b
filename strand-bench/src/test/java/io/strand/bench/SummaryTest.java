package io.strand.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Summaries of two real full runs kept as fixtures (src/test/resources/results), and of a new-format run. */
class SummaryTest {

    private static final String EARLIER = "20261123T183807Z-full.json";
    private static final String LATER = "20261123T184423Z-full.json";

    @TempDir
    Path dir;

    private static Path fixture(String name) {
        try {
            return Path.of(SummaryTest.class.getResource("/results/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void readsEveryRoundSampleOfARun() throws IOException {
        Summary.Run run = Summary.read(fixture(LATER));

        assertThat(run.strandRevision()).isEqualTo("8f2565b");
        assertThat(run.rounds()).isEqualTo(3);
        assertThat(run.machine()).isEqualTo("2 cores, 23.5 GiB, Intel(R) Xeon(R) Processor, "
                + "OpenJDK 64-Bit Server VM 17.0.15+6-Debian-1deb12u1");
        assertThat(run.samples().values(Metric.STARTUP_MS, BrokerKind.KAFKA))
                .containsExactly(2028.1015, 1687.4099, 1696.0918);
    }

    @Test
    void cellsAreMediansOfEveryRoundOfEveryRunNamed() throws IOException {
        String markdown = Summary.markdown(List.of(Summary.read(fixture(EARLIER)), Summary.read(fixture(LATER))));

        // Kafka: 1710.0055 and 1789.5125 are the middle two of six samples; Strand: 332.5482 and 339.958
        assertThat(markdown).contains(
                "| start-up: process start to first Metadata answer | ms | 1,750 | 336 | 0.19 | lower |",
                // every p50 sample is 0: "< 1" for both, no ratio
                "| end-to-end latency p50 | ms | < 1 | < 1 | — | lower |");
    }

    @Test
    void namesTheRunsAndHowTheyDiffer() throws IOException {
        String markdown = Summary.markdown(List.of(Summary.read(fixture(EARLIER)), Summary.read(fixture(LATER))));

        assertThat(markdown).startsWith("# Strand vs Apache Kafka 4.3.1: medians over 2 runs\n")
                .contains("| " + EARLIER + " | 2026-11-23T18:38:07Z | full | 3 | b380e99+local-changes |",
                        "| " + LATER + " | 2026-11-23T18:44:23Z | full | 3 | 8f2565b |",
                        "- Strand revision: b380e99+local-changes; 8f2565b\n",
                        // these runs predate the rows
                        "- start-up, Kafka with an AppCDS archive of its own (ms): measured in 0 of the 2 runs\n",
                        "- consume 1 KiB records (ConsumerPerformance, one group member) (MB/s): measured in 0 of the 2 runs\n")
                .doesNotContain("- mode:", "- machine:")
                // neither run measured clusters: no replicated table, and that is no difference between them
                .doesNotContain("replicated", "failover");
    }

    @Test
    void readsBackWhatTheReportWrites() throws IOException {
        Samples samples = new Samples();
        samples.record(Metric.CONSUME_LARGE_MB_PER_SEC, BrokerKind.KAFKA, 150.25);
        samples.record(Metric.CONSUME_LARGE_MB_PER_SEC, BrokerKind.STRAND, 180.5);
        samples.record(Metric.STARTUP_KAFKA_APPCDS_MS, BrokerKind.KAFKA, 900);
        samples.note(Metric.CONSUME_MB_PER_SEC, BrokerKind.STRAND, "failed (see consume-100b.log)");
        samples.counts(new TopicCounts(1, BrokerKind.KAFKA, "bench-1kib", 100_000, OptionalLong.of(100_000),
                OptionalLong.of(100_000)));
        MachineInfo machine = new MachineInfo(2, 24L << 30, "CPU \"x\"", "OpenJDK 17", "Linux", "3.10 2.00 1.00");
        String json = new Report("2026-12-05T08:00:00Z", machine, Workload.quick(), "-Xmx1g", List.of(), "abc1234",
                samples).json();
        Path file = Files.writeString(dir.resolve("20261205T080000Z-quick.json"), json);

        Summary.Run run = Summary.read(file);

        assertThat(run.samples().values(Metric.CONSUME_LARGE_MB_PER_SEC, BrokerKind.STRAND)).containsExactly(180.5);
        assertThat(run.samples().note(Metric.CONSUME_MB_PER_SEC, BrokerKind.STRAND))
                .contains("failed (see consume-100b.log)");
        assertThat(run.mode()).isEqualTo("quick");
        assertThat(run.loadAverage()).isEqualTo("3.10 2.00 1.00");
    }

    @Test
    void runsOfTheTlsWorkloadAloneDifferOnlyInTheRowsOneOfThemLacks() throws IOException {
        Samples older = new Samples();
        older.record(Metric.TLS_CONSUME_MB_PER_SEC, BrokerKind.KAFKA, 145);
        older.record(Metric.TLS_CONSUME_MB_PER_SEC, BrokerKind.STRAND, 173);
        Samples newer = new Samples();
        newer.record(Metric.TLS_CONSUME_MB_PER_SEC, BrokerKind.KAFKA, 150);
        newer.record(Metric.TLS_CONSUME_MB_PER_SEC, BrokerKind.STRAND, 170);
        newer.record(Metric.TLS_KCAT_CONSUME_MB_PER_SEC, BrokerKind.KAFKA, 200);
        newer.record(Metric.TLS_KCAT_CONSUME_MB_PER_SEC, BrokerKind.STRAND, 300);
        MachineInfo machine = new MachineInfo(2, 24L << 30, "CPU", "OpenJDK 17", "Linux", "0.10 0.10 0.10");
        Workload tls = Workload.full(3).withMode("full-tls");
        Path olderFile = Files.writeString(dir.resolve("20261206T154053Z-full-tls.json"),
                new Report("2026-12-06T15:40:53Z", machine, tls, "-Xmx1g", List.of(), "abc1234", older).json());
        Path newerFile = Files.writeString(dir.resolve("20261206T180000Z-full-tls.json"),
                new Report("2026-12-06T18:00:00Z", machine, tls, "-Xmx1g", List.of(), "abc1234", newer).json());

        String markdown = Summary.markdown(List.of(Summary.read(olderFile), Summary.read(newerFile)));

        assertThat(markdown).contains(Metric.TLS_KCAT_CONSUME_MB_PER_SEC.label() + " (MB/s): measured in 1 of the 2 runs",
                        "| " + Metric.TLS_CONSUME_MB_PER_SEC.label() + " | MB/s | 148 | 172 | 1.16 | higher |")
                .doesNotContain("start-up: process start to first Metadata answer (ms): measured in",
                        "replicated");
    }

    @Test
    void commandPrintsTheTableOrRefusesBadInput() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int ok = Summary.run(new String[] {fixture(LATER).toString()}, new PrintStream(out), new PrintStream(err));
        int none = Summary.run(new String[0], new PrintStream(out), new PrintStream(err));
        int missing = Summary.run(new String[] {dir.resolve("nope.json").toString()}, new PrintStream(out),
                new PrintStream(err));

        assertThat(ok).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains(
                "| produce 1 KiB records, acks=all, 6 partitions | records/s | 86,972 | 143,596 | 1.65 | higher |");
        assertThat(none).isEqualTo(2);
        assertThat(missing).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("needs one or more result files", "nope.json");
    }
}
