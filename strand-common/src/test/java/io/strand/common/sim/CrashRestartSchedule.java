package io.strand.common.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * Crashes and restarts simulated processes at random: every {@code checkIntervalMs}, with
 * probability {@code crashProbability}, one process that is up (chosen at random) crashes, as long
 * as fewer than {@code maxDown} are down; each crashed process restarts after a down time drawn
 * from [{@code minDownMs}, {@code maxDownMs}]. {@link #stop()} ends the crashes; processes already
 * down still restart on schedule.
 *
 * <p>Not thread-safe: runs on the simulation's event loop.
 */
public final class CrashRestartSchedule {

    private final EventScheduler scheduler;
    private final Random random;
    private final List<? extends Restartable> processes;
    private final int maxDown;
    private final double crashProbability;
    private final long minDownMs;
    private final long maxDownMs;
    private boolean running;
    private int crashes;

    public CrashRestartSchedule(EventScheduler scheduler, Random random, List<? extends Restartable> processes,
                                int maxDown, double crashProbability, long minDownMs, long maxDownMs) {
        this.scheduler = Objects.requireNonNull(scheduler);
        this.random = Objects.requireNonNull(random);
        this.processes = List.copyOf(processes);
        this.maxDown = maxDown;
        this.crashProbability = crashProbability;
        this.minDownMs = minDownMs;
        this.maxDownMs = maxDownMs;
    }

    public void start(long checkIntervalMs) {
        running = true;
        scheduler.schedulePeriodic(checkIntervalMs, checkIntervalMs, () -> {
            if (running) {
                maybeCrashOne();
            }
            return running;
        });
    }

    public void stop() {
        running = false;
    }

    public int crashes() {
        return crashes;
    }

    private void maybeCrashOne() {
        if (random.nextDouble() >= crashProbability) {
            return;
        }
        List<Restartable> up = new ArrayList<>();
        for (Restartable p : processes) {
            if (p.isUp()) {
                up.add(p);
            }
        }
        if (processes.size() - up.size() >= maxDown || up.isEmpty()) {
            return;
        }
        Restartable victim = up.get(random.nextInt(up.size()));
        victim.crash();
        crashes++;
        long downMs = minDownMs + (long) (random.nextDouble() * (maxDownMs - minDownMs + 1));
        scheduler.schedule(downMs, () -> {
            if (!victim.isUp()) {
                victim.restart();
            }
        });
    }
}
