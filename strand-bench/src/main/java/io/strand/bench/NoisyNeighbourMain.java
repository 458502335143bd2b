package io.strand.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.utils.Time;

/**
 * Runs only the {@link NoisyNeighbour} scenario against Kafka and Strand in turn (the first broker
 * alternating between rounds) and prints the medians: a quick look at one figure without the whole
 * benchmark. {@link BenchMain} runs the same scenario in every round of the full benchmark.
 *
 * <pre>
 * java -cp strand-bench.jar:lib/* io.strand.bench.NoisyNeighbourMain \
 *     --strand-classpath CP --kafka-classpath CP [--rounds N] [--duration-ms MS] [--logs DIR]
 * </pre>
 *
 * <p>Writes nothing to {@code bench/results}; broker logs go under {@code --logs} (default: a temp dir).
 */
public final class NoisyNeighbourMain {

    private NoisyNeighbourMain() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        String strandClassPath = null;
        String kafkaClassPath = null;
        int rounds = 1;
        long durationMs = 20_000;
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
        if (strandClassPath == null || kafkaClassPath == null) {
            throw new IllegalArgumentException("--strand-classpath and --kafka-classpath are required");
        }
        Runtime.getRuntime().addShutdownHook(new Thread(
                () -> ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly), "stop-children"));
        List<String> jvmOptions = Arrays.asList(BenchOptions.DEFAULT_BROKER_JVM_OPTIONS.split(" "));
        List<BrokerLauncher> launchers = List.of(
                new KafkaLauncher(kafkaClassPath, jvmOptions, BrokerRun.sharedBrokerProps()),
                new StrandLauncher(strandClassPath, jvmOptions, BrokerRun.sharedBrokerProps()));
        Path logsDir = logs != null ? logs : Files.createTempDirectory("noisy-neighbour-logs-");
        Path dataParent = Files.createTempDirectory("noisy-neighbour-");
        Map<BrokerKind, List<NoisyNeighbour.Result>> results = new EnumMap<>(BrokerKind.class);
        Time time = Time.SYSTEM;
        try {
            for (int round = 1; round <= rounds; round++) {
                List<BrokerLauncher> order = round % 2 == 1 ? launchers : List.of(launchers.get(1), launchers.get(0));
                for (BrokerLauncher launcher : order) {
                    Path runLogs = Files.createDirectories(logsDir.resolve("round-" + round + "-" + launcher.kind().key()));
                    BrokerRun.StartedBroker broker = BrokerRun.start(time, launcher, dataParent, runLogs);
                    try {
                        NoisyNeighbour.Result result = new NoisyNeighbour(time, broker.bootstrap(), durationMs).run();
                        System.out.printf(Locale.ROOT, "round %d %-6s light p50 %.2f ms, p99 %.2f ms, max %.2f ms "
                                        + "(%d sends); heavy %.0f records/s%n", round, launcher.kind().label(),
                                result.lightP50Ms(), result.lightP99Ms(), result.lightMaxMs(), result.lightSends(),
                                result.heavyRecordsPerSec());
                        results.computeIfAbsent(launcher.kind(), k -> new ArrayList<>()).add(result);
                    } finally {
                        ChildJvm.stop(broker.process());
                        broker.deleteData();
                    }
                }
            }
        } finally {
            BrokerRun.deleteRecursively(dataParent);
        }
        System.out.printf("%nmedians over %d round(s), logs in %s%n", rounds, logsDir);
        results.forEach((kind, list) -> System.out.printf(Locale.ROOT,
                "%-6s light p50 %.2f ms, p99 %.2f ms; heavy %.0f records/s%n", kind.label(),
                median(list.stream().mapToDouble(NoisyNeighbour.Result::lightP50Ms).toArray()),
                median(list.stream().mapToDouble(NoisyNeighbour.Result::lightP99Ms).toArray()),
                median(list.stream().mapToDouble(NoisyNeighbour.Result::heavyRecordsPerSec).toArray())));
    }

    private static double median(double[] values) {
        Arrays.sort(values);
        return NoisyNeighbour.percentile(values, 0.5);
    }
}
