package io.strand.common.sim;

import java.util.OptionalLong;
import java.util.function.LongConsumer;

/**
 * Seeds for simulations run as properties: every run draws all of its randomness from one seed,
 * so a failing seed replays the same run. {@code -Dstrand.sim.seed=<seed>} makes a property run
 * only that seed; a failure names its seed and the option that reruns it. Stateless.
 */
public final class SimSeeds {

    /** The system property that pins the seed. */
    public static final String PROPERTY = "strand.sim.seed";

    private SimSeeds() {
    }

    /** The seed given with {@code -Dstrand.sim.seed}, if any. */
    public static OptionalLong pinned() {
        String value = System.getProperty(PROPERTY);
        if (value == null || value.isBlank()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(value.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Not a seed: " + PROPERTY + "=" + value, e);
        }
    }

    /**
     * Runs {@code simulation} with {@code seed}; a failure is rethrown as an {@link AssertionError}
     * that names the seed and how to rerun it, with the failure as its cause.
     */
    public static void run(String name, long seed, LongConsumer simulation) {
        try {
            simulation.accept(seed);
        } catch (Throwable e) {
            String message = "Simulation " + name + " failed: seed=" + seed + " (rerun only it with -D" + PROPERTY
                    + "=" + seed + "): " + e;
            System.err.println(message);
            throw new AssertionError(message, e);
        }
    }
}
