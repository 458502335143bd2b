package io.strand.broker.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.common.sim.SimSeeds;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Replication under the deterministic simulation ({@link ReplicationSimulation}): for each seed, the
 * real controller and three brokers with real replica managers, partitions and fetchers over logs in
 * memory, an acks=all producer,
 * message loss and delay, network partitions, broker and controller crashes and restarts; every
 * invariant holds after every event and the replicas converge once healed.
 *
 * <p>{@code -Dsim.seeds=N} runs seeds 1..N (from {@code -Dsim.firstSeed}); {@code -Dsim.seed=S}
 * (or {@code -Dstrand.sim.seed=S}) replays only seed S; {@code -Dsim.logs=files} runs them over the
 * brokers' file logs. A failure names its seed.
 */
class ReplicationSimulationTest {

    /**
     * About 3,700 events a seed and, once the JIT has warmed up, 3 to 5 ms of CPU (the logs are in
     * memory, {@link SimLog}); the whole run is about 23 CPU-seconds, half of it warm-up and logging.
     */
    private static final int DEFAULT_SEEDS = 2_000;

    /** Each seed is a single-threaded run of its own; seeds run side by side, one per core. */
    @Test
    void invariantsHoldAcrossSeeds() throws InterruptedException {
        OptionalLong pinned = pinnedSeed();
        long first = pinned.isPresent() ? pinned.getAsLong() : Long.getLong("sim.firstSeed", 1L);
        int seeds = pinned.isPresent() ? 1 : Integer.getInteger("sim.seeds", DEFAULT_SEEDS);
        ReplicationSimulation.Logs logs = "files".equals(System.getProperty("sim.logs"))
                ? ReplicationSimulation.Logs.FILES : ReplicationSimulation.Logs.MEMORY;
        long startNs = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
        int acked = 0;
        long events = 0;
        try {
            List<Future<ReplicationSimulation.Stats>> runs = new ArrayList<>();
            for (long seed = first; seed < first + seeds; seed++) {
                long s = seed;
                runs.add(pool.submit(() -> runSeed(s, logs)));
            }
            for (Future<ReplicationSimulation.Stats> run : runs) {
                try {
                    ReplicationSimulation.Stats stats = run.get();
                    acked += stats.acked();
                    events += stats.eventsRun();
                } catch (ExecutionException e) {
                    throw (AssertionError) e.getCause(); // the lowest failing seed, named by runSeed
                }
            }
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(1, TimeUnit.MINUTES);
        }
        System.out.printf("Replication simulation: %d seeds from %d in %d ms, %d events (%d a seed), %d records"
                + " acknowledged%n", seeds, first, (System.nanoTime() - startNs) / 1_000_000, events, events / seeds,
                acked);
        assertThat(acked).isPositive();
    }

    @Test
    void aSeedReplaysTheSameRun() {
        ReplicationSimulation.Stats first = runSeed(42);
        ReplicationSimulation.Stats second = runSeed(42);
        ReplicationSimulation.Stats other = runSeed(43);

        assertThat(second).isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
    }

    @Test
    void runsExerciseEveryFault() {
        List<ReplicationSimulation.Stats> runs = new ArrayList<>();
        for (long seed = 1; seed <= 12; seed++) {
            runs.add(runSeed(seed));
        }
        runs.forEach(System.out::println);

        assertThat(runs).allSatisfy(s -> assertThat(s.acked()).isPositive());
        assertThat(runs.stream().mapToInt(ReplicationSimulation.Stats::produceFailures).sum()).isPositive();
        assertThat(runs.stream().mapToInt(ReplicationSimulation.Stats::brokerCrashes).sum()).isGreaterThan(runs.size());
        assertThat(runs.stream().mapToInt(ReplicationSimulation.Stats::controllerCrashes).sum()).isPositive();
        assertThat(runs.stream().mapToInt(ReplicationSimulation.Stats::netsplits).sum()).isGreaterThan(runs.size());
        assertThat(runs.stream().mapToInt(ReplicationSimulation.Stats::pauses).sum()).isPositive();
        assertThat(runs.stream().mapToInt(ReplicationSimulation.Stats::leaderEpochs).sum())
                .isGreaterThan(2 * runs.size());
        assertThat(runs.stream().mapToInt(ReplicationSimulation.Stats::truncations).sum()).isPositive();
        assertThat(runs.stream().mapToLong(ReplicationSimulation.Stats::messagesLost).sum()).isPositive();
    }

    private static ReplicationSimulation.Stats runSeed(long seed) {
        return runSeed(seed, ReplicationSimulation.Logs.MEMORY);
    }

    private static ReplicationSimulation.Stats runSeed(long seed, ReplicationSimulation.Logs logs) {
        try {
            return new ReplicationSimulation(seed, InjectedBug.NONE, logs).run();
        } catch (Throwable e) {
            String message = "Replication simulation failed: seed=" + seed + " (replay it with -Dsim.seed=" + seed
                    + "): " + e.getMessage();
            System.err.println(message);
            throw new AssertionError(message, e);
        }
    }

    private static OptionalLong pinnedSeed() {
        String value = System.getProperty("sim.seed");
        if (value != null && !value.isBlank()) {
            return OptionalLong.of(Long.parseLong(value.trim()));
        }
        return SimSeeds.pinned();
    }
}
