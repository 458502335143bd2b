package io.strand.chaos;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntSupplier;

/**
 * The faults a test injects into a {@link ChaosCluster} whose nodes run in a {@link NetworkLab}:
 * network partitions of several shapes (cuts between nodes; clients keep reaching every node),
 * packet loss, slow links, delay and reordering (tc netem, or a packet delayer where the kernel has no
 * netem; see {@link NetworkLab}), kill -9 and restart,
 * SIGSTOP and SIGCONT, and, when the nodes' data directories are on a {@link DiskLab}, a full disk and
 * a disk that fails with I/O errors. Each fault is a {@link Fault} object that is started and stopped
 * once; both are logged with a timestamp to {@link #history()} and standard output.
 *
 * <p>Network faults do not stack: stopping one heals every cut, loss and shaping. Not thread-safe: one
 * thread (the test's schedule) drives it.
 */
public final class Nemesis {

    /** One fault: {@link #start()} injects it, {@link #stop()} undoes it (heals, restarts, resumes). */
    public interface Fault {
        /** What the fault does, resolved once started (a leader is named only once it is known). */
        String describe();

        /**
         * Why this fault cannot happen here (for the schedule to print and skip it), or null when it can;
         * {@link #start()} of an unavailable fault throws {@link IllegalStateException}.
         */
        default String unavailableBecause() {
            return null;
        }

        void start();

        void stop();
    }

    private final NetworkLab lab;
    private final ChaosCluster cluster;
    private final DiskLab disks;
    private final List<String> history = Collections.synchronizedList(new ArrayList<>());

    /** A nemesis without disk faults. */
    public Nemesis(NetworkLab lab, ChaosCluster cluster) {
        this(lab, cluster, null);
    }

    /** {@code disks}: where the nodes' data directories are ({@link DiskLab#dataDir(int)}), or null for none. */
    public Nemesis(NetworkLab lab, ChaosCluster cluster, DiskLab disks) {
        this.lab = lab;
        this.cluster = cluster;
        this.disks = disks;
    }

    /** Every start and stop so far, one line each with its time. */
    public List<String> history() {
        return List.copyOf(history);
    }

    /**
     * Whether {@code fault} can happen here; when it cannot, logs that it is skipped and why, for a
     * schedule that leaves it out.
     */
    public boolean available(Fault fault) {
        String unavailable = fault.unavailableBecause();
        if (unavailable != null) {
            log("skip: " + fault.describe() + " (" + unavailable + ")");
        }
        return unavailable == null;
    }

    private void log(String event) {
        String line = Instant.now() + " nemesis " + event;
        history.add(line);
        System.out.println(line);
    }

    /** Node {@code node} cut from every other node, both ways. */
    public Fault isolate(int node) {
        return partition("isolate node", () -> node);
    }

    /**
     * The node {@code leader} names when the fault starts (a partition's current leader) cut from
     * the others, both ways: with three nodes, from the majority.
     */
    public Fault isolateLeader(IntSupplier leader) {
        return partition("cut the leader from the majority: node", leader);
    }

    private Fault partition(String name, IntSupplier chosen) {
        return new NetworkFault(name) {
            @Override
            void cut() {
                int node = chosen.getAsInt();
                describe = name + " " + node;
                cutOff(Set.of(node));
            }
        };
    }

    /** The nodes in {@code minority} cut from the rest, both ways; each side keeps its own links. */
    public Fault split(Set<Integer> minority) {
        return new NetworkFault("split " + new TreeSet<>(minority) + " from the rest") {
            @Override
            void cut() {
                cutOff(minority);
            }
        };
    }

    /**
     * A bridge: the nodes other than {@code bridge} are split in two halves that cannot reach each
     * other, and {@code bridge} reaches both.
     */
    public Fault bridge(int bridge) {
        return new NetworkFault("bridge through node " + bridge) {
            @Override
            void cut() {
                List<Integer> others = new ArrayList<>();
                for (int node = 1; node <= lab.nodes(); node++) {
                    if (node != bridge) {
                        others.add(node);
                    }
                }
                List<Integer> left = others.subList(0, others.size() / 2);
                List<Integer> right = others.subList(others.size() / 2, others.size());
                for (int a : left) {
                    for (int b : right) {
                        lab.drop(a, b);
                        lab.drop(b, a);
                    }
                }
            }
        };
    }

    /** What node {@code from} sends node {@code to} is dropped; the other direction still flows. */
    public Fault asymmetric(int from, int to) {
        return new NetworkFault("drop what node " + from + " sends node " + to) {
            @Override
            void cut() {
                lab.drop(from, to);
            }
        };
    }

    /**
     * {@code percent}% of the packets node {@code from} sends node {@code to} dropped, at random; the
     * other direction still flows.
     */
    public Fault loss(int from, int to, int percent) {
        return new NetworkFault("drop " + percent + "% of what node " + from + " sends node " + to) {
            @Override
            void cut() {
                lab.loss(from, to, percent);
            }
        };
    }

    /** {@code percent}% of the packets between node {@code node} and every other node dropped, both ways. */
    public Fault lossy(int node, int percent) {
        return new NetworkFault("drop " + percent + "% of the packets between node " + node + " and the others") {
            @Override
            void cut() {
                for (int other = 1; other <= lab.nodes(); other++) {
                    if (other != node) {
                        lab.loss(node, other, percent);
                        lab.loss(other, node, percent);
                    }
                }
            }
        };
    }

    /** Node {@code node} sends at most {@code kbitPerSecond}, queueing the rest: under load its packets wait (tbf). */
    public Fault slowLink(int node, int kbitPerSecond) {
        return new NetworkFault("node " + node + " sends at " + kbitPerSecond + " kbit/s") {
            @Override
            void cut() {
                lab.slow(node, kbitPerSecond);
            }
        };
    }

    /**
     * Node {@code node}'s packets {@code millis} ms late, give or take a quarter ({@link NetworkLab#delay}:
     * what it sends with tc netem, what it receives with a packet delayer; unavailable without either).
     * The delayer's random draws are seeded from the fault's parameters, which a schedule draws from its
     * seed, so that a seed names the same delays.
     */
    public Fault delay(int node, int millis) {
        return new NetworkFault("delay node " + node + "'s packets by " + millis + " ms") {
            @Override
            void cut() {
                describe = "delay " + lab.delayedTraffic(node) + " by " + millis + " ms";
                lab.delay(node, millis, millis / 4, seed("delay", node, millis));
            }

            @Override
            public String unavailableBecause() {
                return lab.delayUnavailableBecause();
            }
        };
    }

    /**
     * A quarter of node {@code node}'s packets overtake the rest, which wait {@code millis} ms
     * ({@link NetworkLab#reorder}; seeded as {@link #delay(int, int)} is; unavailable without netem or a delayer).
     */
    public Fault reorder(int node, int millis) {
        return new NetworkFault("reorder node " + node + "'s packets (" + millis + " ms)") {
            @Override
            void cut() {
                describe = "reorder " + lab.delayedTraffic(node) + " (" + millis + " ms)";
                lab.reorder(node, 25, millis, seed("reorder", node, millis));
            }

            @Override
            public String unavailableBecause() {
                return lab.delayUnavailableBecause();
            }
        };
    }

    /** A packet delayer's seed, a function of the fault's kind and parameters alone. */
    private static long seed(String kind, int node, int millis) {
        return ((long) kind.hashCode() << 32) ^ ((long) node << 20) ^ millis;
    }

    /**
     * Node {@code node}'s filesystem full: every write that needs a block fails with ENOSPC. Stopping the
     * fault frees the space and restarts the node if it exited meanwhile. Unavailable without a {@link DiskLab}.
     */
    public Fault diskFull(int node) {
        return new DiskFault("fill the disk of node " + node) {
            @Override
            void inject() {
                disks.fill(node);
            }

            @Override
            void undo() {
                disks.unfill(node);
                if (!cluster.isAlive(node)) {
                    cluster.restart(node);
                }
            }
        };
    }

    /**
     * Node {@code node}'s filesystem failing: every operation on it returns EIO (ext4's shutdown). Stopping
     * the fault kills the node if it still runs, mounts the filesystem again (the journal is replayed) and
     * restarts the node. Unavailable without a {@link DiskLab}.
     */
    public Fault diskErrors(int node) {
        return new DiskFault("I/O errors on the disk of node " + node) {
            @Override
            void inject() {
                disks.shutDown(node);
            }

            @Override
            void undo() {
                if (cluster.isAlive(node)) {
                    cluster.kill9(node);
                }
                disks.remount(node);
                cluster.restart(node);
            }
        };
    }

    /** kill -9 of node {@code node}; stopping the fault restarts it on its data and waits until it serves. */
    public Fault kill9(int node) {
        return new ProcessFault("kill -9 node " + node) {
            @Override
            public void inject() {
                cluster.kill9(node);
            }

            @Override
            public void undo() {
                cluster.restart(node);
            }
        };
    }

    /** SIGSTOP of node {@code node}; stopping the fault sends SIGCONT. */
    public Fault pause(int node) {
        return new ProcessFault("SIGSTOP node " + node) {
            @Override
            public void inject() {
                cluster.pause(node);
            }

            @Override
            public void undo() {
                cluster.resume(node);
            }
        };
    }

    private void cutOff(Set<Integer> minority) {
        for (int a : minority) {
            for (int b = 1; b <= lab.nodes(); b++) {
                if (!minority.contains(b)) {
                    lab.drop(a, b);
                    lab.drop(b, a);
                }
            }
        }
    }

    /** A fault made of cuts; stopping it heals every cut. */
    private abstract class NetworkFault implements Fault {
        String describe;
        private boolean started;

        NetworkFault(String describe) {
            this.describe = describe;
        }

        abstract void cut();

        @Override
        public String describe() {
            return describe;
        }

        @Override
        public void start() {
            if (started) {
                throw new IllegalStateException(describe + " was started already");
            }
            String unavailable = unavailableBecause();
            if (unavailable != null) {
                throw new IllegalStateException(describe + " cannot happen here: " + unavailable);
            }
            started = true;
            cut();
            log("start: " + describe);
        }

        @Override
        public void stop() {
            lab.healAll();
            log("stop: " + describe + " (healed)");
        }
    }

    /** A fault done to a node's process. */
    private abstract class ProcessFault implements Fault {
        private final String describe;

        ProcessFault(String describe) {
            this.describe = describe;
        }

        abstract void inject();

        abstract void undo();

        @Override
        public String describe() {
            return describe;
        }

        @Override
        public void start() {
            inject();
            log("start: " + describe);
        }

        @Override
        public void stop() {
            undo();
            log("stop: " + describe);
        }
    }

    /** A fault done to a node's filesystem; unavailable without a {@link DiskLab}. */
    private abstract class DiskFault extends ProcessFault {
        DiskFault(String describe) {
            super(describe);
        }

        @Override
        public String unavailableBecause() {
            return disks == null ? "the nodes' data directories are not on a disk lab" : null;
        }

        @Override
        public void start() {
            String unavailable = unavailableBecause();
            if (unavailable != null) {
                throw new IllegalStateException(describe() + " cannot happen here: " + unavailable);
            }
            super.start();
        }
    }
}
