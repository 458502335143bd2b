package io.strand.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class JvmThreadGaugesTest {

    private static double value(MetricSnapshots snapshots, String name) {
        for (MetricSnapshot snapshot : snapshots) {
            if (snapshot.getMetadata().getName().equals(name)) {
                if (snapshot instanceof GaugeSnapshot gauge) {
                    return gauge.getDataPoints().get(0).getValue();
                }
                return ((CounterSnapshot) snapshot).getDataPoints().get(0).getValue();
            }
        }
        throw new AssertionError("no " + name);
    }

    @Test
    void countsTheLiveAndStartedThreads() throws InterruptedException {
        JvmThreadGauges gauges = new JvmThreadGauges(ManagementFactory.getThreadMXBean());
        MetricSnapshots before = gauges.collect();
        CountDownLatch release = new CountDownLatch(1);
        Thread extra = new Thread(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "jvm-thread-gauges-test");
        extra.setDaemon(true);
        extra.start();
        try {
            MetricSnapshots during = gauges.collect();

            assertThat(value(during, "jvm_threads_started")).isGreaterThan(value(before, "jvm_threads_started"));
            assertThat(value(during, "jvm_threads_current")).isGreaterThanOrEqualTo(value(during, "jvm_threads_daemon"))
                    .isGreaterThanOrEqualTo(1);
            assertThat(value(during, "jvm_threads_daemon")).isGreaterThanOrEqualTo(1);
            assertThat(value(during, "jvm_threads_peak")).isGreaterThanOrEqualTo(value(during, "jvm_threads_current"));
        } finally {
            release.countDown();
            extra.join();
        }
    }

    @Test
    void servesNoDeadlockOrStateSeries() throws java.io.IOException {
        String text = HostedPartitionGaugesTest.text(new JvmThreadGauges(ManagementFactory.getThreadMXBean()).collect());

        assertThat(text).contains("\njvm_threads_current ", "\njvm_threads_started_total ")
                .doesNotContain("deadlocked").doesNotContain("jvm_threads_state");
    }
}
