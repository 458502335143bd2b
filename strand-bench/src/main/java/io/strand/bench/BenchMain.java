package io.strand.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.utils.Time;

/**
 * The benchmark's entry point ({@code strand-bench/run} builds the class paths and calls it): records
 * an AppCDS archive of Kafka's own once, then runs Apache Kafka and Strand in turn, each alone, for the
 * configured rounds, alternating which goes first (each round also times one start of Kafka from that
 * archive), then prints the table of medians and writes it to a new
 * {@code <results>/<timestamp>-<mode>.md|.json}, to {@code latest.md|json}, and as a row of the index
 * {@code <results>/README.md} ({@link ResultsIndex}). It never deletes or overwrites the result of an
 * earlier run. When records sent and read back do not add up, it says so first and exits with status
 * {@value #EXIT_PROBLEMS} after writing the results.
 *
 * <p>{@code --workload transactions} starts each broker once per round for {@link TransactionalProduce}
 * alone (the full single-node workload measures it too); {@code --workload tls} starts each broker once per
 * round with an SSL listener for {@link TlsRun} alone; {@code strand-bench/run --summarize FILE...} runs
 * {@link Summary} instead.
 *
 * <p>Runs on the main thread. A shutdown hook ends any child process still running (broker or load
 * generator) if the harness is interrupted.
 */
public final class BenchMain {

    static final int EXIT_PROBLEMS = 3;
    private static final DateTimeFormatter FILE_STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    /** What each JVM starts from besides its options, for the report's workload section. */
    private static final String KAFKA_CLASS_DATA = "the JDK's default CDS archive only (JDK classes); "
            + "Kafka's scripts ship no archive of Kafka's classes, and none is given here";
    private static final String STRAND_CLASS_DATA = "the JDK's default CDS archive and strand.jsa, the "
            + "dynamic archive ./strand records after each build from a training run (a node serving Kafka's Java "
            + "clients): Strand as users start it";
    private static final String KAFKA_APPCDS_CLASS_DATA = "the JDK's default CDS archive and "
            + KafkaAppCds.ARCHIVE_FILE + ", a dynamic archive recorded once in this run from a Kafka start with "
            + "-XX:ArchiveClassesAtExit and a client workload (a topic created, " + KafkaAppCds.RECORDS
            + " records produced and read back in a group), as ./strand records Strand's";

    private BenchMain() {
    }

    public static void main(String[] args) throws IOException {
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("strand-bench: " + e.getMessage());
            System.exit(2);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(
                () -> ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly),
                "stop-children"));
        List<String> problems = run(options, Time.SYSTEM);
        if (!problems.isEmpty()) {
            System.err.printf("%nstrand-bench: %d problem(s) with this run:%n", problems.size());
            problems.forEach(problem -> System.err.println("  " + problem));
            System.exit(EXIT_PROBLEMS);
        }
    }

    /** Runs the benchmark and writes its results; returns the problems the report lists first. */
    static List<String> run(BenchOptions options, Time time) throws IOException {
        Instant startedAt = Instant.ofEpochMilli(time.milliseconds()).truncatedTo(ChronoUnit.SECONDS);
        String stamp = FILE_STAMP.format(startedAt);
        MachineInfo machine = MachineInfo.current();
        Workload workload = options.workload();
        Samples samples = new Samples();
        KafkaLauncher kafka = new KafkaLauncher(options.kafkaClassPath(), options.brokerJvmOptions(),
                BrokerRun.sharedBrokerProps());
        StrandLauncher strand = new StrandLauncher(options.strandClassPath(), options.brokerJvmOptions(),
                BrokerRun.sharedBrokerProps());
        Path logsDir = options.logsDir().resolve(stamp);
        if (options.scenarios().metrics()) {
            return runMetrics(options, time, startedAt, stamp, machine, strand, logsDir);
        }
        Path dataParent = Files.createTempDirectory("strand-bench-");
        System.out.printf("strand-bench: %s mode, %d round(s); logs in %s%n", workload.mode(), workload.rounds(), logsDir);
        BenchOptions.Scenarios scenarios = options.scenarios();
        Optional<KafkaLauncher> kafkaWithArchive = Optional.empty();
        try {
            // One throw-away key for the whole run, both brokers: made by keytool, deleted with the data.
            Optional<TlsKeys> tlsKeys = scenarios.tls()
                    ? Optional.of(TlsKeys.create(Files.createDirectories(dataParent.resolve("tls")),
                            Files.createDirectories(logsDir).resolve("keytool.log")))
                    : Optional.empty();
            // librdkafka's consumer for the TLS workload's second client, when kcat is installed.
            Optional<KcatConsume> kcat = scenarios.tls()
                    ? KcatConsume.locate(System.getenv("PATH"))
                            .map(executable -> new KcatConsume(executable, workload.toolTimeoutMs()))
                    : Optional.empty();
            if (scenarios.tls()) {
                System.out.println(kcat.map(reader -> "kcat: " + reader.executable() + ", "
                        + reader.version(logsDir.resolve("kcat-version.log"))).orElse("kcat: " + TlsRun.KCAT_NOT_FOUND));
            }
            if (scenarios.single()) {
                System.out.println("recording Kafka's own AppCDS archive (for one start-up row)");
                kafkaWithArchive = KafkaAppCds.record(time, kafka, dataParent,
                        logsDir.resolve("kafka-appcds-recording"), samples);
            }
            for (int round = 1; round <= workload.rounds(); round++) {
                List<BrokerLauncher> order = round % 2 == 1 ? List.of(kafka, strand) : List.of(strand, kafka);
                for (BrokerLauncher launcher : scenarios.single() ? order : List.<BrokerLauncher>of()) {
                    System.out.printf("round %d/%d: %s%n", round, workload.rounds(), launcher.kind().label());
                    Path runLogs = Files.createDirectories(logsDir.resolve("round-" + round + "-" + launcher.kind().key()));
                    new BrokerRun(time, launcher, workload, options.kafkaClassPath(), samples, round)
                            .run(dataParent, runLogs);
                    if (launcher == kafka && kafkaWithArchive.isPresent()) {
                        Path startLogs = Files.createDirectories(logsDir.resolve("round-" + round + "-kafka-appcds"));
                        new BrokerRun(time, kafkaWithArchive.get(), workload, options.kafkaClassPath(), samples, round)
                                .runStartOnly(dataParent, startLogs, Metric.STARTUP_KAFKA_APPCDS_MS,
                                        "start from its own AppCDS archive");
                    }
                }
                for (BrokerLauncher launcher : scenarios.transactionsOnly() ? order : List.<BrokerLauncher>of()) {
                    System.out.printf("round %d/%d: %s, transactional produce only%n", round, workload.rounds(),
                            launcher.kind().label());
                    Path runLogs = Files.createDirectories(
                            logsDir.resolve("round-" + round + "-" + launcher.kind().key() + "-transactions"));
                    new BrokerRun(time, launcher, workload, options.kafkaClassPath(), samples, round)
                            .runTransactionsOnly(dataParent, runLogs);
                }
                for (BrokerLauncher launcher : scenarios.shareOnly() ? order : List.<BrokerLauncher>of()) {
                    System.out.printf("round %d/%d: %s, share group consume only%n", round, workload.rounds(),
                            launcher.kind().label());
                    Path runLogs = Files.createDirectories(
                            logsDir.resolve("round-" + round + "-" + launcher.kind().key() + "-share"));
                    new BrokerRun(time, launcher, workload, options.kafkaClassPath(), samples, round)
                            .runShareOnly(dataParent, runLogs);
                }
                for (BrokerLauncher launcher : scenarios.tls() ? order : List.<BrokerLauncher>of()) {
                    System.out.printf("round %d/%d: %s, over TLS%n", round, workload.rounds(), launcher.kind().label());
                    Path runLogs = Files.createDirectories(
                            logsDir.resolve("round-" + round + "-" + launcher.kind().key() + "-tls"));
                    new TlsRun(time, launcher, workload, options.kafkaClassPath(), samples, round,
                            tlsKeys.orElseThrow(), kcat).run(dataParent, runLogs);
                }
                // The clusters after the single nodes: one cluster (three JVMs) at a time, in the round's order.
                for (BrokerLauncher launcher : scenarios.replicated() ? order : List.<BrokerLauncher>of()) {
                    System.out.printf("round %d/%d: %s, %d nodes%n", round, workload.rounds(), launcher.kind().label(),
                            ReplicatedCluster.NODES);
                    Path runLogs = Files.createDirectories(
                            logsDir.resolve("round-" + round + "-" + launcher.kind().key() + "-replicated"));
                    new ReplicatedRun(time, launcher, workload, options.kafkaClassPath(), samples)
                            .run(dataParent, runLogs);
                }
            }
        } finally {
            BrokerRun.deleteRecursively(dataParent);
        }
        List<JvmSetup> jvms = List.of(
                new JvmSetup("Kafka (every row but the AppCDS start-up row)", kafka.brokerJvmOptions(), KAFKA_CLASS_DATA),
                new JvmSetup("Strand (every row)", strand.brokerJvmOptions(), strand.classDataArchive().isPresent()
                        ? STRAND_CLASS_DATA : "the JDK's default CDS archive only: ./strand had recorded no strand.jsa"),
                new JvmSetup("Kafka with an AppCDS archive of its own (the row \""
                        + Metric.STARTUP_KAFKA_APPCDS_MS.label() + "\" only)",
                        kafkaWithArchive.map(KafkaLauncher::brokerJvmOptions).orElse(List.of()),
                        kafkaWithArchive.isPresent() ? KAFKA_APPCDS_CLASS_DATA
                                : scenarios.single() ? "not run: the recording failed"
                                : "not run: this run has no full single-node workload"));
        // The TLS workload starts both brokers exactly as the rows above say, with an SSL listener added.
        Report report = new Report(DateTimeFormatter.ISO_INSTANT.format(startedAt), machine, workload,
                String.join(" ", options.brokerJvmOptions()), jvms, options.strandRevision(), samples);
        String markdown = report.markdown();
        String baseName = stamp + "-" + workload.mode();
        Path resultsDir = options.resultsDir();
        writeResults(resultsDir, baseName, markdown, report.json(), ResultsIndex.row(baseName,
                DateTimeFormatter.ISO_INSTANT.format(startedAt), workload, options.strandRevision(), machine));
        System.out.println();
        System.out.print(markdown);
        System.out.printf("%nwritten: %s/{%s,latest}.{md,json}, a row in %s/%s%n", resultsDir, baseName, resultsDir,
                ResultsIndex.FILE);
        return samples.problems();
    }

    /** The metrics workload ({@link MetricsRun}): Strand alone, on vs off, its own report. */
    private static List<String> runMetrics(BenchOptions options, Time time, Instant startedAt, String stamp,
            MachineInfo machine, StrandLauncher strand, Path logsDir) throws IOException {
        Workload workload = options.workload();
        System.out.printf("strand-bench: %s mode, %d round(s); logs in %s%n", workload.mode(), workload.rounds(), logsDir);
        MetricsRun run = new MetricsRun(time, strand, workload, options.kafkaClassPath());
        Path dataParent = Files.createTempDirectory("strand-bench-");
        try {
            for (int round = 1; round <= workload.rounds(); round++) {
                run.runRound(round, dataParent, logsDir);
            }
        } finally {
            BrokerRun.deleteRecursively(dataParent);
        }
        String started = DateTimeFormatter.ISO_INSTANT.format(startedAt);
        String markdown = run.markdown(started, machine, String.join(" ", strand.brokerJvmOptions()),
                options.strandRevision());
        String baseName = stamp + "-" + workload.mode();
        writeResults(options.resultsDir(), baseName, markdown, run.json(started, options.strandRevision()),
                ResultsIndex.row(baseName, started, workload, options.strandRevision(), machine));
        System.out.println();
        System.out.print(markdown);
        System.out.printf("%nwritten: %s/{%s,latest}.{md,json}, a row in %s/%s%n", options.resultsDir(), baseName,
                options.resultsDir(), ResultsIndex.FILE);
        return run.problems();
    }

    /**
     * Writes a run's {@code <baseName>.md|json} (failing if either exists: a run never replaces another's
     * files), copies them to {@code latest.md|json}, and appends the run's row to the index.
     */
    static void writeResults(Path resultsDir, String baseName, String markdown, String json, String indexRow)
            throws IOException {
        Files.createDirectories(resultsDir);
        Files.writeString(resultsDir.resolve(baseName + ".md"), markdown, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE_NEW);
        Files.writeString(resultsDir.resolve(baseName + ".json"), json, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE_NEW);
        Files.writeString(resultsDir.resolve("latest.md"), markdown, StandardCharsets.UTF_8);
        Files.writeString(resultsDir.resolve("latest.json"), json, StandardCharsets.UTF_8);
        ResultsIndex.append(resultsDir, indexRow);
    }
}
