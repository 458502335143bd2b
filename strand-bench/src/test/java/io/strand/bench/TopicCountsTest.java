package io.strand.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class TopicCountsTest {

    private static TopicCounts counts(long requested, OptionalLong sent, OptionalLong read) {
        return new TopicCounts(2, BrokerKind.STRAND, "bench-1kib", requested, sent, read);
    }

    @Test
    void everyRecordRequestedSentAndReadBackIsNoProblem() {
        assertThat(counts(500_000, OptionalLong.of(500_000), OptionalLong.of(500_000)).problem()).isEmpty();
    }

    @Test
    void fewerSentThanRequestedIsAProblem() {
        assertThat(counts(500_000, OptionalLong.of(499_968), OptionalLong.of(499_968)).problem())
                .contains("round 2, Strand, bench-1kib: ProducerPerformance sent 499,968 of the 500,000 records requested");
    }

    @Test
    void fewerReadBackThanSentIsAProblem() {
        assertThat(counts(500_000, OptionalLong.of(500_000), OptionalLong.of(499_000)).problem())
                .contains("round 2, Strand, bench-1kib: 500,000 records sent but 499,000 read back");
    }

    @Test
    void moreReadBackThanSentIsAProblem() {
        assertThat(counts(500_000, OptionalLong.of(500_000), OptionalLong.of(500_016)).problem())
                .contains("round 2, Strand, bench-1kib: 500,000 records sent but 500,016 read back");
    }

    @Test
    void aConsumerWithoutResultOrAProducerWithoutCountIsAProblem() {
        assertThat(counts(500_000, OptionalLong.of(500_000), OptionalLong.empty()).problem()).get()
                .asString().contains("none counted back");
        assertThat(counts(500_000, OptionalLong.empty(), OptionalLong.empty()).problem()).get()
                .asString().contains("the producer reported no count");
    }

    @Test
    void samplesListCountProblemsBeforeWarnings() {
        Samples samples = new Samples();
        samples.warn("archive not mapped");
        samples.counts(counts(500_000, OptionalLong.of(500_000), OptionalLong.of(500_000)));
        samples.counts(counts(500_000, OptionalLong.of(500_000), OptionalLong.of(1)));

        assertThat(samples.problems()).containsExactly("round 2, Strand, bench-1kib: 500,000 records sent but 1 read back",
                "archive not mapped");
    }
}
