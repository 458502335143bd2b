package io.strand.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/**
 * Renders a finished benchmark as a Markdown page (any problem with the run first, the table of
 * medians with the Strand/Kafka ratio, the records sent and read back, the machine, and the workload
 * with each JVM's exact options and class-data archives) and as JSON (the same plus every sample).
 * Both are pure functions of their inputs; {@code startedAt} is an ISO-8601 instant supplied by the
 * caller. {@link #table} is shared with {@link Summary}.
 */
final class Report {

    private final String startedAt;
    private final MachineInfo machine;
    private final Workload workload;
    private final String brokerJvmOptions;
    private final List<JvmSetup> jvms;
    private final String strandRevision;
    private final Samples samples;

    /** {@code brokerJvmOptions}: the options both brokers share; {@code jvms}: each JVM as started. */
    Report(String startedAt, MachineInfo machine, Workload workload, String brokerJvmOptions, List<JvmSetup> jvms,
            String strandRevision, Samples samples) {
        this.startedAt = startedAt;
        this.machine = machine;
        this.workload = workload;
        this.brokerJvmOptions = brokerJvmOptions;
        this.jvms = List.copyOf(jvms);
        this.strandRevision = strandRevision;
        this.samples = samples;
    }

    String markdown() {
        StringBuilder out = new StringBuilder();
        out.append("# Strand vs Apache Kafka 4.3.1\n\n");
        out.append("Run ").append(startedAt).append(", ").append(workload.mode()).append(" mode, ")
                .append(workload.rounds()).append(workload.rounds() == 1 ? " round" : " rounds")
                .append(" (the first broker alternates between rounds). Medians over the rounds. Strand revision ")
                .append(strandRevision).append(".\n\n");
        List<String> problems = samples.problems();
        if (!problems.isEmpty()) {
            out.append("**Problems with this run** (the figures below may not mean what they say):\n\n");
            problems.forEach(problem -> out.append("- ").append(problem).append('\n'));
            out.append('\n');
        }
        out.append(table(samples));
        if (!samples.counts().isEmpty()) {
            appendCounts(out);
        }
        out.append("\n## Machine\n\n");
        out.append("- cores: ").append(machine.cores()).append('\n');
        out.append("- memory: ").append(String.format(Locale.ROOT, "%.1f GiB", machine.memoryBytes() / (double) (1L << 30)))
                .append('\n');
        out.append("- CPU: ").append(machine.cpuModel()).append('\n');
        out.append("- JDK: ").append(machine.jdk()).append('\n');
        out.append("- OS: ").append(machine.os()).append('\n');
        out.append("- load average at start (1/5/15 min): ").append(machine.loadAverage()).append('\n');
        out.append("\n## Workload\n\n");
        out.append("- brokers: one node each (broker and controller in one process), alone on the machine in turn, "
                + "loopback listeners, fresh data directory per run, default flush policy (the OS writes back), "
                + Workload.PARTITIONS + " partitions per producer topic\n");
        out.append("- JVM options both brokers share: `").append(brokerJvmOptions).append("`. Each JVM exactly as "
                + "started (its options between `java` and `-cp`) and the class data it starts from:\n");
        for (JvmSetup jvm : jvms) {
            out.append("  - ").append(jvm.broker()).append(": `").append(String.join(" ", jvm.options()))
                    .append("`; class data: ").append(jvm.classData()).append('\n');
        }
        out.append("- both brokers log at their default level to a file\n");
        out.append("- load generators: kafka-tools 4.3.1 in their own JVMs on the same machine\n");
        // The single-node load's lines only where it ran (not in a run of one workload alone, e.g. tls).
        if (Arrays.stream(Metric.values()).anyMatch(metric -> metric.section() == Metric.Section.SINGLE_NODE
                && samples.hasAny(metric))) {
            out.append(String.format(Locale.ROOT, "- ProducerPerformance: %,d records of %d B, acks=1; %,d records of %d B, "
                    + "acks=all; unthrottled%n", workload.smallRecords(), Workload.SMALL_RECORD_BYTES,
                    workload.largeRecords(), Workload.LARGE_RECORD_BYTES));
            out.append(String.format(Locale.ROOT, "- EndToEndLatency: %,d records of %d B, acks=1, one partition "
                    + "(the tool reports whole milliseconds for percentiles)%n", workload.latencyRecords(),
                    Workload.SMALL_RECORD_BYTES));
            out.append("- ConsumerPerformance: reads back every record each producer run reported sent, 100 B then 1 KiB, "
                    + "one consumer in a fresh group per topic\n");
            out.append(String.format(Locale.ROOT, "- noisy neighbour (Kafka's Java producer in the harness JVM): %d heavy "
                    + "producers, one connection each, %d B records acks=1 over %d partitions of a flush.messages=1 topic; "
                    + "one light producer, %d B records acks=1 one at a time to another topic, measured for %,d ms after "
                    + "a %,d ms warm-up%n", NoisyNeighbour.HEAVY_PRODUCERS, NoisyNeighbour.HEAVY_RECORD_BYTES,
                    NoisyNeighbour.HEAVY_PARTITIONS, NoisyNeighbour.LIGHT_RECORD_BYTES, workload.noisyNeighbourMs(),
                    NoisyNeighbour.WARM_UP_MS));
        }
        if (Arrays.stream(Metric.values()).anyMatch(metric -> metric.section() == Metric.Section.TRANSACTIONS
                && samples.hasAny(metric))) {
            out.append(String.format(Locale.ROOT, "- transactional produce (Kafka's Java producer in the harness "
                    + "JVM): one producer with a transactional.id (so idempotent), acks=all, max.block.ms=%d, the "
                    + "client's defaults otherwise; transactions back to back, each beginTransaction, %d sends of "
                    + "%d B records without key over %d partitions, commitTransaction; transactions begun in the "
                    + "first %,d ms are not counted, then those begun within %,d ms are; records/s and MB/s over "
                    + "the committed records, from the first counted begin to the last commit. Target: Strand at "
                    + "least 1.3× Kafka's throughput. A broker whose transactions fail gets \"failed (step: "
                    + "error)\" in its cells%n", TransactionalProduce.MAX_BLOCK_MS,
                    TransactionalProduce.RECORDS_PER_TRANSACTION, TransactionalProduce.RECORD_BYTES,
                    Workload.PARTITIONS, TransactionalProduce.WARM_UP_MS, workload.transactionalMs()));
        }
        if (Arrays.stream(Metric.values()).anyMatch(metric -> metric.section() == Metric.Section.SHARE
                && samples.hasAny(metric))) {
            out.append(String.format(Locale.ROOT, "- share group (KIP-932; Kafka's Java clients in the harness JVM): "
                    + "%,d records of %d B produced (acks=1) to a topic of 1 partition; the share group set to "
                    + "share.auto.offset.reset=earliest (a group config, Admin client); then %d KafkaShareConsumers "
                    + "of that group, one thread each, poll in implicit acknowledgement mode (the client's defaults "
                    + "otherwise) until every offset was delivered, then commitSync (accepting their last poll's records) "
                    + "and close; measured from the consumers' creation (the group "
                    + "join included) to the last missing record's delivery, broker CPU from /proc over the same "
                    + "span. Target: Strand at least 1.3× Kafka's throughput%n", workload.shareRecords(),
                    ShareConsume.RECORD_BYTES, ShareConsume.CONSUMERS));
        }
        if (Arrays.stream(Metric.values()).anyMatch(metric -> metric.section() == Metric.Section.TLS
                && samples.hasAny(metric))) {
            out.append(String.format(Locale.ROOT, "- TLS: per broker and round one node with a PLAINTEXT and an SSL "
                    + "listener (TLS 1.3 by default on both; one throw-away EC P-256 key made with keytool for the run; "
                    + "Strand picks its OpenSSL engine when it loads), a topic of %d partition; ProducerPerformance "
                    + "writes %,d records of %d B over TLS, acks=1, linger.ms=%d, batch.size=%d, unthrottled; "
                    + "ConsumerPerformance (its defaults: 1 MiB per partition and fetch) reads every record sent "
                    + "over TLS once unmeasured (the broker's warm-up), then measured over TLS and over plaintext, "
                    + "each in a fresh group; consume MB/s is the tool's "
                    + "fetch.MB.sec (the group join left out); broker CPU from /proc/<pid>/stat around each tool, "
                    + "the consumer JVM's CPU sampled from /proc every 50 ms until it exits (the Java consumer "
                    + "decrypts and parses on the same cores: its rows measure the client as much as the broker); "
                    + "then librdkafka through kcat (OpenSSL; its simple consumer, no group, librdkafka's fetch "
                    + "defaults) reads every record to the partition's end over TLS and over plaintext, one offset "
                    + "a line counted by the harness; its MB/s is from its first output to its end-of-partition "
                    + "line, its CPU kcat's whole run (cutime of the harness), the broker's from /proc around it%n",
                    TlsRun.PARTITIONS,
                    workload.largeRecords(), Workload.LARGE_RECORD_BYTES, TlsRun.PRODUCER_LINGER_MS,
                    TlsRun.PRODUCER_BATCH_BYTES));
        }
        if (Arrays.stream(Metric.values()).anyMatch(metric -> metric.section() == Metric.Section.REPLICATED
                && samples.hasAny(metric))) {
            out.append(String.format(Locale.ROOT, "- replicated: per broker and round a cluster of %d combined nodes "
                    + "(broker and controller in each), each its own JVM with that broker's options above, on fresh "
                    + "storage; topics with %d replicas and min.insync.replicas=%d; failure detection and elections "
                    + "at each broker's defaults. ProducerPerformance: %,d records of %d B, acks=all, %d partitions, "
                    + "CPU summed over the three nodes' processes; EndToEndLatency: %,d records of %d B, acks=all, "
                    + "one partition. Failover: a producer in the harness (Kafka's Java client, acks=all, idempotent, "
                    + "retries, request.timeout.ms=%d, metadata.max.age.ms=%d) sends %d B records one at a time to a "
                    + "one-partition topic; the leader of that partition is killed with SIGKILL; measured from the "
                    + "kill to the completion of the first acknowledged send started after it (so one acks=all round "
                    + "trip is included); the node is restarted and back in the ISR before the next of %d kills; a "
                    + "round's sample is the median of its kills%n", ReplicatedCluster.NODES,
                    ReplicatedCluster.REPLICATION_FACTOR, ReplicatedCluster.MIN_INSYNC_REPLICAS,
                    workload.replicatedRecords(), Workload.LARGE_RECORD_BYTES, Workload.PARTITIONS,
                    workload.latencyRecords(), Workload.SMALL_RECORD_BYTES, FailoverProbe.REQUEST_TIMEOUT_MS,
                    FailoverProbe.METADATA_MAX_AGE_MS, FailoverProbe.RECORD_BYTES, workload.failoverKills()));
        }
        out.append("- the load generators share the machine's cores with the broker, and anything else running on "
                + "the machine (see the load average) adds noise: compare ratios from one run, not absolute figures "
                + "across machines\n");
        out.append("- CPU: utime+stime of the broker process from /proc/<pid>/stat around each producer run; "
                + "RSS: VmRSS from /proc/<pid>/status, 2 s after start and sampled every 100 ms while producing\n");
        return out.toString();
    }

    /** The records requested, sent and read back per round, broker and topic (single-node runs). */
    private void appendCounts(StringBuilder out) {
        out.append("\n## Records sent and read back\n\n");
        out.append("Throughput and CPU per GB are over the records ProducerPerformance reports sent; "
                + "ConsumerPerformance reads each topic back (and, over TLS, kcat: the offsets it printed).\n\n");
        out.append("| round | broker | topic | requested | sent | read back | check |\n");
        out.append("|---:|---|---|---:|---:|---:|---|\n");
        for (TopicCounts counts : samples.counts()) {
            out.append("| ").append(counts.round()).append(" | ").append(counts.broker().label())
                    .append(" | ").append(counts.topic())
                    .append(" | ").append(String.format(Locale.ROOT, "%,d", counts.requested()))
                    .append(" | ").append(count(counts.sent()))
                    .append(" | ").append(count(counts.read()))
                    .append(" | ").append(counts.problem().isPresent() ? "**MISMATCH**" : "ok").append(" |\n");
        }
    }

    /**
     * The tables of medians of {@code samples}, one row per metric, Markdown: the single-node table,
     * then each further section that has a value or a note, under its heading.
     */
    static String table(Samples samples) {
        StringBuilder out = new StringBuilder();
        for (Metric.Section section : Metric.Section.values()) {
            List<Metric> metrics = Arrays.stream(Metric.values()).filter(metric -> metric.section() == section).toList();
            if (section == Metric.Section.SINGLE_NODE) {
                // A run of clusters (or of the transactional figure) only has no figures of the first table:
                // no table of dashes for them.
                boolean clustersOnly = metrics.stream().noneMatch(samples::hasAny)
                        && Arrays.stream(Metric.values()).anyMatch(samples::hasAny);
                if (!clustersOnly) {
                    out.append(table(samples, metrics));
                }
            } else if (metrics.stream().anyMatch(samples::hasAny)) {
                out.append("\n### ").append(section.title()).append("\n\n").append(table(samples, metrics));
            }
        }
        return out.toString();
    }

    private static String table(Samples samples, List<Metric> metrics) {
        StringBuilder out = new StringBuilder();
        out.append("| measure | unit | Kafka | Strand | Strand/Kafka | better |\n");
        out.append("|---|---|---:|---:|---:|---|\n");
        for (Metric metric : metrics) {
            OptionalDouble ratio = samples.strandOverKafka(metric);
            out.append("| ").append(metric.label()).append(" | ").append(metric.unit())
                    .append(" | ").append(cell(samples, metric, BrokerKind.KAFKA))
                    .append(" | ").append(cell(samples, metric, BrokerKind.STRAND))
                    .append(" | ").append(ratio.isPresent() ? String.format(Locale.ROOT, "%.2f", ratio.getAsDouble()) : "—")
                    .append(" | ").append(metric.higherIsBetter() ? "higher" : "lower").append(" |\n");
        }
        return out.toString();
    }

    String json() {
        StringBuilder out = new StringBuilder();
        out.append("{\n");
        out.append("  \"startedAt\": ").append(quote(startedAt)).append(",\n");
        out.append("  \"mode\": ").append(quote(workload.mode())).append(",\n");
        out.append("  \"rounds\": ").append(workload.rounds()).append(",\n");
        out.append("  \"strandRevision\": ").append(quote(strandRevision)).append(",\n");
        out.append("  \"machine\": {\"cores\": ").append(machine.cores())
                .append(", \"memoryBytes\": ").append(machine.memoryBytes())
                .append(", \"cpuModel\": ").append(quote(machine.cpuModel()))
                .append(", \"jdk\": ").append(quote(machine.jdk()))
                .append(", \"os\": ").append(quote(machine.os()))
                .append(", \"loadAverage\": ").append(quote(machine.loadAverage())).append("},\n");
        out.append("  \"workload\": {\"smallRecords\": ").append(workload.smallRecords())
                .append(", \"smallRecordBytes\": ").append(Workload.SMALL_RECORD_BYTES)
                .append(", \"largeRecords\": ").append(workload.largeRecords())
                .append(", \"largeRecordBytes\": ").append(Workload.LARGE_RECORD_BYTES)
                .append(", \"latencyRecords\": ").append(workload.latencyRecords())
                .append(", \"partitions\": ").append(Workload.PARTITIONS)
                .append(", \"replicatedRecords\": ").append(workload.replicatedRecords())
                .append(", \"failoverKills\": ").append(workload.failoverKills())
                .append(", \"transactionalMs\": ").append(workload.transactionalMs())
                .append(", \"recordsPerTransaction\": ").append(TransactionalProduce.RECORDS_PER_TRANSACTION)
                .append(", \"brokerJvmOptions\": ").append(quote(brokerJvmOptions)).append("},\n");
        out.append("  \"jvms\": [").append(jvms.stream().map(jvm -> "{\"broker\": " + quote(jvm.broker())
                + ", \"options\": " + quote(String.join(" ", jvm.options()))
                + ", \"classData\": " + quote(jvm.classData()) + "}").collect(Collectors.joining(", "))).append("],\n");
        out.append("  \"counts\": [").append(samples.counts().stream().map(counts -> "{\"round\": " + counts.round()
                + ", \"broker\": " + quote(counts.broker().key()) + ", \"topic\": " + quote(counts.topic())
                + ", \"requested\": " + counts.requested() + ", \"sent\": " + countJson(counts.sent())
                + ", \"read\": " + countJson(counts.read()) + "}").collect(Collectors.joining(", "))).append("],\n");
        out.append("  \"problems\": [").append(samples.problems().stream().map(Report::quote)
                .collect(Collectors.joining(", "))).append("],\n");
        out.append("  \"metrics\": [\n");
        Metric[] metrics = Metric.values();
        for (int i = 0; i < metrics.length; i++) {
            Metric metric = metrics[i];
            OptionalDouble ratio = samples.strandOverKafka(metric);
            out.append("    {\"key\": ").append(quote(metric.key()))
                    .append(", \"label\": ").append(quote(metric.label()))
                    .append(", \"unit\": ").append(quote(metric.unit()))
                    .append(", \"higherIsBetter\": ").append(metric.higherIsBetter());
            for (BrokerKind broker : BrokerKind.values()) {
                out.append(", ").append(quote(broker.key())).append(": ").append(brokerJson(metric, broker));
            }
            out.append(", \"strandOverKafka\": ").append(ratio.isPresent() ? number(ratio.getAsDouble()) : "null")
                    .append(i + 1 < metrics.length ? "},\n" : "}\n");
        }
        out.append("  ]\n}\n");
        return out.toString();
    }

    private static String count(OptionalLong count) {
        return count.isPresent() ? String.format(Locale.ROOT, "%,d", count.getAsLong()) : "—";
    }

    private static String cell(Samples samples, Metric metric, BrokerKind broker) {
        OptionalDouble median = samples.median(metric, broker);
        if (median.isPresent()) {
            return format(metric, median.getAsDouble());
        }
        return samples.note(metric, broker).orElse("—");
    }

    private static String countJson(OptionalLong count) {
        return count.isPresent() ? Long.toString(count.getAsLong()) : "null";
    }

    private String brokerJson(Metric metric, BrokerKind broker) {
        OptionalDouble median = samples.median(metric, broker);
        List<Double> values = samples.values(metric, broker);
        String note = samples.note(metric, broker).map(Report::quote).orElse("null");
        return "{\"median\": " + (median.isPresent() ? number(median.getAsDouble()) : "null")
                + ", \"samples\": [" + values.stream().map(Report::number).collect(Collectors.joining(", ")) + "]"
                + ", \"note\": " + note + "}";
    }

    /** A median as the table shows it: whole-millisecond figures as integers, "< 1" below the resolution. */
    static String format(Metric metric, double value) {
        if (metric.resolution() > 0) {
            if (value < metric.resolution()) {
                return "< " + format(metric.resolution(), true);
            }
            return format(value, value == Math.rint(value));
        }
        return format(value);
    }

    private static String format(double value, boolean integral) {
        return integral ? String.format(Locale.ROOT, "%,.0f", value) : format(value);
    }

    /** Three significant digits at most after the point, grouped thousands above 1000. */
    static String format(double value) {
        double magnitude = Math.abs(value);
        if (magnitude >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", value);
        }
        if (magnitude >= 100) {
            return String.format(Locale.ROOT, "%.0f", value);
        }
        if (magnitude >= 10) {
            return String.format(Locale.ROOT, "%.1f", value);
        }
        return String.format(Locale.ROOT, "%.2f", value);
    }

    private static String number(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return "null";
        }
        return String.format(Locale.ROOT, "%.4f", value).replaceAll("\\.?0+$", "");
    }

    static String quote(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
