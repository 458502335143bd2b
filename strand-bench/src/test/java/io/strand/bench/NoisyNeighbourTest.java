package io.strand.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NoisyNeighbourTest {

    @Test
    void percentilesUseTheNearestRank() {
        double[] sorted = new double[100];
        for (int i = 0; i < sorted.length; i++) {
            sorted[i] = i + 1;
        }
        assertThat(NoisyNeighbour.percentile(sorted, 0.50)).isEqualTo(50);
        assertThat(NoisyNeighbour.percentile(sorted, 0.99)).isEqualTo(99);
        assertThat(NoisyNeighbour.percentile(new double[] {7}, 0.99)).isEqualTo(7);
        assertThat(NoisyNeighbour.percentile(new double[0], 0.99)).isNaN();
    }
}
