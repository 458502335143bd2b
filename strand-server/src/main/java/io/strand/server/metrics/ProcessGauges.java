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
 * system bean's getters up by reflection and reads {@code /proc/self/status} twice, line by line (the
 * kernel formats some fifty lines for it each time); here the bean's getters are called directly, the
 * virtual size is the bean's, and the resident size is the second number of {@code /proc/self/statm}
 * (pages) times the page size, read once per scrape. A series whose source this JVM or system lacks
 * (the file descriptor counts off Unix, the resident size off Linux) is left out.
 * Thread-safe (each scrape reads anew).
 */
public final class ProcessGauges implements MultiCollector {

    static final String CPU = "process_cpu_seconds";
    static final String START = "process_start_time_seconds";
    static final String OPEN_FDS = "process_open_fds";
    static final String MAX_FDS = "process_max_fds";
    static final String VIRTUAL = "process_virtual_memory_bytes";
    static final String RESIDENT = "process_resident_memory_bytes";

    private static final Path STATM = Path.of("/proc/self/statm");

    private final OperatingSystemMXBean os;
    private final double startTimeSeconds;
    private final Path statm;
    private final long pageBytes;

    ProcessGauges(OperatingSystemMXBean os, long startTimeMs, Path statm, long pageBytes) {
        this.os = os;
        this.startTimeSeconds = startTimeMs / 1000.0;
        this.statm = statm;
        this.pageBytes = pageBytes;
    }

    /** Registers the process' gauges in {@code registry}. */
    public static void register(PrometheusRegistry registry) {
        registry.register(new ProcessGauges(ManagementFactory.getOperatingSystemMXBean(),
                ManagementFactory.getRuntimeMXBean().getStartTime(), STATM, pageBytes()));
    }

    @Override
    public MetricSnapshots collect() {
        List<MetricSnapshot> out = new ArrayList<>(6);
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            long virtualBytes = sun.getCommittedVirtualMemorySize();
            if (virtualBytes >= 0) {
                out.add(gauge(VIRTUAL, Unit.BYTES, "Virtual memory size of the process", virtualBytes));
            }
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
        long residentPages = residentPages(readStatm());
        if (residentPages >= 0) {
            out.add(gauge(RESIDENT, Unit.BYTES, "Resident memory size of the process",
                    (double) residentPages * pageBytes));
        }
        return new MetricSnapshots(out);
    }

    @Override
    public List<String> getPrometheusNames() {
        return List.of(CPU, START, OPEN_FDS, MAX_FDS, VIRTUAL, RESIDENT);
    }

    /**
     * The resident set in pages from the text of a {@code /proc/<pid>/statm} file (its second number:
     * {@code "size resident shared text lib data dt"}); -1 when it has no second number.
     */
    static long residentPages(byte[] statm) {
        int i = 0;
        while (i < statm.length && statm[i] >= '0' && statm[i] <= '9') {
            i++; // the total size
        }
        if (i == 0 || i >= statm.length || statm[i] != ' ') {
            return -1;
        }
        i++;
        long pages = 0;
        int digits = 0;
        while (i < statm.length && statm[i] >= '0' && statm[i] <= '9') {
            pages = pages * 10 + (statm[i] - '0');
            i++;
            digits++;
        }
        return digits == 0 ? -1 : pages;
    }

    private byte[] readStatm() {
        try {
            return Files.readAllBytes(statm);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return new byte[0]; // not Linux: no resident size
        }
    }

    /** The memory page size, from {@code sun.misc.Unsafe} (exported by jdk.unsupported); 4 KiB if unreadable. */
    private static long pageBytes() {
        try {
            java.lang.reflect.Field field = Class.forName("sun.misc.Unsafe").getDeclaredField("theUnsafe");
            field.setAccessible(true);
            Object unsafe = field.get(null);
            return ((Number) unsafe.getClass().getMethod("pageSize").invoke(unsafe)).longValue();
        } catch (ReflectiveOperationException | RuntimeException e) {
            return 4096;
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
