package io.strand.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The medians over several runs ({@code strand-bench/run --summarize FILE.json...}): every round's
 * sample of every run named, pooled per measure and broker, then the median of the pool and Strand's
 * median over Kafka's, printed as the same table a single run prints, with the runs it comes from and
 * how they differ (revision, mode, machine, JVM options). A measure a run did not have (older runs
 * lack the newer rows) is summarized over the runs that have it, and the page says so.
 *
 * <p>Reads the JSON the harness writes ({@link Report#json}), with {@link Json}. Stateless.
 */
public final class Summary {

    static final String OPTION = "--summarize";

    /** What one run's JSON says, as far as the summary needs it. */
    record Run(String file, String startedAt, String mode, int rounds, String strandRevision, String machine,
            String loadAverage, String brokerJvmOptions, Samples samples) {
    }

    private Summary() {
    }

    /** {@code strand-bench/run --summarize FILE...} calls this with the files. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Prints the summary of the files named in {@code args} to {@code out}; returns the exit status. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.println("strand-bench: " + OPTION + " needs one or more result files (bench/results/*.json)");
            return 2;
        }
        List<Run> runs = new ArrayList<>();
        for (String file : args) {
            try {
                runs.add(read(Path.of(file)));
            } catch (IOException | RuntimeException e) {
                err.println("strand-bench: cannot read " + file + ": " + e.getMessage());
                return 2;
            }
        }
        out.print(markdown(runs));
        return 0;
    }

    static Run read(Path file) throws IOException {
        Map<String, Object> root = object(Json.parse(Files.readString(file, StandardCharsets.UTF_8)), "the file");
        Map<String, Object> machine = object(root.get("machine"), "machine");
        Map<String, Object> workload = object(root.get("workload"), "workload");
        Samples samples = new Samples();
        for (Object element : list(root.get("metrics"), "metrics")) {
            Map<String, Object> metricJson = object(element, "a metric");
            Metric.ofKey(text(metricJson.get("key"))).ifPresent(metric -> {
                for (BrokerKind broker : BrokerKind.values()) {
                    Object brokerValue = metricJson.get(broker.key());
                    if (brokerValue == null) {
                        continue;
                    }
                    Map<String, Object> brokerJson = object(brokerValue, broker.key());
                    for (Object sample : list(brokerJson.get("samples"), "samples")) {
                        samples.record(metric, broker, (Double) sample);
                    }
                    if (brokerJson.get("note") instanceof String note) {
                        samples.note(metric, broker, note);
                    }
                }
            });
        }
        String machineText = String.format(Locale.ROOT, "%d cores, %.1f GiB, %s, %s",
                ((Double) machine.get("cores")).intValue(),
                ((Double) machine.get("memoryBytes")) / (1L << 30), text(machine.get("cpuModel")),
                text(machine.get("jdk")));
        return new Run(file.getFileName().toString(), text(root.get("startedAt")), text(root.get("mode")),
                ((Double) root.get("rounds")).intValue(), text(root.get("strandRevision")), machineText,
                text(machine.get("loadAverage")), text(workload.get("brokerJvmOptions")), samples);
    }

    static String markdown(List<Run> runs) {
        Samples pooled = new Samples();
        Map<Metric, Integer> runsWithMetric = new EnumMap<>(Metric.class);
        for (Run run : runs) {
            for (Metric metric : Metric.values()) {
                boolean any = false;
                for (BrokerKind broker : BrokerKind.values()) {
                    List<Double> values = run.samples().values(metric, broker);
                    values.forEach(value -> pooled.record(metric, broker, value));
                    any |= !values.isEmpty();
                    run.samples().note(metric, broker).ifPresent(note -> pooled.note(metric, broker, note));
                }
                if (any) {
                    runsWithMetric.merge(metric, 1, Integer::sum);
                }
            }
        }
        StringBuilder out = new StringBuilder();
        out.append("# Strand vs Apache Kafka 4.3.1: medians over ").append(runs.size())
                .append(runs.size() == 1 ? " run" : " runs").append("\n\n");
        out.append("Every round of the runs below, pooled per measure and broker: each cell is the median of those "
                + "samples, and Strand/Kafka is Strand's median over Kafka's.\n\n");
        out.append("| run | started | mode | rounds | Strand revision | machine | load at start |\n");
        out.append("|---|---|---|---:|---|---|---|\n");
        for (Run run : runs) {
            out.append("| ").append(run.file()).append(" | ").append(run.startedAt()).append(" | ").append(run.mode())
                    .append(" | ").append(run.rounds()).append(" | ").append(run.strandRevision())
                    .append(" | ").append(run.machine()).append(" | ").append(run.loadAverage()).append(" |\n");
        }
        List<String> differences = new ArrayList<>();
        difference(runs, "mode", Run::mode, differences);
        difference(runs, "Strand revision", Run::strandRevision, differences);
        difference(runs, "machine", Run::machine, differences);
        difference(runs, "shared broker JVM options", Run::brokerJvmOptions, differences);
        for (Metric metric : Metric.values()) {
            int count = runsWithMetric.getOrDefault(metric, 0);
            // A section none of the runs measured (e.g. replicated figures of single-node runs, single-node
            // figures of TLS runs) is no difference.
            boolean sectionMeasured = Arrays.stream(Metric.values()).anyMatch(
                    other -> other.section() == metric.section() && runsWithMetric.getOrDefault(other, 0) > 0);
            if (count < runs.size() && sectionMeasured) {
                differences.add(String.format(Locale.ROOT, "%s (%s): measured in %d of the %d runs", metric.label(),
                        metric.unit(), count, runs.size()));
            }
        }
        if (!differences.isEmpty()) {
            out.append("\nThe runs differ:\n\n");
            differences.forEach(difference -> out.append("- ").append(difference).append('\n'));
        }
        out.append('\n').append(Report.table(pooled));
        return out.toString();
    }

    private static void difference(List<Run> runs, String what, Function<Run, String> field, List<String> out) {
        Set<String> values = new LinkedHashSet<>();
        runs.forEach(run -> values.add(field.apply(run)));
        if (values.size() > 1) {
            out.add(what + ": " + String.join("; ", values));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object value, String what) {
        if (!(value instanceof Map)) {
            throw new IllegalArgumentException(what + " is not a JSON object");
        }
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value, String what) {
        if (!(value instanceof List)) {
            throw new IllegalArgumentException(what + " is not a JSON array");
        }
        return (List<Object>) value;
    }

    private static String text(Object value) {
        return value == null ? "unknown" : value.toString();
    }
}
