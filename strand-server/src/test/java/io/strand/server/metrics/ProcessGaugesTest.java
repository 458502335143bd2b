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

    private static final String STATUS = "Name:\tjava\nVmPeak:\t 3200000 kB\nVmSize:\t 3141592 kB\n"
            + "VmLck:\t       0 kB\nVmRSS:\t  271828 kB\nThreads:\t42\n";

    @Test
    void readsTheKilobytesOfAStatusLine() {
        byte[] text = STATUS.getBytes(StandardCharsets.US_ASCII);

        assertThat(ProcessGauges.kilobytes(text, "VmSize:")).isEqualTo(3141592);
        assertThat(ProcessGauges.kilobytes(text, "VmRSS:")).isEqualTo(271828);
        assertThat(ProcessGauges.kilobytes(text, "VmSwap:")).isEqualTo(-1);
        assertThat(ProcessGauges.kilobytes(text, "Name:")).isEqualTo(-1);
        assertThat(ProcessGauges.kilobytes(new byte[0], "VmRSS:")).isEqualTo(-1);
    }

    @Test
    void servesTheProcessSeriesInBytesAndSeconds(@TempDir Path dir) throws IOException {
        Path status = Files.writeString(dir.resolve("status"), STATUS);
        ProcessGauges gauges = new ProcessGauges(ManagementFactory.getOperatingSystemMXBean(), 1_700_000_000_500L, status);

        String text = HostedPartitionGaugesTest.text(gauges.collect());

        assertThat(text).contains("\nprocess_virtual_memory_bytes 3.216990208E9\n",
                "\nprocess_resident_memory_bytes 2.78351872E8\n",
                "\nprocess_start_time_seconds 1.7000000005E9\n",
                "\nprocess_cpu_seconds_total ", "\nprocess_open_fds ", "\nprocess_max_fds ");
        assertThat(gauges.getPrometheusNames()).contains("process_cpu_seconds", "process_resident_memory_bytes");
    }

    @Test
    void withoutAStatusFileTheMemorySizesAreLeftOut(@TempDir Path dir) throws IOException {
        ProcessGauges gauges = new ProcessGauges(ManagementFactory.getOperatingSystemMXBean(), 0, dir.resolve("none"));

        assertThat(HostedPartitionGaugesTest.text(gauges.collect())).contains("process_start_time_seconds")
                .doesNotContain("process_resident_memory_bytes").doesNotContain("process_virtual_memory_bytes");
    }
}
