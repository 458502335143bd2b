package io.strand.broker.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The simulation is worth its invariants: each injected replication bug is found within a few seeds. */
class ReplicationSimulationCatchesBugsTest {

    private static final int MAX_SEEDS = 30;

    @ParameterizedTest
    @EnumSource(value = InjectedBug.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
    void findsTheInjectedBug(InjectedBug bug) {
        String found = null;
        for (long seed = 1; seed <= MAX_SEEDS && found == null; seed++) {
            try {
                new ReplicationSimulation(seed, bug).run();
            } catch (AssertionError e) {
                found = "seed " + seed + ": " + e.getMessage();
            }
        }
        System.out.println(bug + " found at " + found);
        assertThat(found).as("a seed within " + MAX_SEEDS + " that finds " + bug).isNotNull();
    }
}
