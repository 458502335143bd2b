package io.strand.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * The index of every run in the results directory, {@value #FILE}: a Markdown page whose last part is
 * a table with one row per run. The harness appends the row of each run it finishes and never removes
 * one; whether the top-level README quotes a run, and notes such as "smoke run on a loaded machine",
 * are filled in by hand in the row's last two columns.
 *
 * <p>Stateless; one harness writes at a time.
 */
final class ResultsIndex {

    static final String FILE = "README.md";
    static final String HEADER = """
            # Benchmark results

            One row per run of `strand-bench/run`, oldest first; the harness appends a row for each run and \
            never deletes a result. Each run has `<run>.md` (the report) and `<run>.json` (every sample); \
            `latest.*` is a copy of the newest. "Quoted" says whether the table in the top-level README and \
            `strand-bench/README.md` is computed from the run (`strand-bench/run --summarize` over the runs \
            marked yes). Keep this table last in the file: rows are appended to it.

            | run | started (UTC) | mode | rounds | Strand revision | machine | load at start | quoted | notes |
            |---|---|---|---:|---|---|---|---|---|
            """;

    private ResultsIndex() {
    }

    /** The row of a run whose files are {@code <baseName>.md|json}; not quoted, no notes. */
    static String row(String baseName, String startedAt, Workload workload, String strandRevision,
            MachineInfo machine) {
        String machineText = String.format(Locale.ROOT, "%d cores, %.1f GiB, %s, %s", machine.cores(),
                machine.memoryBytes() / (double) (1L << 30), machine.cpuModel(), machine.jdk());
        return "| [" + baseName + "](" + baseName + ".md) | " + startedAt + " | " + workload.mode() + " | "
                + workload.rounds() + " | " + cell(strandRevision) + " | " + cell(machineText) + " | "
                + cell(machine.loadAverage()) + " | no |  |\n";
    }

    /** Appends {@code row} to the index in {@code resultsDir}, creating the index with its header first. */
    static void append(Path resultsDir, String row) throws IOException {
        Path index = resultsDir.resolve(FILE);
        if (!Files.exists(index)) {
            Files.writeString(index, HEADER, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
        }
        String existing = Files.readString(index, StandardCharsets.UTF_8);
        String separator = existing.isEmpty() || existing.endsWith("\n") ? "" : "\n";
        Files.writeString(index, separator + row, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }
}
