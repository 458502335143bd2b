package io.strand.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.apache.kafka.common.utils.Time;

/**
 * The benchmark's entry point ({@code strand-bench/run} builds the class paths and calls it): runs
 * Apache Kafka and Strand in turn, each alone, for the configured rounds, alternating which goes
 * first, then prints the table of medians and writes it to {@code <results>/<timestamp>.md|.json}
 * and {@code latest.md|json}.
 *
 * <p>Runs on the main thread. A shutdown hook ends any child process still running (broker or load
 * generator) if the harness is interrupted.
 */
public final class BenchMain {

    private static final DateTimeFormatter FILE_STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

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
        run(options, Time.SYSTEM);
    }

    static void run(BenchOptions options, Time time) throws IOException {
        Instant startedAt = Instant.ofEpochMilli(time.milliseconds()).truncatedTo(ChronoUnit.SECONDS);
        MachineInfo machine = MachineInfo.current();
        Workload workload = options.workload();
        Samples samples = new Samples();
        List<BrokerLauncher> launchers = List.of(
                new KafkaLauncher(options.kafkaClassPath(), options.brokerJvmOptions(), BrokerRun.sharedBrokerProps()),
                new StrandLauncher(options.strandClassPath(), options.brokerJvmOptions(), BrokerRun.sharedBrokerProps()));
        Path logsDir = options.logsDir().resolve(FILE_STAMP.format(startedAt));
        Path dataParent = Files.createTempDirectory("strand-bench-");
        System.out.printf("strand-bench: %s mode, %d round(s); logs in %s%n", workload.mode(), workload.rounds(), logsDir);
        try {
            for (int round = 1; round <= workload.rounds(); round++) {
                List<BrokerLauncher> order = round % 2 == 1 ? launchers : List.of(launchers.get(1), launchers.get(0));
                for (BrokerLauncher launcher : order) {
                    System.out.printf("round %d/%d: %s%n", round, workload.rounds(), launcher.kind().label());
                    Path runLogs = logsDir.resolve("round-" + round + "-" + launcher.kind().key());
                    Files.createDirectories(runLogs);
                    new BrokerRun(time, launcher, workload, options.kafkaClassPath(), samples).run(dataParent, runLogs);
                }
            }
        } finally {
            Files.deleteIfExists(dataParent);
        }
        String stamp = FILE_STAMP.format(startedAt);
        Report report = new Report(DateTimeFormatter.ISO_INSTANT.format(startedAt), machine, workload,
                String.join(" ", options.brokerJvmOptions()), options.strandRevision(), samples);
        String markdown = report.markdown();
        String json = report.json();
        Path resultsDir = options.resultsDir();
        Files.createDirectories(resultsDir);
        Files.writeString(resultsDir.resolve(stamp + "-" + workload.mode() + ".md"), markdown, StandardCharsets.UTF_8);
        Files.writeString(resultsDir.resolve(stamp + "-" + workload.mode() + ".json"), json, StandardCharsets.UTF_8);
        Files.writeString(resultsDir.resolve("latest.md"), markdown, StandardCharsets.UTF_8);
        Files.writeString(resultsDir.resolve("latest.json"), json, StandardCharsets.UTF_8);
        System.out.println();
        System.out.print(markdown);
        System.out.printf("%nwritten: %s/{%s-%s,latest}.{md,json}%n", resultsDir, stamp, workload.mode());
    }
}
