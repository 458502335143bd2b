package io.strand.broker.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.common.sim.SimSeeds;
import org.junit.jupiter.api.Test;

class ReplicationSimulationTest {

    @Test
    void oneRun() {
        long seed = Long.getLong("sim.seed", 1L);
        SimSeeds.run("replication", seed, s -> {
            ReplicationSimulation.Stats stats = new ReplicationSimulation(s, InjectedBug.NONE).run();
            System.out.println(stats);
            assertThat(stats.acked()).isPositive();
        });
    }
}
