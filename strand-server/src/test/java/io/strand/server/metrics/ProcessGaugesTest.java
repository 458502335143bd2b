package io.strand.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessGaugesTest {

    private static final String STATM = "786398 67957 5120 1 0 120000 0\n";

    @Test
    void readsTheResidentPagesOfAStatmFile() {
        assertThat(ProcessGauges.residentPages(STATM.getBytes(StandardCharsets.US_ASCII))).isEqualTo(67957);
        assertThat(ProcessGauges.residentPages("786398\n".getBytes(StandardCharsets.US_ASCII))).isEqualTo(-1);
        assertThat(ProcessGauges.residentPages("x 5".getBytes(StandardCharsets.US_ASCII))).isEqualTo(-1);
        assertThat(ProcessGauges.residentPages(new byte[0])).isEqualTo(-1);
    }

    @Test
    void servesTheProcessSeriesInBytesAndSeconds(@TempDir Path dir) throws IOException {
        Path statm = Files.writeString(dir.resolve("statm"), STATM);
        ProcessGauges gauges = new ProcessGauges(ManagementFactory.getOperatingSystemMXBean(), 1_700_000_000_500L,
                statm, 4096);

        String text = HostedPartitionGaugesTest.text(gauges.collect());

        assertThat(text).contains("\nprocess_resident_memory_bytes 2.78351872E8\n",
                "\nprocess_start_time_seconds 1.7000000005E9\n",
                "\nprocess_cpu_seconds_total ", "\nprocess_open_fds ", "\nprocess_max_fds ",
                "\nprocess_virtual_memory_bytes ");
        assertThat(gauges.getPrometheusNames()).contains("process_cpu_seconds", "process_resident_memory_bytes");
    }

    @Test
    void theRealProcessHasAResidentSizeBelowItsVirtualSize() throws IOException {
        ProcessGauges gauges = new ProcessGauges(ManagementFactory.getOperatingSystemMXBean(), 0,
                Path.of("/proc/self/statm"), 4096);
        String text = HostedPartitionGaugesTest.text(gauges.collect());
        double resident = value(text, "process_resident_memory_bytes");
        double virtual = value(text, "process_virtual_memory_bytes");

        assertThat(resident).isPositive().isLessThan(virtual);
    }

    @Test
    void withoutAStatmFileTheResidentSizeIsLeftOut(@TempDir Path dir) throws IOException {
        ProcessGauges gauges = new ProcessGauges(ManagementFactory.getOperatingSystemMXBean(), 0,
                dir.resolve("none"), 4096);

        assertThat(HostedPartitionGaugesTest.text(gauges.collect())).contains("process_start_time_seconds")
                .doesNotContain("process_resident_memory_bytes");
    }

    private static double value(String text, String name) {
        for (String line : text.split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1));
            }
        }
        throw new AssertionError("no " + name + " in " + text);
    }
}
