package io.strand.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * The load generators of kafka-tools 4.3.1, each run in its own JVM against one broker, and what
 * their output adds to {@link Samples}: ProducerPerformance (100 B records with acks=1, 1 KiB records
 * with acks=all, unthrottled) with the broker's CPU time read from {@code /proc} around each run,
 * EndToEndLatency, and ConsumerPerformance reading each producer's topic back. The producer and
 * consumer methods return the counts the tools report, which the caller checks against each other
 * ({@link TopicCounts}). A run that fails or times out leaves a note naming its
 * log in the cells it would have filled; a broker without consumer groups leaves
 * {@value #NEEDS_CONSUMER_GROUPS}.
 *
 * <p>Used from the harness's main thread only; each method returns once its tool's JVM has exited.
 */
final class LoadTools {

    static final String NEEDS_CONSUMER_GROUPS = "n/a (needs consumer groups)";
    static final String NOT_PRODUCED = "not run (the producer reported no count)";
    private static final String PRODUCER_PERFORMANCE = "org.apache.kafka.tools.ProducerPerformance";
    private static final String END_TO_END_LATENCY = "org.apache.kafka.tools.EndToEndLatency";
    private static final String CONSUMER_PERFORMANCE = "org.apache.kafka.tools.ConsumerPerformance";
    /** The longest ConsumerPerformance waits for the next record before it gives up. */
    private static final int CONSUMER_IDLE_TIMEOUT_MS = 30_000;
    private static final double BYTES_PER_GB = 1e9;
    private static final long TOOL_CPU_SAMPLE_MS = 50;
    /** The load generators' JVMs: the same for both brokers, English number formats. */
    private static final List<String> TOOL_JVM_OPTIONS = List.of("-Xms256m", "-Xmx1g", "-XX:+UseG1GC",
            "-Duser.language=en", "-Duser.country=US", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");

    private final BrokerKind kind;
    private final Workload workload;
    private final String toolClassPath;
    private final Samples samples;

    LoadTools(BrokerKind kind, Workload workload, String toolClassPath, Samples samples) {
        this.kind = kind;
        this.workload = workload;
        this.toolClassPath = toolClassPath;
        this.samples = samples;
    }

    /**
     * 100 B records, acks=1, into {@code topic}; {@code brokerPid} is read for CPU time. Returns the
     * records ProducerPerformance reports sent, empty when it printed no summary.
     */
    OptionalLong produceSmall(long brokerPid, String bootstrap, String topic, Path log) {
        return produce(brokerPid, bootstrap, topic, workload.smallRecords(), Workload.SMALL_RECORD_BYTES, "1",
                Metric.PRODUCE_SMALL_RECORDS_PER_SEC, Metric.PRODUCE_SMALL_MB_PER_SEC,
                Metric.PRODUCE_SMALL_P99_MS, Metric.PRODUCE_SMALL_CPU_S_PER_GB, log);
    }

    /** 1 KiB records, acks=all, into {@code topic}; as {@link #produceSmall}. */
    OptionalLong produceLarge(long brokerPid, String bootstrap, String topic, Path log) {
        return produce(brokerPid, bootstrap, topic, workload.largeRecords(), Workload.LARGE_RECORD_BYTES, "all",
                Metric.PRODUCE_LARGE_RECORDS_PER_SEC, Metric.PRODUCE_LARGE_MB_PER_SEC,
                Metric.PRODUCE_LARGE_P99_MS, Metric.PRODUCE_LARGE_CPU_S_PER_GB, log);
    }

    /**
     * 1 KiB records, acks=all, into {@code topic} of a replicated cluster; the CPU time is summed over
     * every node in {@code brokerPids}. As {@link #produceSmall} otherwise.
     */
    OptionalLong produceReplicated(List<Long> brokerPids, String bootstrap, String topic, Path log) {
        return produce(brokerPids, bootstrap, topic, workload.replicatedRecords(), Workload.LARGE_RECORD_BYTES, "all",
                Metric.REPLICATED_PRODUCE_RECORDS_PER_SEC, Metric.REPLICATED_PRODUCE_MB_PER_SEC,
                Metric.REPLICATED_PRODUCE_P99_MS, Metric.REPLICATED_PRODUCE_CPU_S_PER_GB, log);
    }

    private OptionalLong produce(long pid, String bootstrap, String topic, long records, int recordBytes, String acks,
            Metric recordsPerSec, Metric mbPerSec, Metric p99Ms, Metric cpuPerGb, Path log) {
        return produce(List.of(pid), bootstrap, topic, records, recordBytes, acks, recordsPerSec, mbPerSec, p99Ms,
                cpuPerGb, log);
    }

    private OptionalLong produce(List<Long> pids, String bootstrap, String topic, long records, int recordBytes,
            String acks, Metric recordsPerSec, Metric mbPerSec, Metric p99Ms, Metric cpuPerGb, Path log) {
        double cpuBeforeSeconds = cpuSeconds(pids);
        ChildJvm.Outcome outcome = runTool(PRODUCER_PERFORMANCE, List.of("--topic", topic,
                "--num-records", Long.toString(records), "--record-size", Integer.toString(recordBytes),
                "--throughput", "-1", "--producer-props", "bootstrap.servers=" + bootstrap, "acks=" + acks), log);
        double cpuSeconds = cpuSeconds(pids) - cpuBeforeSeconds;
        Optional<ToolOutput.ProducerResult> parsed = ToolOutput.parseProducer(outcome.output());
        // A send that failed is not in the tool's count (nor in its records/s and MB/s): throughput and
        // CPU per GB are over what the broker acknowledged. Counts that fall short are reported.
        parsed.filter(result -> outcome.succeeded() && result.records() > 0).ifPresentOrElse(result -> {
            samples.record(recordsPerSec, kind, result.recordsPerSec());
            samples.record(mbPerSec, kind, result.mbPerSec());
            samples.record(p99Ms, kind, result.p99LatencyMs());
            samples.record(cpuPerGb, kind, cpuSecondsPerGb(cpuSeconds, result.records(), recordBytes));
            progress("%s: %,d of %,d records sent, %.0f records/s, %.2f MB/s, p99 %.0f ms, broker CPU %.1f s", topic,
                    result.records(), records, result.recordsPerSec(), result.mbPerSec(), result.p99LatencyMs(),
                    cpuSeconds);
        }, () -> failed(outcome, recordsPerSec, mbPerSec, p99Ms, cpuPerGb));
        return parsed.map(result -> OptionalLong.of(result.records())).orElse(OptionalLong.empty());
    }

    /** Broker CPU seconds per GB (10^9 bytes) of record values the producer reports sent. */
    static double cpuSecondsPerGb(double cpuSeconds, long recordsSent, int recordBytes) {
        return cpuSeconds / (recordsSent * (double) recordBytes / BYTES_PER_GB);
    }

    private static double cpuSeconds(List<Long> pids) {
        return pids.stream().mapToDouble(ProcStats::cpuSeconds).sum();
    }

    void endToEnd(String bootstrap, String topic, Path log) {
        endToEnd(bootstrap, topic, "1", Metric.END_TO_END_AVG_MS, Metric.END_TO_END_P50_MS, Metric.END_TO_END_P99_MS,
                Metric.END_TO_END_P999_MS, log);
    }

    /** EndToEndLatency with acks=all against a replicated cluster. */
    void endToEndReplicated(String bootstrap, String topic, Path log) {
        endToEnd(bootstrap, topic, "all", Metric.REPLICATED_END_TO_END_AVG_MS, Metric.REPLICATED_END_TO_END_P50_MS,
                Metric.REPLICATED_END_TO_END_P99_MS, Metric.REPLICATED_END_TO_END_P999_MS, log);
    }

    private void endToEnd(String bootstrap, String topic, String acks, Metric avgMs, Metric p50Ms, Metric p99Ms,
            Metric p999Ms, Path log) {
        ChildJvm.Outcome outcome = runTool(END_TO_END_LATENCY, List.of("--bootstrap-server", bootstrap,
                "--topic", topic, "--num-records", Integer.toString(workload.latencyRecords()),
                "--producer-acks", acks, "--record-size", Integer.toString(Workload.SMALL_RECORD_BYTES)), log);
        // The tool prints its results and then commits the consumer's offsets, which needs a group
        // coordinator: without consumer groups it exits non-zero after a complete measurement.
        boolean measured = outcome.succeeded()
                || (!outcome.timedOut() && ToolOutput.lacksConsumerGroups(outcome.output()));
        ToolOutput.parseLatency(outcome.output()).filter(result -> measured).ifPresentOrElse(result -> {
            samples.record(avgMs, kind, result.avgLatencyMs());
            samples.record(p50Ms, kind, result.p50LatencyMs());
            samples.record(p99Ms, kind, result.p99LatencyMs());
            samples.record(p999Ms, kind, result.p999LatencyMs());
            progress("end-to-end, acks=%s: avg %.3f ms, p50 %.0f, p99 %.0f, p99.9 %.0f ms", acks, result.avgLatencyMs(),
                    result.p50LatencyMs(), result.p99LatencyMs(), result.p999LatencyMs());
        }, () -> failed(outcome, avgMs, p50Ms, p99Ms, p999Ms));
    }

    /**
     * Reads the {@code sentRecords} the 100 B producer run sent back, in a fresh group; returns the
     * records ConsumerPerformance reports read, empty when it printed no result.
     */
    OptionalLong consumeSmall(String bootstrap, String topic, long sentRecords, Path log) {
        return consume(bootstrap, topic, sentRecords, Metric.CONSUME_MB_PER_SEC, Metric.CONSUME_RECORDS_PER_SEC, log);
    }

    /** Reads the 1 KiB records back; as {@link #consumeSmall}. */
    OptionalLong consumeLarge(String bootstrap, String topic, long sentRecords, Path log) {
        return consume(bootstrap, topic, sentRecords, Metric.CONSUME_LARGE_MB_PER_SEC,
                Metric.CONSUME_LARGE_RECORDS_PER_SEC, log);
    }

    /** Notes that a topic was not read back because its producer reported no count. */
    void skipConsume(String topic, Metric... metrics) {
        for (Metric metric : metrics) {
            samples.note(metric, kind, NOT_PRODUCED);
        }
        progress("consume %s: %s", topic, NOT_PRODUCED);
    }

    private OptionalLong consume(String bootstrap, String topic, long sentRecords, Metric mbPerSec,
            Metric recordsPerSec, Path log) {
        // Asked for exactly what was sent: the tool stops once it has read that many, or after
        // CONSUMER_IDLE_TIMEOUT_MS without a record (and says so), so a shortfall shows in its count.
        ChildJvm.Outcome outcome = runTool(CONSUMER_PERFORMANCE, List.of("--bootstrap-server", bootstrap,
                "--topic", topic, "--num-records", Long.toString(sentRecords),
                "--group", "bench-consumer-" + topic, "--timeout", Integer.toString(CONSUMER_IDLE_TIMEOUT_MS)), log);
        if (ToolOutput.lacksConsumerGroups(outcome.output())) {
            samples.note(mbPerSec, kind, NEEDS_CONSUMER_GROUPS);
            samples.note(recordsPerSec, kind, NEEDS_CONSUMER_GROUPS);
            progress("consume %s: %s", topic, NEEDS_CONSUMER_GROUPS);
            return OptionalLong.empty();
        }
        Optional<ToolOutput.ConsumerResult> parsed = ToolOutput.parseConsumer(outcome.output());
        parsed.filter(result -> outcome.succeeded()).ifPresentOrElse(result -> {
            samples.record(mbPerSec, kind, result.mbPerSec());
            samples.record(recordsPerSec, kind, result.recordsPerSec());
            progress("consume %s: %,d of %,d records read, %.2f MB/s, %.0f records/s", topic, result.records(),
                    sentRecords, result.mbPerSec(), result.recordsPerSec());
        }, () -> failed(outcome, mbPerSec, recordsPerSec));
        return parsed.map(result -> OptionalLong.of(result.records())).orElse(OptionalLong.empty());
    }

    /**
     * 1 KiB records, acks=1, into {@code topic} over TLS ({@code tlsBootstrap}, the trust store in
     * {@code keys}), as the TLS workload's producer: linger.ms=5 and 64 KiB batches; {@code brokerPid} is
     * read for CPU time. Returns the records ProducerPerformance reports sent, empty when it printed none.
     */
    OptionalLong produceTls(long brokerPid, String tlsBootstrap, TlsKeys keys, String topic, Path log) {
        double cpuBeforeSeconds = ProcStats.cpuSeconds(brokerPid);
        ChildJvm.Outcome outcome = runTool(PRODUCER_PERFORMANCE, List.of("--topic", topic,
                "--num-records", Long.toString(workload.largeRecords()),
                "--record-size", Integer.toString(Workload.LARGE_RECORD_BYTES), "--throughput", "-1",
                "--producer-props", "bootstrap.servers=" + tlsBootstrap, "acks=1",
                "linger.ms=" + TlsRun.PRODUCER_LINGER_MS, "batch.size=" + TlsRun.PRODUCER_BATCH_BYTES,
                "--producer.config", keys.clientConfig().toString()), log);
        double cpuSeconds = ProcStats.cpuSeconds(brokerPid) - cpuBeforeSeconds;
        Optional<ToolOutput.ProducerResult> parsed = ToolOutput.parseProducer(outcome.output());
        parsed.filter(result -> outcome.succeeded() && result.records() > 0).ifPresentOrElse(result -> {
            samples.record(Metric.TLS_PRODUCE_MB_PER_SEC, kind, result.mbPerSec());
            samples.record(Metric.TLS_PRODUCE_CPU_S_PER_GB, kind,
                    cpuSecondsPerGb(cpuSeconds, result.records(), Workload.LARGE_RECORD_BYTES));
            progress("%s over TLS: %,d of %,d records sent, %.2f MB/s, p99 %.0f ms, broker CPU %.1f s", topic,
                    result.records(), workload.largeRecords(), result.mbPerSec(), result.p99LatencyMs(), cpuSeconds);
        }, () -> failed(outcome, Metric.TLS_PRODUCE_MB_PER_SEC, Metric.TLS_PRODUCE_CPU_S_PER_GB));
        return parsed.map(result -> OptionalLong.of(result.records())).orElse(OptionalLong.empty());
    }

    /**
     * Reads the {@code sentRecords} back over TLS in a fresh group: fetch MB/s, and the CPU time of the
     * broker and of the consumer's JVM per GB read. Returns the records read, empty when it printed none.
     */
    OptionalLong consumeTls(long brokerPid, String tlsBootstrap, TlsKeys keys, String topic, long sentRecords,
            Path log) {
        double brokerBeforeSeconds = ProcStats.cpuSeconds(brokerPid);
        MeasuredOutcome measured = runToolMeasuringCpu(CONSUMER_PERFORMANCE, List.of("--bootstrap-server", tlsBootstrap,
                "--topic", topic, "--num-records", Long.toString(sentRecords), "--group", "bench-consumer-tls-" + topic,
                "--timeout", Integer.toString(CONSUMER_IDLE_TIMEOUT_MS),
                "--command-config", keys.clientConfig().toString()), log);
        double brokerSeconds = ProcStats.cpuSeconds(brokerPid) - brokerBeforeSeconds;
        ChildJvm.Outcome outcome = measured.outcome();
        Optional<ToolOutput.ConsumerResult> parsed = ToolOutput.parseConsumer(outcome.output());
        parsed.filter(result -> outcome.succeeded() && result.records() > 0).ifPresentOrElse(result -> {
            samples.record(Metric.TLS_CONSUME_MB_PER_SEC, kind, result.fetchMbPerSec());
            samples.record(Metric.TLS_CONSUME_CPU_S_PER_GB, kind,
                    cpuSecondsPerGb(brokerSeconds, result.records(), Workload.LARGE_RECORD_BYTES));
            samples.record(Metric.TLS_CONSUME_CLIENT_CPU_S_PER_GB, kind,
                    cpuSecondsPerGb(measured.cpuSeconds(), result.records(), Workload.LARGE_RECORD_BYTES));
            progress("consume %s over TLS: %,d of %,d records read, %.2f MB/s while fetching (%.2f overall), "
                    + "broker CPU %.1f s, consumer JVM CPU %.1f s", topic, result.records(), sentRecords,
                    result.fetchMbPerSec(), result.mbPerSec(), brokerSeconds, measured.cpuSeconds());
        }, () -> failed(outcome, Metric.TLS_CONSUME_MB_PER_SEC, Metric.TLS_CONSUME_CPU_S_PER_GB,
                Metric.TLS_CONSUME_CLIENT_CPU_S_PER_GB));
        return parsed.map(result -> OptionalLong.of(result.records())).orElse(OptionalLong.empty());
    }

    /**
     * Reads the {@code sentRecords} over TLS once in a group of its own, measuring nothing: the broker's
     * TLS fetch path (its JIT, its buffers) is then warm for {@link #consumeTls}, as a broker serving
     * consumers is. Without it the measured read carries the broker's warm-up, which costs a JDK engine
     * (Kafka's) more than a native one.
     */
    void warmUpTls(String tlsBootstrap, TlsKeys keys, String topic, long sentRecords, Path log) {
        ChildJvm.Outcome outcome = runTool(CONSUMER_PERFORMANCE, List.of("--bootstrap-server", tlsBootstrap,
                "--topic", topic, "--num-records", Long.toString(sentRecords), "--group", "bench-warm-up-tls-" + topic,
                "--timeout", Integer.toString(CONSUMER_IDLE_TIMEOUT_MS), "--command-config", keys.clientConfig().toString()),
                log);
        progress("warm-up read of %s over TLS: %s", topic, outcome.succeeded() ? "done"
                : (outcome.timedOut() ? "timed out" : "failed") + " (see " + log.getFileName() + ")");
    }

    /**
     * Produces {@code records} 100 B records with acks=1 into {@code topic} and reads them back once in a
     * group of its own, measuring nothing: the broker's produce and fetch paths (their JIT, their
     * buffers), and whatever else runs meanwhile (a scraper), are then warm for the measured turn, as
     * in a broker that has been serving for a while.
     */
    void warmUp(String bootstrap, String topic, long records, Path log) {
        ChildJvm.Outcome produced = runTool(PRODUCER_PERFORMANCE, List.of("--topic", topic,
                "--num-records", Long.toString(records), "--record-size", Integer.toString(Workload.SMALL_RECORD_BYTES),
                "--throughput", "-1", "--producer-props", "bootstrap.servers=" + bootstrap, "acks=1"), log);
        ChildJvm.Outcome read = produced.succeeded()
                ? runTool(CONSUMER_PERFORMANCE, List.of("--bootstrap-server", bootstrap, "--topic", topic,
                        "--num-records", Long.toString(records), "--group", "bench-warm-up-" + topic,
                        "--timeout", Integer.toString(CONSUMER_IDLE_TIMEOUT_MS)), log.resolveSibling("consume-" + log.getFileName()))
                : produced;
        progress("warm-up of %s (%,d records written and read): %s", topic, records, read.succeeded() ? "done"
                : (read.timedOut() ? "timed out" : "failed") + " (see " + log.getFileName() + ")");
    }

    /** Reads the same records over plaintext ({@code bootstrap}) in another fresh group: fetch MB/s. */
    OptionalLong consumeTlsTopicPlaintext(String bootstrap, String topic, long sentRecords, Path log) {
        ChildJvm.Outcome outcome = runTool(CONSUMER_PERFORMANCE, List.of("--bootstrap-server", bootstrap,
                "--topic", topic, "--num-records", Long.toString(sentRecords), "--group", "bench-consumer-plain-" + topic,
                "--timeout", Integer.toString(CONSUMER_IDLE_TIMEOUT_MS)), log);
        Optional<ToolOutput.ConsumerResult> parsed = ToolOutput.parseConsumer(outcome.output());
        parsed.filter(result -> outcome.succeeded() && result.records() > 0).ifPresentOrElse(result -> {
            samples.record(Metric.TLS_CONSUME_PLAIN_MB_PER_SEC, kind, result.fetchMbPerSec());
            progress("consume %s over plaintext: %,d of %,d records read, %.2f MB/s while fetching", topic,
                    result.records(), sentRecords, result.fetchMbPerSec());
        }, () -> failed(outcome, Metric.TLS_CONSUME_PLAIN_MB_PER_SEC));
        return parsed.map(result -> OptionalLong.of(result.records())).orElse(OptionalLong.empty());
    }

    /** A tool's outcome and the CPU time its JVM used, up to the last sample before it exited. */
    record MeasuredOutcome(ChildJvm.Outcome outcome, double cpuSeconds) {
    }

    /**
     * Runs a tool as {@link #runTool} does, reading its JVM's CPU time from {@code /proc} every
     * {@value #TOOL_CPU_SAMPLE_MS} ms; the last sample before exit is the figure (it misses at most that
     * much of the JVM's shutdown).
     */
    private MeasuredOutcome runToolMeasuringCpu(String mainClass, List<String> args, Path log) {
        Process process = ChildJvm.start(ChildJvm.command(TOOL_JVM_OPTIONS, toolClassPath, mainClass, args), log);
        double cpuSeconds = 0;
        long deadlineNs = System.nanoTime() + workload.toolTimeoutMs() * 1_000_000L;
        boolean timedOut = false;
        try {
            while (!process.waitFor(TOOL_CPU_SAMPLE_MS, TimeUnit.MILLISECONDS)) {
                try {
                    cpuSeconds = ProcStats.cpuSeconds(process.pid());
                } catch (UncheckedIOException e) {
                    // exited between the wait and the read: the last sample stands
                }
                if (System.nanoTime() - deadlineNs > 0) {
                    timedOut = true;
                    ChildJvm.stop(process);
                    break;
                }
            }
        } catch (InterruptedException e) {
            ChildJvm.stop(process);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running log=" + log, e);
        }
        try {
            String output = Files.readString(log);
            return new MeasuredOutcome(new ChildJvm.Outcome(timedOut ? -1 : process.exitValue(), timedOut, output, log),
                    cpuSeconds);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read log=" + log, e);
        }
    }

    private ChildJvm.Outcome runTool(String mainClass, List<String> args, Path log) {
        return ChildJvm.run(ChildJvm.command(TOOL_JVM_OPTIONS, toolClassPath, mainClass, args), log,
                workload.toolTimeoutMs());
    }

    private void failed(ChildJvm.Outcome outcome, Metric... metrics) {
        String reason = (outcome.timedOut() ? "timed out" : "failed") + " (see " + outcome.logFile().getFileName() + ")";
        for (Metric metric : metrics) {
            samples.note(metric, kind, reason);
        }
        progress("%s: %s", outcome.logFile().getFileName(), reason);
    }

    private void progress(String format, Object... args) {
        System.out.printf("  [%s] %s%n", kind.label(), String.format(Locale.ROOT, format, args));
    }
}
