package io.strand.metadata.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The simulation's checks have teeth: with a bug planted in the model around the controller, some
 * of the first seeds fail, each with the invariant that the bug breaks.
 */
class ControllerSimulationCatchesBugsTest {

    private static final int SEEDS = 20;

    @ParameterizedTest
    @EnumSource(value = InjectedBug.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
    void aPlantedBugFailsSomeSeed(InjectedBug bug) {
        List<String> failures = new ArrayList<>();
        for (long seed = 1; seed <= SEEDS; seed++) {
            try {
                new ControllerSimulation(seed, bug).run();
            } catch (AssertionError e) {
                failures.add("seed=" + seed + ": " + e.getMessage().lines().findFirst().orElse(""));
            }
        }
        System.out.println(bug + " failed " + failures.size() + " of " + SEEDS + " seeds:\n  "
                + String.join("\n  ", failures));
        assertThat(failures).as("seeds failing with %s", bug).isNotEmpty();
    }
}
