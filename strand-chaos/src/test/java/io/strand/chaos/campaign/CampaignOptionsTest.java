package io.strand.chaos.campaign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CampaignOptionsTest {

    @Test
    void transactionsAreOnByDefaultAtATwentiethOfTheRate() {
        CampaignOptions options = CampaignOptions.parse(new String[] {"--rate", "50"});

        assertThat(options.transactions()).isEqualTo(2);
        assertThat(options.transactionRate()).isEqualTo(2);
        assertThat(CampaignOptions.parse(new String[] {"--rate", "10"}).transactionRate()).isEqualTo(1);
    }

    @Test
    void transactionsZeroLeavesTheWorkloadOutAndANegativeCountIsRefused() {
        assertThat(CampaignOptions.parse(new String[] {"--transactions", "0"}).transactions()).isZero();
        assertThatThrownBy(() -> CampaignOptions.parse(new String[] {"--transactions", "-1"}))
                .hasMessage("--transactions -1: at least 0");
    }
}
