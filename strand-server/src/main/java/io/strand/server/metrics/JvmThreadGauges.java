package io.strand.server.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;

/**
 * The JVM's thread counts, under the Prometheus Java client's names: {@code jvm_threads_current},
 * {@code jvm_threads_daemon}, {@code jvm_threads_peak} and {@code jvm_threads_started_total}, read from
 * {@link ThreadMXBean}'s counters when scraped.
 *
 * <p>It stands in for the client's {@code JvmThreadsMetrics}, which on every scrape also runs
 * {@link ThreadMXBean#findDeadlockedThreads} and {@link ThreadMXBean#findMonitorDeadlockedThreads}
 * (each a VM operation that stops every thread of the node at a safepoint, the threads serving
 * produce and fetch included) and builds a {@code ThreadInfo} of every thread to count them by state
 * ({@code jvm_threads_state}). Those series are not served (docs/METRICS.md, "Cost"); the counts here are
 * plain reads of counters the JVM keeps. Thread-safe.
 */
public final class JvmThreadGauges implements MultiCollector {

    static final String CURRENT = "jvm_threads_current";
    static final String DAEMON = "jvm_threads_daemon";
    static final String PEAK = "jvm_threads_peak";
    static final String STARTED = "jvm_threads_started";

    private final ThreadMXBean threads;

    JvmThreadGauges(ThreadMXBean threads) {
        this.threads = threads;
    }

    /** Registers the JVM's thread counts in {@code registry}. */
    public static void register(PrometheusRegistry registry) {
        registry.register(new JvmThreadGauges(ManagementFactory.getThreadMXBean()));
    }

    @Override
    public MetricSnapshots collect() {
        return MetricSnapshots.of(
                gauge(CURRENT, "Live threads of the JVM", threads.getThreadCount()),
                gauge(DAEMON, "Live daemon threads of the JVM", threads.getDaemonThreadCount()),
                gauge(PEAK, "Most live threads of the JVM at once since it started", threads.getPeakThreadCount()),
                CounterSnapshot.builder().name(STARTED).help("Threads started since the JVM started")
                        .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                                .value(threads.getTotalStartedThreadCount()).build())
                        .build());
    }

    @Override
    public List<String> getPrometheusNames() {
        return List.of(CURRENT, DAEMON, PEAK, STARTED);
    }

    private static GaugeSnapshot gauge(String name, String help, double value) {
        return GaugeSnapshot.builder().name(name).help(help)
                .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(value).build()).build();
    }
}
