package io.strand.fidelity;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A run's findings as Markdown: per API and version how many differences were declared and how many
 * were not, then every undeclared one with the request that showed it. Stateless and thread-safe.
 */
final class Report {

    private static final int MAX_REQUEST_CHARS = 400;
    /** A generated run's differing values (a topic of thousands of partitions) are cut as its requests are. */
    private static final int MAX_VALUE_CHARS = 2000;

    private Report() {
    }

    static String markdown(int scenarios, int steps, List<DifferentialRun.Finding> findings,
                           DeclaredDifferences declared) {
        StringBuilder out = new StringBuilder("# Differences between Apache Kafka and Strand\n\n");
        List<DifferentialRun.Finding> undeclared = findings.stream().filter(f -> declared.declaring(f).isEmpty())
                .toList();
        out.append(scenarios).append(" scenarios, ").append(steps).append(" requests to each broker; ")
                .append(findings.size()).append(" differing fields, ").append(undeclared.size())
                .append(" of them undeclared.\n\n");
        Map<String, int[]> perApi = new TreeMap<>();
        for (DifferentialRun.Finding f : findings) {
            int[] counts = perApi.computeIfAbsent(f.api().name + " v" + f.version(), k -> new int[2]);
            counts[declared.declaring(f).isPresent() ? 0 : 1]++;
        }
        if (!perApi.isEmpty()) {
            out.append("| API | declared | undeclared |\n|---|---|---|\n");
            perApi.forEach((api, c) -> out.append("| ").append(api).append(" | ").append(c[0]).append(" | ")
                    .append(c[1]).append(" |\n"));
            out.append('\n');
        }
        for (DifferentialRun.Finding f : undeclared) {
            out.append("- `").append(f.scenario()).append("` step ").append(f.step()).append(", ")
                    .append(f.api().name).append(" v").append(f.version()).append(" `").append(f.path())
                    .append("`: Kafka ").append(f.kafka()).append(", Strand ").append(f.strand())
                    .append("\n  request: `").append(shorten(f.request())).append("`\n");
        }
        return out.toString();
    }

    /** A generated run as Markdown: per API the requests sent and those answered differently, then each differing field. */
    static String generated(long seed, int count, GeneratedRun.Outcome outcome) {
        StringBuilder out = new StringBuilder("# Generated requests: Apache Kafka and Strand\n\n");
        int differing = outcome.perApi().values().stream().mapToInt(c -> c[1]).sum();
        out.append(count).append(" requests generated from the message schemas with seed ").append(seed)
                .append("; ").append(differing).append(" answered differently.\n\n");
        if (!outcome.kafkaOnly().isEmpty()) {
            out.append("Not generated (only Kafka advertises them): ").append(String.join(", ", outcome.kafkaOnly()))
                    .append(".\n\n");
        }
        if (!outcome.setupFindings().isEmpty()) {
            out.append("The setup itself differed in ").append(outcome.setupFindings().size()).append(" fields.\n\n");
        }
        out.append("| API | requests | answered differently |\n|---|---|---|\n");
        outcome.perApi().forEach((api, c) -> out.append("| ").append(api).append(" | ").append(c[0]).append(" | ")
                .append(c[1]).append(" |\n"));
        out.append("\n## Differing fields (count, first example)\n\n");
        outcome.examples().entrySet().stream()
                .sorted((a, b) -> Integer.compare(b.getValue().count(), a.getValue().count()))
                .forEach(e -> {
                    DifferentialRun.Finding f = e.getValue().first();
                    out.append("- ").append(e.getValue().count()).append("× ").append(f.api().name).append(" v")
                            .append(f.version()).append(" `").append(f.path()).append("`: Kafka ").append(shorten(f.kafka(), MAX_VALUE_CHARS))
                            .append(", Strand ").append(shorten(f.strand(), MAX_VALUE_CHARS)).append(" (").append(f.scenario())
                            .append(")\n  request: `").append(shorten(f.request())).append("`\n");
                });
        return out.toString();
    }

    private static String shorten(String text) {
        return shorten(text, MAX_REQUEST_CHARS);
    }

    private static String shorten(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max) + "…";
    }
}
