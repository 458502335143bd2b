package io.strand.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ReportTest {

    static final MachineInfo MACHINE = new MachineInfo(2, 24L << 30, "Test \"CPU\"", "OpenJDK 17.0.15",
            "Linux 6.1 amd64", "0.50 0.40 0.30");

    private static final List<JvmSetup> JVMS = List.of(
            new JvmSetup("Kafka (every row)", List.of("-Xmx1g", "-XX:+UseG1GC"), "the JDK's default CDS archive only"),
            new JvmSetup("Strand (every row)", List.of("-XX:CompileThresholdScaling=3", "-Xmx1g", "-XX:+UseG1GC",
                    "-XX:SharedArchiveFile=/s/strand.jsa", "-Xlog:cds=off", "-Xlog:cds+dynamic=off"), "strand.jsa"));

    private static Report report(Samples samples) {
        return new Report("2026-11-23T15:41:20Z", MACHINE, Workload.full(3),
                "-Xmx1g -XX:+UseG1GC", JVMS, "abc1234", samples);
    }

    private static Samples samples() {
        Samples samples = new Samples();
        samples.record(Metric.PRODUCE_SMALL_RECORDS_PER_SEC, BrokerKind.KAFKA, 150_000);
        samples.record(Metric.PRODUCE_SMALL_RECORDS_PER_SEC, BrokerKind.KAFKA, 160_000);
        samples.record(Metric.PRODUCE_SMALL_RECORDS_PER_SEC, BrokerKind.KAFKA, 170_000);
        samples.record(Metric.PRODUCE_SMALL_RECORDS_PER_SEC, BrokerKind.STRAND, 200_000);
        samples.record(Metric.PRODUCE_SMALL_RECORDS_PER_SEC, BrokerKind.STRAND, 180_000);
        samples.record(Metric.PRODUCE_SMALL_RECORDS_PER_SEC, BrokerKind.STRAND, 240_000);
        samples.record(Metric.CONSUME_MB_PER_SEC, BrokerKind.KAFKA, 40.25);
        samples.note(Metric.CONSUME_MB_PER_SEC, BrokerKind.STRAND, LoadTools.NEEDS_CONSUMER_GROUPS);
        return samples;
    }

    @Test
    void markdownRowShowsMediansAndStrandOverKafka() {
        String markdown = report(samples()).markdown();

        assertThat(markdown).contains("| produce 100 B records, acks=1, 6 partitions | records/s | 160,000 | 200,000 | 1.25 | higher |");
    }

    @Test
    void markdownShowsWhyAValueIsMissing() {
        String markdown = report(samples()).markdown();

        assertThat(markdown).contains("| consume 100 B records (ConsumerPerformance, one group member) | MB/s | 40.3 | "
                + "n/a (needs consumer groups) | — | higher |");
    }

    @Test
    void markdownRecordsMachineAndRevision() {
        String markdown = report(samples()).markdown();

        assertThat(markdown).contains("- cores: 2", "- memory: 24.0 GiB", "- JDK: OpenJDK 17.0.15", "Strand revision abc1234");
    }

    @Test
    void jsonCarriesEverySampleMedianRatioAndNote() throws Exception {
        JsonNode root = new ObjectMapper().readTree(report(samples()).json());

        assertThat(root.get("machine").get("cores").asInt()).isEqualTo(2);
        assertThat(root.get("machine").get("cpuModel").asText()).isEqualTo("Test \"CPU\"");
        assertThat(root.get("rounds").asInt()).isEqualTo(3);
        assertThat(root.get("metrics")).hasSize(Metric.values().length);
        JsonNode produce = metric(root, Metric.PRODUCE_SMALL_RECORDS_PER_SEC);
        assertThat(produce.get("kafka").get("median").asDouble()).isEqualTo(160_000);
        assertThat(produce.get("strand").get("samples")).hasSize(3);
        assertThat(produce.get("strandOverKafka").asDouble()).isEqualTo(1.25);
        JsonNode consume = metric(root, Metric.CONSUME_MB_PER_SEC);
        assertThat(consume.get("strand").get("median").isNull()).isTrue();
        assertThat(consume.get("strand").get("note").asText()).isEqualTo("n/a (needs consumer groups)");
        assertThat(consume.get("strandOverKafka").isNull()).isTrue();
    }

    @Test
    void wholeMillisecondPercentilesBelowOneReadAsUnderOneWithoutRatio() {
        Samples samples = new Samples();
        samples.record(Metric.END_TO_END_P50_MS, BrokerKind.KAFKA, 1);
        samples.record(Metric.END_TO_END_P50_MS, BrokerKind.STRAND, 0);
        samples.record(Metric.END_TO_END_P99_MS, BrokerKind.KAFKA, 9);
        samples.record(Metric.END_TO_END_P99_MS, BrokerKind.STRAND, 7);

        String markdown = report(samples).markdown();

        assertThat(markdown).contains("| end-to-end latency p50 | ms | 1 | < 1 | — | lower |",
                "| end-to-end latency p99 | ms | 9 | 7 | 0.78 | lower |");
    }

    @Test
    void markdownNamesEachJvmsExactOptionsAndClassData() {
        String markdown = report(samples()).markdown();

        assertThat(markdown).contains("  - Kafka (every row): `-Xmx1g -XX:+UseG1GC`; class data: the JDK's default CDS archive only\n",
                "  - Strand (every row): `-XX:CompileThresholdScaling=3 -Xmx1g -XX:+UseG1GC "
                        + "-XX:SharedArchiveFile=strand.jsa -Xlog:cds=off -Xlog:cds+dynamic=off`; class data: strand.jsa\n")
                .doesNotContain("cold");
    }

    @Test
    void markdownListsCountsAndPutsMismatchesAboveTheTable() {
        Samples samples = samples();
        samples.counts(new TopicCounts(1, BrokerKind.KAFKA, "bench-100b", 3_000_000, OptionalLong.of(3_000_000),
                OptionalLong.of(3_000_000)));
        samples.counts(new TopicCounts(1, BrokerKind.STRAND, "bench-1kib", 500_000, OptionalLong.of(500_000),
                OptionalLong.of(499_000)));

        String markdown = report(samples).markdown();

        assertThat(markdown).contains("| 1 | Kafka | bench-100b | 3,000,000 | 3,000,000 | 3,000,000 | ok |",
                "| 1 | Strand | bench-1kib | 500,000 | 500,000 | 499,000 | **MISMATCH** |");
        int problems = markdown.indexOf("**Problems with this run**");
        assertThat(problems).isPositive().isLessThan(markdown.indexOf("| measure |"));
        assertThat(markdown).contains("- round 1, Strand, bench-1kib: 500,000 records sent but 499,000 read back\n");
    }

    @Test
    void markdownWithoutProblemsHasNoProblemsSection() {
        assertThat(report(samples()).markdown()).doesNotContain("Problems");
    }

    @Test
    void jsonCarriesCountsJvmsAndProblems() throws Exception {
        Samples samples = samples();
        samples.counts(new TopicCounts(1, BrokerKind.STRAND, "bench-1kib", 500_000, OptionalLong.of(499_968),
                OptionalLong.empty()));

        JsonNode root = new ObjectMapper().readTree(report(samples).json());

        JsonNode counts = root.get("counts").get(0);
        assertThat(counts.get("broker").asText()).isEqualTo("strand");
        assertThat(counts.get("sent").asLong()).isEqualTo(499_968);
        assertThat(counts.get("read").isNull()).isTrue();
        assertThat(root.get("problems")).hasSize(1);
        assertThat(root.get("jvms").get(1).get("options").asText()).startsWith("-XX:CompileThresholdScaling=3");
    }

    @Test
    void formatsByMagnitude() {
        assertThat(Report.format(245821.04)).isEqualTo("245,821");
        assertThat(Report.format(312.4)).isEqualTo("312");
        assertThat(Report.format(15.01)).isEqualTo("15.0");
        assertThat(Report.format(2.5419)).isEqualTo("2.54");
    }

    @Test
    void quotesControlCharactersInJsonStrings() {
        assertThat(Report.quote("a\"b\\c\nd\u0001")).isEqualTo("\"a\\\"b\\\\c\\nd\\u0001\"");
    }

    private static JsonNode metric(JsonNode root, Metric metric) {
        for (JsonNode node : root.get("metrics")) {
            if (node.get("key").asText().equals(metric.key())) {
                return node;
            }
        }
        throw new AssertionError("no metric " + metric.key());
    }

    @Test
    void replicatedFiguresGetTheirOwnTableOnlyWhenMeasured() {
        assertThat(report(samples()).markdown()).doesNotContain("### replicated", "failover:");

        Samples samples = samples();
        samples.record(Metric.REPLICATED_FAILOVER_MS, BrokerKind.KAFKA, 9_200);
        samples.record(Metric.REPLICATED_FAILOVER_MS, BrokerKind.STRAND, 2_300);
        samples.note(Metric.REPLICATED_PRODUCE_RECORDS_PER_SEC, BrokerKind.STRAND, "failed (see produce-1kib.log)");
        String markdown = report(samples).markdown();

        assertThat(markdown).contains("### replicated (3 nodes, RF 3, min.insync.replicas=2)")
                .contains("| failover: leader killed (kill -9) to the next acks=all send acknowledged, median of the "
                        + "kills | ms | 9,200 | 2,300 | 0.25 | lower |")
                .contains("| — | failed (see produce-1kib.log) | — | higher |")
                .contains("- replicated: per broker and round a cluster of 3 combined nodes");
        assertThat(markdown.indexOf("### replicated")).isGreaterThan(markdown.indexOf("| produce 100 B records"));
    }

    @Test
    void aRunOfClustersOnlyShowsNoSingleNodeTable() {
        Samples samples = new Samples();
        samples.record(Metric.REPLICATED_END_TO_END_P99_MS, BrokerKind.KAFKA, 12);
        samples.record(Metric.REPLICATED_END_TO_END_P99_MS, BrokerKind.STRAND, 6);

        String markdown = report(samples).markdown();

        assertThat(markdown).contains("| end-to-end latency, acks=all, p99 | ms | 12 | 6 | 0.50 | lower |")
                .doesNotContain("start-up: process start", "## Records sent and read back");
        assertThat(report(new Samples()).markdown()).contains("start-up: process start");
    }

    @Test
    void transactionalFiguresGetTheirOwnTableAndWorkloadLine() throws Exception {
        Samples samples = samples();
        samples.record(Metric.TXN_PRODUCE_RECORDS_PER_SEC, BrokerKind.KAFKA, 20_000);
        samples.record(Metric.TXN_PRODUCE_RECORDS_PER_SEC, BrokerKind.STRAND, 30_000);
        samples.record(Metric.TXN_PRODUCE_MB_PER_SEC, BrokerKind.KAFKA, 19.53);
        samples.record(Metric.TXN_PRODUCE_MB_PER_SEC, BrokerKind.STRAND, 29.3);

        String markdown = report(samples).markdown();

        assertThat(markdown).contains("### transactional produce (one node each, Kafka's Java producer with a "
                        + "transactional.id)")
                .contains("| transactional produce 1 KiB records, acks=all, 100 per transaction, 6 partitions "
                        + "(target ≥ 1.3×) | records/s | 20,000 | 30,000 | 1.50 | higher |")
                .contains("| MB/s | 19.5 | 29.3 | 1.50 | higher |")
                .contains("- transactional produce (Kafka's Java producer in the harness JVM): one producer with a "
                        + "transactional.id (so idempotent), acks=all, max.block.ms=30000")
                .contains("transactions begun in the first 1,000 ms are not counted, then those begun within 10,000 ms");
        assertThat(markdown.indexOf("### transactional")).isGreaterThan(markdown.indexOf("| produce 100 B records"));
        assertThat(report(samples()).markdown()).doesNotContain("transactional");
        JsonNode root = new ObjectMapper().readTree(report(samples).json());
        assertThat(root.get("workload").get("transactionalMs").asLong()).isEqualTo(10_000);
        assertThat(root.get("workload").get("recordsPerTransaction").asInt()).isEqualTo(100);
        assertThat(metric(root, Metric.TXN_PRODUCE_RECORDS_PER_SEC).get("strandOverKafka").asDouble()).isEqualTo(1.5);
    }

    @Test
    void aRunOfTheTransactionalFigureOnlyShowsNoSingleNodeTable() {
        Samples samples = new Samples();
        samples.record(Metric.TXN_PRODUCE_RECORDS_PER_SEC, BrokerKind.KAFKA, 20_000);
        samples.note(Metric.TXN_PRODUCE_RECORDS_PER_SEC, BrokerKind.STRAND, "failed (initTransactions: x)");

        String markdown = report(samples).markdown();

        assertThat(markdown).contains("| records/s | 20,000 | failed (initTransactions: x) | — | higher |")
                .doesNotContain("start-up: process start", "## Records sent and read back");
    }

    @Test
    void aRunOfTheTlsWorkloadShowsItsTableAndWorkloadLineOnly() {
        Samples samples = new Samples();
        samples.record(Metric.TLS_PRODUCE_MB_PER_SEC, BrokerKind.KAFKA, 30);
        samples.record(Metric.TLS_PRODUCE_MB_PER_SEC, BrokerKind.STRAND, 42);
        samples.note(Metric.TLS_CONSUME_MB_PER_SEC, BrokerKind.STRAND, "failed (see consume-tls.log)");

        String markdown = report(samples).markdown();

        assertThat(markdown).contains("### " + Metric.Section.TLS.title(),
                        "| produce 1 KiB records over TLS, acks=1, 1 partition (target ≥ 1.3×) | MB/s | 30.0 | 42.0 | 1.40 | higher |",
                        "failed (see consume-tls.log)", "- TLS: per broker and round")
                .doesNotContain("start-up: process start", "- ProducerPerformance:", "- noisy neighbour");
    }

    @Test
    void theTlsTableShowsBothConsumersRowsUnderTheirClientsNames() {
        Samples samples = new Samples();
        samples.record(Metric.TLS_CONSUME_MB_PER_SEC, BrokerKind.KAFKA, 145);
        samples.record(Metric.TLS_CONSUME_MB_PER_SEC, BrokerKind.STRAND, 173);
        samples.record(Metric.TLS_KCAT_CONSUME_MB_PER_SEC, BrokerKind.KAFKA, 200);
        samples.record(Metric.TLS_KCAT_CONSUME_MB_PER_SEC, BrokerKind.STRAND, 300);
        samples.note(Metric.TLS_KCAT_CONSUME_PLAIN_MB_PER_SEC, BrokerKind.KAFKA, TlsRun.KCAT_NOT_FOUND);

        String markdown = report(samples).markdown();

        assertThat(markdown).contains(
                "| consume 1 KiB records over TLS, while fetching (target ≥ 1.3×) | MB/s | 145 | 173 | 1.19 | higher |",
                "| consume 1 KiB records over TLS with librdkafka (kcat), while fetching (target ≥ 1.3×) | MB/s | 200 "
                        + "| 300 | 1.50 | higher |",
                "| consume the same records over plaintext with librdkafka (kcat), while fetching (reference) | MB/s | "
                        + TlsRun.KCAT_NOT_FOUND + " | — | — | higher |",
                "then librdkafka through kcat");
        // The Java consumer's rows come first, as in the runs before kcat was added.
        assertThat(markdown.indexOf("consume 1 KiB records over TLS, while fetching"))
                .isLessThan(markdown.indexOf("with librdkafka (kcat)"));
    }
}
