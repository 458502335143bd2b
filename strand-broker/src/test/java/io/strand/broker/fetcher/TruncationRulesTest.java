package io.strand.broker.fetcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.fetcher.TruncationRules.Reset;
import io.strand.broker.fetcher.TruncationRules.ResetAction;
import io.strand.storage.checkpoint.EpochEndOffset;
import org.junit.jupiter.api.Test;

class TruncationRulesTest {

    @Test
    void sameEpochOnBothSidesCutsAtTheSmallerEnd() {
        assertThat(TruncationRules.onDivergingEpoch(3, 10, new EpochEndOffset(3, 14), 20)).isEqualTo(10);
        assertThat(TruncationRules.onDivergingEpoch(3, 10, new EpochEndOffset(3, 8), 20)).isEqualTo(8);
    }

    @Test
    void anOlderFollowerEpochCutsAtItsOwnEnd() {
        assertThat(TruncationRules.onDivergingEpoch(3, 10, new EpochEndOffset(2, 12), 20)).isEqualTo(12);
    }

    @Test
    void noFollowerEpochCutsAtTheLeadersEnd() {
        assertThat(TruncationRules.onDivergingEpoch(3, 10, EpochEndOffset.UNDEFINED, 20)).isEqualTo(10);
    }

    @Test
    void neverAboveTheFollowersLogEnd() {
        assertThat(TruncationRules.onDivergingEpoch(3, 30, new EpochEndOffset(3, 40), 20)).isEqualTo(20);
    }

    @Test
    void outOfRangeComparesWithTheLeadersEndFirstThenItsStart() {
        assertThat(TruncationRules.onOutOfRange(20, 0, 15)).isEqualTo(new Reset(ResetAction.TRUNCATE_TO, 15));
        assertThat(TruncationRules.onOutOfRange(5, 10, 15)).isEqualTo(new Reset(ResetAction.START_AT, 10));
        assertThat(TruncationRules.onOutOfRange(12, 10, 15)).isEqualTo(new Reset(ResetAction.KEEP, 12));
    }
}
