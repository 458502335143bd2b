package io.strand.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SamplesTest {

    @Test
    void medianOfOddCountIsTheMiddleValue() {
        assertThat(Samples.median(List.of(9.0, 1.0, 5.0)).getAsDouble()).isEqualTo(5.0);
    }

    @Test
    void medianOfEvenCountIsTheMeanOfTheMiddleTwo() {
        assertThat(Samples.median(List.of(4.0, 1.0, 3.0, 100.0)).getAsDouble()).isEqualTo(3.5);
    }

    @Test
    void medianOfNothingIsEmpty() {
        assertThat(Samples.median(List.of())).isEmpty();
    }

    @Test
    void ratioIsStrandMedianOverKafkaMedian() {
        Samples samples = new Samples();
        for (double value : new double[] {100, 300, 200}) {
            samples.record(Metric.STARTUP_MS, BrokerKind.KAFKA, value);
        }
        samples.record(Metric.STARTUP_MS, BrokerKind.STRAND, 50);

        assertThat(samples.strandOverKafka(Metric.STARTUP_MS).getAsDouble()).isEqualTo(0.25);
    }

    @Test
    void noRatioWhenOneSideHasOnlyANote() {
        Samples samples = new Samples();
        samples.record(Metric.CONSUME_MB_PER_SEC, BrokerKind.KAFKA, 40);
        samples.note(Metric.CONSUME_MB_PER_SEC, BrokerKind.STRAND, LoadTools.NEEDS_CONSUMER_GROUPS);

        assertThat(samples.strandOverKafka(Metric.CONSUME_MB_PER_SEC)).isEmpty();
        assertThat(samples.note(Metric.CONSUME_MB_PER_SEC, BrokerKind.STRAND)).contains("n/a (needs consumer groups)");
    }

    @Test
    void noRatioOverAZeroKafkaMedian() {
        Samples samples = new Samples();
        samples.record(Metric.END_TO_END_P50_MS, BrokerKind.KAFKA, 0);
        samples.record(Metric.END_TO_END_P50_MS, BrokerKind.STRAND, 1);

        assertThat(samples.strandOverKafka(Metric.END_TO_END_P50_MS)).isEmpty();
    }
}
