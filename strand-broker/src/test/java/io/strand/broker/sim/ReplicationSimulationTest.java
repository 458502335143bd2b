package io.strand.broker.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.common.sim.SimSeeds;
import org.junit.jupiter.api.Test;

class ReplicationSimulationTest {

    @Test
    void manySeeds() {
        int seeds = Integer.getInteger("sim.seeds", 200);
        long start = System.nanoTime();
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpu0 = 0;
        long events = 0;
        int acked = 0;
        for (long seed = 1; seed <= seeds; seed++) {
            long s0 = seed;
            int[] a = new int[1];
            if (seed == 11) {
                cpu0 = mx.getCurrentThreadCpuTime();
            }
            long[] ev = new long[1];
            SimSeeds.run("replication", seed, s -> {
                ReplicationSimulation.Stats st = new ReplicationSimulation(s0, InjectedBug.NONE).run();
                a[0] = st.acked();
                ev[0] = st.eventsRun();
            });
            if (seed > 10) {
                events += ev[0];
            }
            acked += a[0];
        }
        System.err.println("SEEDS " + seeds + " in " + (System.nanoTime() - start) / 1_000_000 + " ms, acked " + acked + " cpu/seed after 10: "
                + (mx.getCurrentThreadCpuTime() - cpu0) / 1_000_000 / (seeds - 10) + " ms, events/seed " + events / (seeds - 10));
    }
}
