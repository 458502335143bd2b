package io.strand.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsIndexTest {

    private static final MachineInfo MACHINE = new MachineInfo(2, 24L << 30, "Xeon", "OpenJDK 17", "Linux",
            "0.50 0.40 0.30");

    @TempDir
    Path results;

    @Test
    void rowNamesRunModeRevisionAndMachine() {
        String row = ResultsIndex.row("20261205T080000Z-quick", "2026-12-05T08:00:00Z", Workload.quick(),
                "abc1234+local-changes", MACHINE);

        assertThat(row).isEqualTo("| [20261205T080000Z-quick](20261205T080000Z-quick.md) | 2026-12-05T08:00:00Z "
                + "| quick | 1 | abc1234+local-changes | 2 cores, 24.0 GiB, Xeon, OpenJDK 17 | 0.50 0.40 0.30 | no |  |\n");
    }

    @Test
    void appendsEachRunAndKeepsEveryEarlierRow() throws IOException {
        BenchMain.writeResults(results, "20261205T080000Z-quick", "# one\n", "{}\n", "| one |\n");
        BenchMain.writeResults(results, "20261205T081500Z-full", "# two\n", "{}\n", "| two |\n");

        String index = Files.readString(results.resolve(ResultsIndex.FILE));
        assertThat(index).startsWith("# Benchmark results").endsWith("|---|\n| one |\n| two |\n");
        assertThat(results.resolve("20261205T080000Z-quick.md")).hasContent("# one");
        assertThat(results.resolve("latest.md")).hasContent("# two");
    }

    @Test
    void neverReplacesTheFilesOfAnotherRun() throws IOException {
        BenchMain.writeResults(results, "20261205T080000Z-quick", "# first\n", "{}\n", "| first |\n");

        assertThatThrownBy(() -> BenchMain.writeResults(results, "20261205T080000Z-quick", "# second\n", "{}\n",
                "| second |\n")).isInstanceOf(FileAlreadyExistsException.class);
        assertThat(results.resolve("20261205T080000Z-quick.md")).hasContent("# first");
    }

    @Test
    void appendsToAnIndexWrittenByHand() throws IOException {
        Files.writeString(results.resolve(ResultsIndex.FILE), "# Results\n\n| run | quoted |\n|---|---|\n| old | yes |");

        ResultsIndex.append(results, "| new | no |\n");

        assertThat(results.resolve(ResultsIndex.FILE)).hasContent("# Results\n\n| run | quoted |\n|---|---|\n| old | yes |\n| new | no |");
    }
}
