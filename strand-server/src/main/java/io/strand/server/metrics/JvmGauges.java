package io.strand.server.metrics;

import io.prometheus.metrics.instrumentation.jvm.JvmBufferPoolMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmClassLoadingMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmCompilationMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmGarbageCollectorMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryPoolAllocationMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmNativeMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmRuntimeInfoMetric;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The JVM's and the process' metrics (docs/METRICS.md, "JVM and process"): the Prometheus Java
 * client's collectors for memory, memory pools, buffer pools, GC, class loading, JIT compilation,
 * native memory and the runtime's version, and in place of its thread and process collectors
 * {@link JvmThreadGauges} and {@link ProcessGauges}, which serve the same names without stopping the
 * JVM at a safepoint or reflecting on every scrape (docs/METRICS.md, "Cost"). Each collector reads its
 * MXBeans when scraped; the GC and allocation ones listen to the JVM's GC notifications.
 */
public final class JvmGauges {

    private JvmGauges() {
    }

    /** Registers the JVM's and the process' collectors in {@code registry}, once per registry. */
    public static void register(PrometheusRegistry registry) {
        JvmThreadGauges.register(registry);
        JvmBufferPoolMetrics.builder().register(registry);
        JvmClassLoadingMetrics.builder().register(registry);
        JvmCompilationMetrics.builder().register(registry);
        JvmGarbageCollectorMetrics.builder().register(registry);
        JvmMemoryPoolAllocationMetrics.builder().register(registry);
        JvmMemoryMetrics.builder().register(registry);
        JvmNativeMemoryMetrics.builder().register(registry);
        JvmRuntimeInfoMetric.builder().register(registry);
        ProcessGauges.register(registry);
    }
}
