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
 * kill -9 and restart, SIGSTOP and SIGCONT. Each fault is a {@link Fault} object that is started
 * and stopped once; both are logged with a timestamp to {@link #history()} and standard output.
 *
 * <p>Network faults do not stack: stopping one heals every cut. Not thread-safe: one thread (the
 * test's schedule) drives it.
 */
public final class Nemesis {

    /** One fault: {@link #start()} injects it, {@link #stop()} undoes it (heals, restarts, resumes). */
    public interface Fault {
        /** What the fault does, resolved once started (a leader is named only once it is known). */
        String describe();

        void start();

        void stop();
    }

    private final NetworkLab lab;
    private final ChaosCluster cluster;
    private final List<String> history = Collections.synchronizedList(new ArrayList<>());

    public Nemesis(NetworkLab lab, ChaosCluster cluster) {
        this.lab = lab;
        this.cluster = cluster;
    }

    /** Every start and stop so far, one line each with its time. */
    public List<String> history() {
        return List.copyOf(history);
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
}
