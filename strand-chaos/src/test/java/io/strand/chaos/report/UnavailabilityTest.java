package io.strand.chaos.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UnavailabilityTest {

    private static final long[] ACKS = {100, 200, 300, 1300, 1400, 3000};

    @Test
    void theLongestStretchStartsInsideTheWindowAndRecoveryRunsFromItsEnd() {
        // window 250..1350: stretches 250->300 (50), 300->1300 (1000), 1300->1400 (100)
        Unavailability u = Unavailability.of(ACKS, new FaultWindow("isolate", "isolate node 1", 250, 1350), 5000);

        assertThat(u).isEqualTo(new Unavailability(1000, 50));
    }

    @Test
    void aStretchThatBeganBeforeTheWindowCountsFromTheWindowsStart() {
        Unavailability u = Unavailability.of(ACKS, new FaultWindow("kill9", "kill -9 node 2", 1000, 1100), 5000);

        assertThat(u).isEqualTo(new Unavailability(300, 200));
    }

    @Test
    void noAcknowledgementAfterTheWindowIsNoRecoveryAndTheStretchRunsToTheEnd() {
        Unavailability u = Unavailability.of(ACKS, new FaultWindow("pause", "SIGSTOP node 3", 3500, 4000), 5000);

        assertThat(u).isEqualTo(new Unavailability(1500, -1));
    }
}
