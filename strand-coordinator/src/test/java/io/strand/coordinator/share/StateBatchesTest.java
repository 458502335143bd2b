package io.strand.coordinator.share;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class StateBatchesTest {

    @Test
    void newerBatchesWinOverTheOffsetsTheyCoverAndNeighboursOfOneStateMerge() {
        List<StateBatch> current = List.of(batch(10, 19, StateBatch.AVAILABLE, 1));

        List<StateBatch> combined = StateBatches.combine(current, List.of(batch(12, 13, StateBatch.ACKNOWLEDGED, 1),
                batch(14, 15, StateBatch.AVAILABLE, 1)), -1);

        assertThat(combined).containsExactly(batch(10, 11, StateBatch.AVAILABLE, 1),
                batch(12, 13, StateBatch.ACKNOWLEDGED, 1), batch(14, 19, StateBatch.AVAILABLE, 1));
    }

    @Test
    void offsetsBelowTheStartOffsetAreDropped() {
        List<StateBatch> combined = StateBatches.combine(List.of(batch(10, 14, StateBatch.ACKNOWLEDGED, 1),
                batch(15, 16, StateBatch.AVAILABLE, 2)), List.of(batch(17, 17, StateBatch.ARCHIVED, 5)), 12);

        assertThat(combined).containsExactly(batch(12, 14, StateBatch.ACKNOWLEDGED, 1),
                batch(15, 16, StateBatch.AVAILABLE, 2), batch(17, 17, StateBatch.ARCHIVED, 5));
    }

    @Test
    void aBatchCoveringSeveralReplacesThemAndCutsThoseAtItsEdges() {
        List<StateBatch> combined = StateBatches.combine(List.of(batch(0, 3, StateBatch.AVAILABLE, 1),
                batch(4, 5, StateBatch.ARCHIVED, 1), batch(6, 9, StateBatch.AVAILABLE, 2)),
                List.of(batch(2, 7, StateBatch.ACKNOWLEDGED, 3)), 0);

        assertThat(combined).containsExactly(batch(0, 1, StateBatch.AVAILABLE, 1),
                batch(2, 7, StateBatch.ACKNOWLEDGED, 3), batch(8, 9, StateBatch.AVAILABLE, 2));
    }

    private static StateBatch batch(long first, long last, byte state, int count) {
        return new StateBatch(first, last, state, (short) count);
    }
}
