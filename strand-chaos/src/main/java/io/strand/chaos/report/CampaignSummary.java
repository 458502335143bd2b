package io.strand.chaos.report;

import io.strand.chaos.history.Transaction;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Several schedules' outcome side by side: each run's verdict and results directory, and per system
 * and fault kind the median and worst of the longest stretch without acknowledgements and of the
 * time from the fault's end to the next acknowledgement (a recovery that never came counts as the
 * worst). With more than one system (a campaign of {@code --system both}), the systems side by side:
 * per system the schedules, passes, transactions by outcome and anomaly totals, and per fault kind each system's figures in one
 * row, a kind a system's schedules skipped shown as skipped. Written as {@code summary.md} and
 * {@code summary.json}.
 */
public final class CampaignSummary {

    private final List<RunReport> runs = new ArrayList<>();
    private final List<Path> dirs = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();

    public void add(RunReport run, Path dir) {
        runs.add(run);
        dirs.add(dir);
    }

    /** A schedule that could not run to its check (the harness or the cluster failed): the campaign fails. */
    public void addError(String system, long seed, Throwable error) {
        errors.add(system + " seed=" + seed + ": " + error);
    }

    public boolean passed() {
        return errors.isEmpty() && !runs.isEmpty() && runs.stream().allMatch(RunReport::passed);
    }

    /** One line: how many schedules passed, with the anomaly totals. */
    public String verdict() {
        long passed = runs.stream().filter(RunReport::passed).count();
        return (passed() ? "PASS" : "FAIL") + " campaign schedules=" + (runs.size() + errors.size()) + " passed="
                + passed + " errors=" + errors.size()
                + " acked=" + runs.stream().mapToLong(r -> r.history().acked()).sum()
                + " anomalies=" + runs.stream().mapToLong(r -> r.check().anomalies().size()).sum();
    }

    /** System to fault kind to {medianGapMs, worstGapMs, medianRecoveryMs, worstRecoveryMs, faults}. */
    public Map<String, Map<String, Map<String, Long>>> perKind() {
        Map<String, Map<String, List<Unavailability>>> all = new TreeMap<>();
        for (RunReport run : runs) {
            run.perKind().forEach((kind, list) -> all.computeIfAbsent(run.system(), s -> new TreeMap<>())
                    .computeIfAbsent(kind, k -> new ArrayList<>()).addAll(list));
        }
        Map<String, Map<String, Map<String, Long>>> table = new TreeMap<>();
        all.forEach((system, kinds) -> kinds.forEach((kind, list) -> {
            long[] gaps = list.stream().mapToLong(Unavailability::longestGapMs).toArray();
            long[] recoveries = list.stream().mapToLong(u -> u.recoveryMs() < 0 ? Long.MAX_VALUE : u.recoveryMs())
                    .toArray();
            Map<String, Long> row = new LinkedHashMap<>();
            row.put("faults", (long) list.size());
            row.put("medianGapMs", RunReport.median(gaps));
            row.put("worstGapMs", max(gaps));
            row.put("medianRecoveryMs", RunReport.median(recoveries));
            row.put("worstRecoveryMs", max(recoveries));
            table.computeIfAbsent(system, s -> new TreeMap<>()).put(kind, row);
        }));
        return table;
    }

    /** System to anomaly kind to its count over every schedule of the system (all kinds, zeros included). */
    public Map<String, Map<String, Long>> anomaliesPerSystem() {
        Map<String, Map<String, Long>> table = new TreeMap<>();
        for (RunReport run : runs) {
            Map<String, Long> row = table.computeIfAbsent(run.system(), s -> new LinkedHashMap<>());
            run.check().counts().forEach((kind, count) -> row.merge(kind.shortName(), count, Long::sum));
        }
        return table;
    }

    /** System to the fault kinds its schedules skipped (they cannot happen here), each with why. */
    public Map<String, Map<String, String>> skippedPerSystem() {
        Map<String, Map<String, String>> table = new TreeMap<>();
        for (RunReport run : runs) {
            run.skipped().forEach((kind, why) -> table.computeIfAbsent(run.system(), s -> new TreeMap<>())
                    .putIfAbsent(kind, why));
        }
        return table;
    }

    private List<String> systems() {
        return runs.stream().map(RunReport::system).distinct().sorted(java.util.Comparator.reverseOrder()).toList();
    }

    /** The side-by-side tables of the class doc, in Markdown (empty with fewer than two systems). */
    private String sideBySide() {
        List<String> systems = systems(); // strand before kafka
        if (systems.size() < 2) {
            return "";
        }
        StringBuilder md = new StringBuilder("\n## Side by side\n\n| system | schedules | passed | acked "
                + "| transactions committed / aborted / unknown | anomalies | clients on their own |\n"
                + "|---|---|---|---|---|---|---|\n");
        Map<String, Map<String, Long>> anomalies = anomaliesPerSystem();
        for (String system : systems) {
            List<RunReport> own = runs.stream().filter(r -> r.system().equals(system)).toList();
            StringBuilder found = new StringBuilder();
            anomalies.get(system).forEach((kind, count) -> found.append(found.isEmpty() ? "" : " ").append(kind)
                    .append('=').append(count));
            md.append("| ").append(system).append(" | ").append(own.size()).append(" | ")
                    .append(own.stream().filter(RunReport::passed).count()).append(" | ")
                    .append(own.stream().mapToLong(r -> r.history().acked()).sum()).append(" | ")
                    .append(transactions(own, Transaction.Outcome.COMMITTED)).append(" / ")
                    .append(transactions(own, Transaction.Outcome.ABORTED)).append(" / ")
                    .append(transactions(own, Transaction.Outcome.UNKNOWN)).append(" | ").append(found)
                    .append(" | ").append(new ClientTrouble(own.stream().mapToInt(r -> r.clients().epochBumps()).sum(),
                            own.stream().flatMap(r -> r.clients().endedEarly().stream()).toList()).describe())
                    .append(" |\n");
        }
        md.append("\nPer fault kind, each cell: faults, median / worst stretch without acknowledgements, median / "
                + "worst recovery (ms).\n\n| kind |");
        systems.forEach(system -> md.append(' ').append(system).append(" |"));
        md.append("\n|---|").append("---|".repeat(systems.size())).append('\n');
        Map<String, Map<String, Map<String, Long>>> perKind = perKind();
        Map<String, Map<String, String>> skipped = skippedPerSystem();
        java.util.SortedSet<String> kinds = new java.util.TreeSet<>();
        perKind.values().forEach(k -> kinds.addAll(k.keySet()));
        skipped.values().forEach(k -> kinds.addAll(k.keySet()));
        for (String kind : kinds) {
            md.append("| ").append(kind).append(" |");
            for (String system : systems) {
                Map<String, Long> row = perKind.getOrDefault(system, Map.of()).get(kind);
                if (row != null) {
                    md.append(' ').append(row.get("faults")).append(": ").append(row.get("medianGapMs")).append(" / ")
                            .append(row.get("worstGapMs")).append(", ").append(ms(row.get("medianRecoveryMs")))
                            .append(" / ").append(ms(row.get("worstRecoveryMs"))).append(" |");
                } else if (skipped.getOrDefault(system, Map.of()).containsKey(kind)) {
                    md.append(" skipped |");
                } else {
                    md.append(" — |");
                }
            }
            md.append('\n');
        }
        return md.toString();
    }

    private static long transactions(List<RunReport> runs, Transaction.Outcome outcome) {
        return runs.stream().mapToLong(r -> r.history().transactions().count(outcome)).sum();
    }

    private static long max(long[] values) {
        long max = 0;
        for (long value : values) {
            max = Math.max(max, value);
        }
        return max;
    }

    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        StringBuilder md = new StringBuilder("# Chaos campaign\n\n`").append(verdict()).append("`\n\n");
        md.append("| system | seed | verdict | results |\n|---|---|---|---|\n");
        for (int i = 0; i < runs.size(); i++) {
            md.append("| ").append(runs.get(i).system()).append(" | ").append(runs.get(i).seed()).append(" | `")
                    .append(runs.get(i).verdict()).append("` | ").append(dirs.get(i).getFileName()).append(" |\n");
        }
        errors.forEach(error -> md.append("\nERROR ").append(error).append('\n'));
        md.append("\n## Unavailability per fault kind (ms; a recovery that never came is shown as never)\n\n"
                + "| system | kind | faults | median stretch | worst stretch | median recovery | worst recovery |\n"
                + "|---|---|---|---|---|---|---|\n");
        perKind().forEach((system, kinds) -> kinds.forEach((kind, row) -> md.append("| ").append(system).append(" | ")
                .append(kind).append(" | ").append(row.get("faults")).append(" | ").append(row.get("medianGapMs"))
                .append(" | ").append(row.get("worstGapMs")).append(" | ").append(ms(row.get("medianRecoveryMs")))
                .append(" | ").append(ms(row.get("worstRecoveryMs"))).append(" |\n")));
        skippedPerSystem().forEach((system, kinds) -> kinds.forEach((kind, why) -> md.append("| ").append(system)
                .append(" | ").append(kind).append(" | skipped: ").append(why).append(" | | | | |\n")));
        md.append(sideBySide());
        Files.writeString(dir.resolve("summary.md"), md.toString());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("verdict", verdict());
        json.put("passed", passed());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            rows.add(Map.of("system", runs.get(i).system(), "seed", runs.get(i).seed(), "verdict",
                    runs.get(i).verdict(), "dir", dirs.get(i).getFileName().toString()));
        }
        json.put("runs", rows);
        json.put("errors", errors);
        json.put("perKind", perKind());
        json.put("anomaliesPerSystem", anomaliesPerSystem());
        json.put("skippedPerSystem", skippedPerSystem());
        Files.writeString(dir.resolve("summary.json"), Json.write(json));
    }

    private static String ms(long value) {
        return value == Long.MAX_VALUE ? "never" : Long.toString(value);
    }
}
