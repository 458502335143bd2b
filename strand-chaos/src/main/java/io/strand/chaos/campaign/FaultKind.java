package io.strand.chaos.campaign;

import io.strand.chaos.Nemesis;
import java.util.List;
import java.util.Random;

/**
 * A kind of fault a schedule draws from: its name in reports and on the command line, and how to
 * make one with random parameters (nodes, directions) from the schedule's random. A new kind is one
 * more entry in a list such as {@link #networkAndProcess()}; the faults it makes must heal
 * completely in {@link Nemesis.Fault#stop()}.
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

    private static int node(FaultContext context, Random random) {
        return 1 + random.nextInt(context.nodes());
    }
}
