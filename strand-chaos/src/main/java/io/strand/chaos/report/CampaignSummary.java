package io.strand.chaos.report;

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
 * worst). Written as {@code summary.md} and {@code summary.json}.
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
        Files.writeString(dir.resolve("summary.json"), Json.write(json));
    }

    private static String ms(long value) {
        return value == Long.MAX_VALUE ? "never" : Long.toString(value);
    }
}
