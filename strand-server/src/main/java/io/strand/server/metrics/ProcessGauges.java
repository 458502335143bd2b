package io.strand.server.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The process, under the Prometheus Java client's names: {@code process_cpu_seconds_total},
 * {@code process_start_time_seconds}, {@code process_open_fds}, {@code process_max_fds},
 * {@code process_virtual_memory_bytes} and {@code process_resident_memory_bytes}.
 *
 * <p>It stands in for the client's {@code ProcessMetrics}, which on every scrape looks the operating
 * system bean's getters up by reflection and reads {@code /proc/self/status} twice, line by line; here
 * the bean's getters are called directly and {@code /proc/self/status} is read once per scrape, its
 * {@code VmSize} and {@code VmRSS} lines parsed from the bytes. A series whose source this JVM or
 * system lacks (the file descriptor counts off Unix, the memory sizes off Linux) is left out.
 * Thread-safe (each scrape reads anew).
 */
public final class ProcessGauges implements MultiCollector {

    static final String CPU = "process_cpu_seconds";
    static final String START = "process_start_time_seconds";
    static final String OPEN_FDS = "process_open_fds";
    static final String MAX_FDS = "process_max_fds";
    static final String VIRTUAL = "process_virtual_memory_bytes";
    static final String RESIDENT = "process_resident_memory_bytes";

    private static final Path STATUS = Path.of("/proc/self/status");

    private final OperatingSystemMXBean os;
    private final double startTimeSeconds;
    private final Path status;

    ProcessGauges(OperatingSystemMXBean os, long startTimeMs, Path status) {
        this.os = os;
        this.startTimeSeconds = startTimeMs / 1000.0;
        this.status = status;
    }

    /** Registers the process' gauges in {@code registry}. */
    public static void register(PrometheusRegistry registry) {
        registry.register(new ProcessGauges(ManagementFactory.getOperatingSystemMXBean(),
                ManagementFactory.getRuntimeMXBean().getStartTime(), STATUS));
    }

    @Override
    public MetricSnapshots collect() {
        List<MetricSnapshot> out = new ArrayList<>(6);
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            long cpuNs = sun.getProcessCpuTime();
            if (cpuNs >= 0) {
                out.add(CounterSnapshot.builder().name(CPU).unit(Unit.SECONDS)
                        .help("CPU time of the process, user and system")
                        .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(cpuNs / 1e9).build())
                        .build());
            }
        }
        out.add(gauge(START, Unit.SECONDS, "When the process started, in seconds since the Unix epoch", startTimeSeconds));
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            out.add(gauge(OPEN_FDS, null, "File descriptors the process has open", unix.getOpenFileDescriptorCount()));
            out.add(gauge(MAX_FDS, null, "The most file descriptors the process may open",
                    unix.getMaxFileDescriptorCount()));
        }
        byte[] text = readStatus();
        long virtualKb = kilobytes(text, "VmSize:");
        if (virtualKb >= 0) {
            out.add(gauge(VIRTUAL, Unit.BYTES, "Virtual memory size of the process", virtualKb * 1024.0));
        }
        long residentKb = kilobytes(text, "VmRSS:");
        if (residentKb >= 0) {
            out.add(gauge(RESIDENT, Unit.BYTES, "Resident memory size of the process", residentKb * 1024.0));
        }
        return new MetricSnapshots(out);
    }

    @Override
    public List<String> getPrometheusNames() {
        return List.of(CPU, START, OPEN_FDS, MAX_FDS, VIRTUAL, RESIDENT);
    }

    /**
     * The number of the line of {@code text} (a {@code /proc/<pid>/status} file) that starts with
     * {@code key}, e.g. {@code 1234} of {@code "VmRSS:\t    1234 kB"}; -1 when no line starts with it or
     * it holds no number.
     */
    static long kilobytes(byte[] text, String key) {
        byte[] wanted = key.getBytes(StandardCharsets.US_ASCII);
        int lineStart = 0;
        while (lineStart < text.length) {
            if (startsWith(text, lineStart, wanted)) {
                int i = lineStart + wanted.length;
                while (i < text.length && (text[i] == ' ' || text[i] == '\t')) {
                    i++;
                }
                long value = 0;
                int digits = 0;
                while (i < text.length && text[i] >= '0' && text[i] <= '9') {
                    value = value * 10 + (text[i] - '0');
                    i++;
                    digits++;
                }
                return digits == 0 ? -1 : value;
            }
            while (lineStart < text.length && text[lineStart] != '\n') {
                lineStart++;
            }
            lineStart++;
        }
        return -1;
    }

    private static boolean startsWith(byte[] text, int from, byte[] prefix) {
        if (from + prefix.length > text.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (text[from + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private byte[] readStatus() {
        try {
            return Files.readAllBytes(status);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return new byte[0]; // not Linux: no memory sizes
        }
    }

    private static GaugeSnapshot gauge(String name, Unit unit, String help, double value) {
        GaugeSnapshot.Builder builder = GaugeSnapshot.builder().name(name).help(help);
        if (unit != null) {
            builder.unit(unit);
        }
        return builder.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(value).build()).build();
    }
}
