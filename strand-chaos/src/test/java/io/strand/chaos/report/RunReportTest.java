package io.strand.chaos.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.chaos.history.Checker;
import io.strand.chaos.history.History;
import io.strand.chaos.history.ConsumerEvent;
import io.strand.chaos.history.Send;
import io.strand.chaos.history.Transaction;
import io.strand.chaos.history.TransactionHistory;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunReportTest {

    @TempDir
    Path dir;

    private RunReport report(Map<Long, String> partition0) {
        return report("strand", partition0, Map.of());
    }

    private RunReport report(String system, Map<Long, String> partition0, Map<String, String> skipped) {
        return report(system, partition0, skipped, ClientTrouble.NONE);
    }

    private RunReport report(String system, Map<Long, String> partition0, Map<String, String> skipped,
                             ClientTrouble clients) {
        History history = new History(List.of(Send.acked("p", 0, 0, 1_000, 0, 1_100),
                Send.acked("p", 1, 0, 2_000, 1, 4_000)), Set.of("p"), List.of(), Map.of(0, new TreeMap<>(partition0)));
        return new RunReport(system, 42, 1_000, 5_000, List.of(new FaultWindow("isolate", "isolate node 2", 1_500,
                3_000)), history, new Checker().check(history), List.of("reproduce: strand-chaos/run --seed 42"),
                skipped, clients);
    }

    @Test
    void aCleanRunPassesAndWritesMarkdownJsonAndATimeline() throws Exception {
        RunReport report = report(Map.of(0L, "p#0", 1L, "p#1"));
        report.write(dir);

        assertThat(report.verdict()).isEqualTo("PASS strand seed=42 faults=1 acked=2 failed=0 unknown=0 reads=0 "
                + "lost=0 dup=0 resent=0 order=0 inconsistent=0 unexpected=0 skip=0 repeat=0 aborted=0 partial=0");
        assertThat(Files.readString(dir.resolve("report.md"))).contains("| 1 | isolate | isolate node 2 |");
        assertThat(Files.readString(dir.resolve("report.json"))).contains("\"longestGapMs\": 2500")
                .contains("\"recoveryMs\": 1000");
        BufferedImage png = ImageIO.read(dir.resolve("timeline.png").toFile());
        assertThat(png.getWidth()).isPositive();
        assertThat(Files.readAllLines(dir.resolve("sends.tsv"))).hasSize(3);
    }

    @Test
    void aRunWithAnAnomalyFails() {
        assertThat(report(Map.of(0L, "p#0")).verdict()).startsWith("FAIL strand seed=42").contains(" lost=1 ");
    }

    @Test
    void aSummaryGivesMedianAndWorstPerKind() throws Exception {
        CampaignSummary summary = new CampaignSummary();
        summary.add(report(Map.of(0L, "p#0", 1L, "p#1")), dir.resolve("a"));
        summary.write(dir);

        assertThat(summary.perKind()).isEqualTo(Map.of("strand", Map.of("isolate", Map.of("faults", 1L,
                "medianGapMs", 2500L, "worstGapMs", 2500L, "medianRecoveryMs", 1000L, "worstRecoveryMs", 1000L))));
        assertThat(summary.verdict()).startsWith("PASS campaign schedules=1 passed=1 errors=0");
        assertThat(Files.readString(dir.resolve("summary.md"))).contains("| strand | isolate | 1 | 2500 |");
    }

    @Test
    void aSummaryOfBothSystemsPutsThemSideBySideAndListsSkippedKinds() throws Exception {
        CampaignSummary summary = new CampaignSummary();
        Map<String, String> noNetem = Map.of("delay", "no netem");
        summary.add(report("strand", Map.of(0L, "p#0", 1L, "p#1"), noNetem), dir.resolve("a"));
        summary.add(report("kafka", Map.of(0L, "p#0"), noNetem, new ClientTrouble(2,
                List.of("python0 exited with code 1 before it was stopped: KafkaException: rewound"))), dir.resolve("b"));
        summary.write(dir);

        assertThat(summary.anomaliesPerSystem().get("kafka")).containsEntry("lost", 1L);
        assertThat(summary.anomaliesPerSystem().get("strand")).containsEntry("lost", 0L);
        assertThat(summary.skippedPerSystem()).isEqualTo(Map.of("strand", noNetem, "kafka", noNetem));
        String md = Files.readString(dir.resolve("summary.md"));
        assertThat(md).contains("| kind | strand | kafka |")
                .contains("| isolate | 1: 2500 / 2500, 1000 / 1000 | 1: 2500 / 2500, 1000 / 1000 |")
                .contains("| delay | skipped | skipped |")
                .contains("| kafka | 1 | 0 | 2 | 0 / 0 / 0 | lost=1 ")
                .contains("| 2 epoch bumps, 1 producer ended early |")
                .contains("| 0 epoch bumps, 0 producers ended early |");
        report("strand", Map.of(0L, "p#0", 1L, "p#1"), Map.of()).write(dir.resolve("a"));
        assertThat(Files.readString(dir.resolve("a").resolve("report.md"))).doesNotContain("Skipped");
        report("strand", Map.of(0L, "p#0", 1L, "p#1"), noNetem).write(dir.resolve("c"));
        assertThat(Files.readString(dir.resolve("c").resolve("report.md"))).contains("- delay: no netem");
        assertThat(Files.readString(dir.resolve("c").resolve("report.json"))).contains("\"delay\": \"no netem\"");
        report("kafka", Map.of(0L, "p#0", 1L, "p#1"), Map.of(), new ClientTrouble(1, List.of("python0 exited with "
                + "code 1 before it was stopped: KafkaException: rewound"))).write(dir.resolve("d"));
        assertThat(Files.readString(dir.resolve("d").resolve("report.md")))
                .contains("- clients on their own: 1 epoch bump, 1 producer ended early\n"
                        + "  - python0 exited with code 1 before it was stopped: KafkaException: rewound");
        assertThat(Files.readString(dir.resolve("d").resolve("report.json"))).contains("\"clientEpochBumps\": 1");
    }

    @Test
    void aRunWithTransactionsCountsThemAndWritesTheirHistory() throws Exception {
        String v0 = Transaction.valueOf("tx0", 0, 0, 2);
        String v1 = Transaction.valueOf("tx0", 0, 1, 2);
        String aborted = Transaction.valueOf("tx0", 1, 0, 2);
        TransactionHistory tx = new TransactionHistory("chaos-tx", List.of(
                new Transaction("tx0", 0, List.of(0, 1), Transaction.Outcome.COMMITTED, 1_000, 1_100, null),
                new Transaction("tx0", 1, List.of(1, 2), Transaction.Outcome.ABORTED, 1_200, 1_300, null)),
                List.of(ConsumerEvent.read("txalone0", null, 1, 1, aborted, 1_400)),
                Map.of(0, new TreeMap<>(Map.of(0L, v0)), 1, new TreeMap<>(Map.of(0L, v1))),
                Map.of(0, new TreeMap<>(Map.of(0L, v0)), 1, new TreeMap<>(Map.of(0L, v1, 1L, aborted))));
        History history = new History(List.of(Send.acked("p", 0, 0, 1_000, 0, 1_100)), Set.of("p"), List.of(),
                Map.of(0, new TreeMap<>(Map.of(0L, "p#0"))), tx);
        RunReport report = new RunReport("strand", 42, 1_000, 5_000, List.of(), history, new Checker().check(history),
                List.of());
        report.write(dir);

        assertThat(report.verdict()).startsWith("FAIL strand seed=42").contains(" txns=1/1/0 txreads=1 ")
                .endsWith(" aborted=1 partial=0");
        assertThat(Files.readString(dir.resolve("report.md"))).contains("| tx0 | 2 | 1 | 1 | 0 | 0 | 4 |")
                .contains("| txalone0 | (alone) | 1 |").contains("Final reads: 2 records read_committed, 3 read_uncommitted.");
        assertThat(Files.readString(dir.resolve("report.json"))).contains("\"aborted\": 1");
        assertThat(Files.readAllLines(dir.resolve("transactions.tsv"))).hasSize(3);
        assertThat(Files.readAllLines(dir.resolve("tx-final-read.tsv"))).hasSize(6);
        assertThat(Files.readAllLines(dir.resolve("tx-consumer-events.tsv"))).hasSize(2);
    }
}
