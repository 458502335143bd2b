package io.strand.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ToolOutputTest {

    /** A whole tool log as the harness keeps it, from {@code src/test/resources/tool-output}. */
    static String fixture(String name) {
        try (InputStream in = ToolOutputTest.class.getResourceAsStream("/tool-output/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void readsTheRecordsProducerPerformanceSentFromItsWholeLog() {
        ToolOutput.ProducerResult result = ToolOutput.parseProducer(fixture("producer-performance-complete.txt"))
                .orElseThrow();

        assertThat(result.records()).isEqualTo(3_000_000);
        assertThat(result.recordsPerSec()).isEqualTo(459559.436275);
        assertThat(result.p99LatencyMs()).isEqualTo(790);
    }

    @Test
    void readsFewerRecordsSentThanRequestedWhenSendsExpired() {
        // --num-records 500000; 32 sends expired and are not in the tool's count
        ToolOutput.ProducerResult result = ToolOutput.parseProducer(fixture("producer-performance-short.txt"))
                .orElseThrow();

        assertThat(result.records()).isEqualTo(499_968);
        assertThat(result.mbPerSec()).isEqualTo(80.18);
    }

    @Test
    void readsTheRecordsConsumerPerformanceRead() {
        assertThat(ToolOutput.parseConsumer(fixture("consumer-performance-complete.txt")))
                .contains(new ToolOutput.ConsumerResult(500_000, 150.1942, 153798.8311, 2229.5945));
    }

    @Test
    void readsConsumerPerformanceValuesPastItsWarningAndLogLines() {
        // the tool gave up after 30 s without a record, short of the 3,000,000 asked for
        assertThat(ToolOutput.parseConsumer(fixture("consumer-performance-timeout.txt")))
                .contains(new ToolOutput.ConsumerResult(2_900_980, 6.7068, 70325.8103, 7.2387));
    }

    @Test
    void readsTheWholeRunLineOfProducerPerformance() {
        String output = """
                250017 records sent, 50003.4 records/sec (4.77 MB/sec), 420.5 ms avg latency, 900.0 ms max latency.
                500000 records sent, 245821.042281 records/sec (23.44 MB/sec), 812.34 ms avg latency, 1403.00 ms max latency, 851 ms 50th, 1302 ms 95th, 1374 ms 99th, 1398 ms 99.9th.
                """;

        ToolOutput.ProducerResult result = ToolOutput.parseProducer(output).orElseThrow();

        assertThat(result).isEqualTo(new ToolOutput.ProducerResult(500_000, 245821.042281, 23.44, 812.34, 1403.00,
                851, 1302, 1374, 1398));
    }

    @Test
    void ignoresTheSteadyStateLineOfProducerPerformance() {
        String output = """
                100000 records sent, 1000.000000 records/sec (0.10 MB/sec), 1.00 ms avg latency, 9.00 ms max latency, 1 ms 50th, 2 ms 95th, 3 ms 99th, 4 ms 99.9th.
                90000 steady state records sent, 2000.000000 records/sec (0.20 MB/sec), 0.50 ms avg latency, 5.00 ms max latency, 0 ms 50th, 1 ms 95th, 2 ms 99th, 3 ms 99.9th.
                """;

        assertThat(ToolOutput.parseProducer(output).orElseThrow().records()).isEqualTo(100_000);
    }

    @Test
    void findsNoProducerResultInAFailedRun() {
        assertThat(ToolOutput.parseProducer("org.apache.kafka.common.errors.TimeoutException: boom\n")).isEmpty();
    }

    @Test
    void readsEndToEndLatencySummary() {
        String output = "0\t77.74\nAvg latency: 1.5219 ms\nPercentiles: 50th = 1, 99th = 7, 99.9th = 77\n";

        assertThat(ToolOutput.parseLatency(output)).contains(new ToolOutput.LatencyResult(1.5219, 1, 7, 77));
    }

    @Test
    void findsNoLatencyWithoutPercentiles() {
        assertThat(ToolOutput.parseLatency("Avg latency: 1.5219 ms\n")).isEmpty();
    }

    @Test
    void readsConsumerPerformanceValuesBelowTheHeader() {
        String output = """
                start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
                2026-11-23 15:41:20:123, 2026-11-23 15:41:22:456, 47.6837, 20.4388, 500000, 214316.3309, 312, 2021, 23.5941, 247402.2761
                """;

        assertThat(ToolOutput.parseConsumer(output)).contains(new ToolOutput.ConsumerResult(500_000, 20.4388, 214316.3309, 23.5941));
    }

    @Test
    void findsNoConsumerResultWhenOnlyTheHeaderWasPrinted() {
        String output = """
                start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
                The node does not support FIND_COORDINATOR
                org.apache.kafka.common.errors.UnsupportedVersionException: The node does not support FIND_COORDINATOR
                """;

        assertThat(ToolOutput.parseConsumer(output)).isEmpty();
        assertThat(ToolOutput.lacksConsumerGroups(output)).isTrue();
    }

    @Test
    void otherUnsupportedVersionsDoNotMeanMissingConsumerGroups() {
        assertThat(ToolOutput.lacksConsumerGroups(
                "org.apache.kafka.common.errors.UnsupportedVersionException: The node does not support INIT_PRODUCER_ID"))
                .isFalse();
    }
}
