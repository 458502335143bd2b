package io.strand.chaos.campaign;

import io.strand.chaos.Nemesis;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A seeded schedule of faults: a quiet stretch, then a fault held for a while, then the next. Every
 * kind comes once, in an order shuffled from the seed, before kinds are drawn at random (or, in
 * {@link #rounds}, every kind comes once per round); nodes,
 * directions, quiet stretches and lengths are drawn from the same seed, so a seed names the same
 * schedule every time (not the interleaving with the clients, nor how long a restart takes).
 */
public final class Schedule {

    /**
     * One fault of the schedule: what, after how long a quiet stretch, held how long.
     *
     * @param skippedBecause why the fault cannot happen here (the run skips it and reports it skipped), or null
     */
    public record Entry(String kind, Nemesis.Fault fault, long quietBeforeMs, long holdMs, String skippedBecause) {

        public boolean skipped() {
            return skippedBecause != null;
        }
    }

    static final long MIN_QUIET_MS = 2_000;
    static final long MAX_QUIET_MS = 5_000;
    static final long MIN_HOLD_MS = 3_000;
    static final long MAX_HOLD_MS = 8_000;

    private Schedule() {
    }

    /**
     * {@code count} entries drawn from {@code kinds} (every kind once first, if {@code count} allows)
     * with {@code seed}'s random. An entry whose fault cannot happen here is kept, marked skipped
     * (after the nemesis logs why), so that the seed names the same draws wherever it runs.
     */
    public static List<Entry> build(long seed, List<FaultKind> kinds, FaultContext context, int count) {
        return build(seed, kinds, context, count, MAX_QUIET_MS, MAX_HOLD_MS);
    }

    /**
     * As {@link #build(long, List, FaultContext, int)}, with quiet stretches of at most {@code maxQuietMs}
     * and faults held at most {@code maxHoldMs} (each at least its minimum, {@value #MIN_QUIET_MS} and
     * {@value #MIN_HOLD_MS} ms): a short schedule for a test.
     */
    public static List<Entry> build(long seed, List<FaultKind> kinds, FaultContext context, int count,
                                    long maxQuietMs, long maxHoldMs) {
        checkBounds(kinds, maxQuietMs, maxHoldMs);
        Random random = new Random(seed);
        List<FaultKind> order = new ArrayList<>(kinds);
        Collections.shuffle(order, random);
        while (order.size() < count) {
            order.add(kinds.get(random.nextInt(kinds.size())));
        }
        return entries(random, order.subList(0, count), context, maxQuietMs, maxHoldMs);
    }

    /**
     * Every kind exactly {@code rounds} times: round after round, each in an order shuffled from the seed.
     * One round is the schedule {@link #build(long, List, FaultContext, int, long, long)} draws for
     * {@code count = kinds.size()}, so a seed replays alike under either.
     */
    public static List<Entry> rounds(long seed, List<FaultKind> kinds, FaultContext context, int rounds,
                                     long maxQuietMs, long maxHoldMs) {
        checkBounds(kinds, maxQuietMs, maxHoldMs);
        if (rounds < 1) {
            throw new IllegalArgumentException("rounds " + rounds + ": at least 1");
        }
        Random random = new Random(seed);
        List<FaultKind> order = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            List<FaultKind> round = new ArrayList<>(kinds);
            Collections.shuffle(round, random);
            order.addAll(round);
        }
        return entries(random, order, context, maxQuietMs, maxHoldMs);
    }

    private static void checkBounds(List<FaultKind> kinds, long maxQuietMs, long maxHoldMs) {
        if (maxQuietMs < MIN_QUIET_MS || maxHoldMs < MIN_HOLD_MS) {
            throw new IllegalArgumentException("maxQuietMs " + maxQuietMs + " (at least " + MIN_QUIET_MS
                    + ") or maxHoldMs " + maxHoldMs + " (at least " + MIN_HOLD_MS + ") out of range");
        }
        if (kinds.isEmpty()) {
            throw new IllegalArgumentException("a schedule needs at least one fault kind");
        }
    }

    /** Draws each entry's quiet stretch, hold and fault, in {@code order}, from {@code random}. */
    private static List<Entry> entries(Random random, List<FaultKind> order, FaultContext context, long maxQuietMs,
                                       long maxHoldMs) {
        List<Entry> entries = new ArrayList<>();
        for (FaultKind kind : order) {
            long quietMs = MIN_QUIET_MS + (long) (random.nextDouble() * (maxQuietMs - MIN_QUIET_MS));
            long holdMs = MIN_HOLD_MS + (long) (random.nextDouble() * (maxHoldMs - MIN_HOLD_MS));
            Nemesis.Fault fault = kind.make(context, random);
            String skippedBecause = context.nemesis().available(fault) ? null : fault.unavailableBecause();
            entries.add(new Entry(kind.name(), fault, quietMs, holdMs, skippedBecause));
        }
        return entries;
    }

    /** How many entries can fit in {@code durationMs} at the most (each at least a quiet stretch and a hold). */
    static int maxEntries(long durationMs) {
        return (int) Math.max(1, durationMs / (MIN_QUIET_MS + MIN_HOLD_MS) + 1);
    }
}
