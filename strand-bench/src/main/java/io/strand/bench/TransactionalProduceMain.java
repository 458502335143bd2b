package io.strand.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.apache.kafka.common.utils.Time;

/**
 * Runs only {@link TransactionalProduce} against the brokers whose class paths are given (Kafka, Strand,
 * or both in turn, the first alternating between rounds) and prints the figure's table: a look at one
 * figure without the whole benchmark, e.g. against Kafka alone to check the workload itself.
 * {@link BenchMain} runs the same workload in every single-node round, and alone with
 * {@code --workload transactions}.
 *
 * <pre>
 * java -cp strand-bench.jar:lib/* io.strand.bench.TransactionalProduceMain \
 *     [--kafka-classpath CP] [--strand-classpath CP] [--rounds N] [--duration-ms MS] [--logs DIR]
 * </pre>
 *
 * <p>Writes nothing to {@code bench/results}; broker logs go under {@code --logs} (default: a temp dir).
 */
public final class TransactionalProduceMain {

    private TransactionalProduceMain() {
    }

    public static void main(String[] args) throws IOException {
        String strandClassPath = null;
        String kafkaClassPath = null;
        int rounds = 1;
        long durationMs = Workload.quick().transactionalMs();
        Path logs = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--strand-classpath" -> strandClassPath = args[i + 1];
                case "--kafka-classpath" -> kafkaClassPath = args[i + 1];
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                case "--duration-ms" -> durationMs = Long.parseLong(args[i + 1]);
                case "--logs" -> logs = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (args.length % 2 != 0) {
            throw new IllegalArgumentException("option " + args[args.length - 1] + " needs a value");
        }
        List<String> jvmOptions = Arrays.asList(BenchOptions.DEFAULT_BROKER_JVM_OPTIONS.split(" "));
        List<BrokerLauncher> launchers = new ArrayList<>();
        if (kafkaClassPath != null) {
            launchers.add(new KafkaLauncher(kafkaClassPath, jvmOptions, BrokerRun.sharedBrokerProps()));
        }
        if (strandClassPath != null) {
            launchers.add(new StrandLauncher(strandClassPath, jvmOptions, BrokerRun.sharedBrokerProps()));
        }
        if (launchers.isEmpty()) {
            throw new IllegalArgumentException("give --kafka-classpath, --strand-classpath or both");
        }
        Runtime.getRuntime().addShutdownHook(new Thread(
                () -> ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly), "stop-children"));
        Workload workload = Workload.quick();
        workload = new Workload("transactions", rounds, workload.smallRecords(), workload.largeRecords(),
                workload.latencyRecords(), workload.toolTimeoutMs(), workload.noisyNeighbourMs(),
                workload.replicatedRecords(), workload.failoverKills(), durationMs, workload.shareRecords());
        Path logsDir = logs != null ? logs : Files.createTempDirectory("transactional-produce-logs-");
        Path dataParent = Files.createTempDirectory("transactional-produce-");
        Samples samples = new Samples();
        try {
            for (int round = 1; round <= rounds; round++) {
                List<BrokerLauncher> order = new ArrayList<>(launchers);
                if (round % 2 == 0) {
                    Collections.reverse(order);
                }
                for (BrokerLauncher launcher : order) {
                    System.out.printf("round %d/%d: %s%n", round, rounds, launcher.kind().label());
                    Path runLogs = Files.createDirectories(logsDir.resolve("round-" + round + "-" + launcher.kind().key()));
                    new BrokerRun(Time.SYSTEM, launcher, workload, kafkaClassPath != null ? kafkaClassPath : "",
                            samples, round).runTransactionsOnly(dataParent, runLogs);
                }
            }
        } finally {
            BrokerRun.deleteRecursively(dataParent);
        }
        System.out.printf("%nmedians over %d round(s), logs in %s%n%n", rounds, logsDir);
        System.out.print(Report.table(samples));
    }
}
