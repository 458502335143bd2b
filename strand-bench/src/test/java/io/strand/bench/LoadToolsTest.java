package io.strand.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LoadToolsTest {

    @Test
    void cpuPerGbIsOverTheBytesTheProducerReportsSent() {
        // 499,968 records of 1 KiB sent (of 500,000 requested) cost the broker 4.2 s of CPU
        long sent = ToolOutput.parseProducer(ToolOutputTest.fixture("producer-performance-short.txt"))
                .orElseThrow().records();

        assertThat(LoadTools.cpuSecondsPerGb(4.2, sent, Workload.LARGE_RECORD_BYTES))
                .isCloseTo(4.2 / (499_968 * 1024 / 1e9), within(1e-9));
    }
}
