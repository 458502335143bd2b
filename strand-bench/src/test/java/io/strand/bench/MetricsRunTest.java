package io.strand.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.Test;

class MetricsRunTest {

    private final MetricsRun run = new MetricsRun(Time.SYSTEM,
            new StrandLauncher("strand-server.jar", List.of(), java.util.Map.of()), Workload.quick(), "tools");

    @Test
    void theRatioIsOnOverOffOfTheMedians() {
        for (double value : List.of(90.0, 100.0, 95.0)) {
            run.on.record(Metric.PRODUCE_SMALL_MB_PER_SEC, BrokerKind.STRAND, value);
        }
        for (double value : List.of(100.0, 80.0, 120.0)) {
            run.off.record(Metric.PRODUCE_SMALL_MB_PER_SEC, BrokerKind.STRAND, value);
        }

        assertThat(run.ratio(Metric.PRODUCE_SMALL_MB_PER_SEC)).hasValue(0.95);
        assertThat(run.pairedRatios(Metric.PRODUCE_SMALL_MB_PER_SEC)).as("quick: one round, three values").isEmpty();
        assertThat(run.ratio(Metric.CONSUME_MB_PER_SEC)).isEmpty();
    }

    @Test
    void theReportGivesMediansRatiosAndEveryRound() {
        run.on.record(Metric.CONSUME_MB_PER_SEC, BrokerKind.STRAND, 200.0);
        run.off.record(Metric.CONSUME_MB_PER_SEC, BrokerKind.STRAND, 250.0);
        MachineInfo machine = new MachineInfo(2, 4L << 30, "cpu", "jdk 17", "linux", "0.10 0.20 0.30");

        String markdown = run.markdown("2026-12-06T20:00:00Z", machine, "-Xmx1g", "abc123");
        String json = run.json("2026-12-06T20:00:00Z", "abc123");

        assertThat(run.pairedRatios(Metric.CONSUME_MB_PER_SEC)).containsExactly(0.8);
        assertThat(markdown).contains("metrics on vs off")
                .contains("| 200.00 | 250.00 | 0.800 | 0.800 (0.80) | 200.00 | 250.00 |")
                .contains("scraped every 1000 ms");
        assertThat(Json.parse(json)).isInstanceOf(java.util.Map.class);
        assertThat(json).contains("\"on_over_off\": 0.8000").contains("\"on\": [200.0]")
                .contains("\"on_over_off_per_round\": [0.8]");
    }
}
