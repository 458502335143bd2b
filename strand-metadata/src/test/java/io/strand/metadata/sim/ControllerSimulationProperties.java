package io.strand.metadata.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.common.sim.SimSeeds;
import net.jqwik.api.AfterFailureMode;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;

/**
 * The controller under the deterministic simulation ({@link ControllerSimulation}): for each seed,
 * a cluster of 3 or 5 controller nodes with message loss, delay and reordering, crashes and
 * restarts, snapshots and leader changes, and clients creating, deleting and growing topics,
 * altering configs and registering brokers; every invariant holds after every event, and the
 * cluster converges once healed.
 *
 * <p>Rerun one seed with {@code -Dstrand.sim.seed=<seed>}; a failure names its seed.
 */
class ControllerSimulationProperties {

    @Provide
    Arbitrary<Long> seeds() {
        return SimSeeds.pinned().isPresent() ? Arbitraries.just(SimSeeds.pinned().getAsLong()) : Arbitraries.longs();
    }

    @Property(tries = 100, shrinking = ShrinkingMode.OFF, afterFailure = AfterFailureMode.RANDOM_SEED)
    void invariantsHoldUnderLossDelayCrashesAndLeaderChanges(@ForAll("seeds") long seed) {
        SimSeeds.run("controller", seed, s -> {
            ControllerSimulation.Stats stats = new ControllerSimulation(s, InjectedBug.NONE).run();
            assertThat(stats.acks()).as("acknowledged operations").isPositive();
        });
    }
}
