package io.strand.chaos.campaign;

import io.strand.chaos.Nemesis;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A kind of fault a schedule draws from: its name in reports and on the command line, and how to
 * make one with random parameters (nodes, directions) from the schedule's random. A new kind is one
 * more entry in a list such as {@link #networkAndProcess()}; the faults it makes must heal
 * completely in {@link Nemesis.Fault#stop()}. A kind whose faults cannot happen where the campaign
 * runs (neither tc netem nor the packet delayer, no disk lab) is still drawn, so that a seed names the same schedule
 * everywhere; the schedule marks its entry skipped ({@link Nemesis.Fault#unavailableBecause()}).
 */
public record FaultKind(String name, Maker maker) {

    /** Makes one fault of the kind; draws every parameter from {@code random}, resolves nodes late if it must. */
    @FunctionalInterface
    public interface Maker {
        Nemesis.Fault make(FaultContext context, Random random);
    }

    public Nemesis.Fault make(FaultContext context, Random random) {
        return maker.make(context, random);
    }

    /**
     * Today's faults in a network lab: one node isolated, a partition's leader cut from the majority,
     * one direction between two nodes dropped, a bridge, kill -9 and restart, SIGSTOP and SIGCONT.
     */
    public static List<FaultKind> networkAndProcess() {
        return List.of(
                new FaultKind("isolate", (c, r) -> c.nemesis().isolate(node(c, r))),
                new FaultKind("leader-cut", (c, r) -> {
                    int partition = r.nextInt(c.partitions());
                    return c.nemesis().isolateLeader(() -> c.leaderOf().applyAsInt(partition));
                }),
                new FaultKind("asymmetric", (c, r) -> {
                    int from = node(c, r);
                    int to = 1 + (from + r.nextInt(c.nodes() - 1)) % c.nodes();
                    return c.nemesis().asymmetric(from, to);
                }),
                new FaultKind("bridge", (c, r) -> c.nemesis().bridge(node(c, r))),
                new FaultKind("kill9", (c, r) -> c.nemesis().kill9(node(c, r))),
                new FaultKind("pause", (c, r) -> c.nemesis().pause(node(c, r))));
    }

    /** Packet loss: a percentage drawn from {@value #MIN_LOSS_PERCENT} to {@value #MAX_LOSS_PERCENT}. */
    static final int MIN_LOSS_PERCENT = 10;
    static final int MAX_LOSS_PERCENT = 40;
    /** A slow link: a rate drawn from {@value #MIN_SLOW_KBIT} to {@value #MAX_SLOW_KBIT} kbit/s. */
    static final int MIN_SLOW_KBIT = 200;
    static final int MAX_SLOW_KBIT = 2_000;
    /** Delay and reordering (netem or the packet delayer): a delay drawn from {@value #MIN_DELAY_MS} to {@value #MAX_DELAY_MS} ms. */
    static final int MIN_DELAY_MS = 50;
    static final int MAX_DELAY_MS = 500;

    /**
     * Every kind: {@link #networkAndProcess()}, then a full disk and a failing disk (each node's data
     * directory on a {@code DiskLab}), packet loss between one node and the others, one node's slow
     * outgoing link, and delay and reordering of one node's packets (tc netem, or the packet delayer).
     */
    public static List<FaultKind> all() {
        List<FaultKind> kinds = new ArrayList<>(networkAndProcess());
        kinds.add(new FaultKind("disk-full", (c, r) -> c.nemesis().diskFull(node(c, r))));
        kinds.add(new FaultKind("disk-errors", (c, r) -> c.nemesis().diskErrors(node(c, r))));
        kinds.add(new FaultKind("loss", (c, r) -> c.nemesis().lossy(node(c, r),
                between(r, MIN_LOSS_PERCENT, MAX_LOSS_PERCENT))));
        kinds.add(new FaultKind("slow-link", (c, r) -> c.nemesis().slowLink(node(c, r),
                between(r, MIN_SLOW_KBIT, MAX_SLOW_KBIT))));
        kinds.add(new FaultKind("delay", (c, r) -> c.nemesis().delay(node(c, r),
                between(r, MIN_DELAY_MS, MAX_DELAY_MS))));
        kinds.add(new FaultKind("reorder", (c, r) -> c.nemesis().reorder(node(c, r),
                between(r, MIN_DELAY_MS, MAX_DELAY_MS))));
        return List.copyOf(kinds);
    }

    /** A number from {@code min} to {@code max}, both included. */
    private static int between(Random random, int min, int max) {
        return min + random.nextInt(max - min + 1);
    }

    private static int node(FaultContext context, Random random) {
        return 1 + random.nextInt(context.nodes());
    }
}
