package io.strand.server;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code strand cluster}: a local cluster of combined nodes, each a separate process (see
 * {@link ClusterLayout} for ports and files). Writes every node's {@code server.properties}, starts
 * the nodes together (a quorum elects a leader only once a majority runs), waits until each says it
 * serves, prints the bootstrap servers and where the logs are, then runs until SIGTERM or Ctrl-C,
 * which stop every node cleanly. A node that exits on its own is reported with its exit code; the
 * command exits once no node is left. Exit codes: 0 after a stop, 1 if every node died, 2 for bad
 * options or a port in use.
 *
 * <p>Threads: the command's thread starts and watches the nodes; the shutdown hook stops them. A
 * SIGKILL of this process leaves the nodes running (each can be stopped with SIGTERM, pids printed).
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = {"Run a local cluster of combined broker+controller nodes, each its own process.",
                "Node i serves clients on base-port+2(i-1), its quorum one port above;",
                "its server.properties, data and logs are in DATA_DIR/node-i. Ctrl-C stops all."},
        footer = {"", "Examples:",
                "  strand cluster                   nodes 1-3 on localhost:9092,9094,9096",
                "  strand cluster --nodes 5 --base-port 19092 --data-dir /tmp/strand"})
final class ClusterCommand implements Callable<Integer> {

    private static final long START_TIMEOUT_MS = 120_000;
    private static final long STOP_TIMEOUT_MS = 30_000;
    private static final long POLL_MS = 100;
    /** The metadata log's directory in a node's log dir (the broker's ControllerComponent names it). */
    private static final String METADATA_LOG_DIR_NAME = "__cluster_metadata";

    @Option(names = "--nodes", paramLabel = "N", defaultValue = "3",
            description = "Nodes to run: 1, 3 or 5 (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--base-port", paramLabel = "PORT", defaultValue = "9092",
            description = "Client port of node 1 (default: ${DEFAULT-VALUE}).")
    int basePort;

    /**
     * Not {@code ./data} itself: that is the log directory of {@code ./strand}'s single node, which
     * would take a directory named {@code node-1} for partition 1 of a topic "node".
     */
    @Option(names = "--data-dir", paramLabel = "DATA_DIR", defaultValue = "./data/cluster",
            description = "Where node-1, node-2, ... keep configuration, data and logs (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    private final PrintStream out = System.out;
    private final List<ClusterNodeProcess> running = new ArrayList<>();
    private final AtomicBoolean stopping = new AtomicBoolean();

    @Override
    public Integer call() throws Exception {
        ClusterLayout layout;
        try {
            layout = new ClusterLayout(nodes, basePort, "localhost", dataDir);
            checkNotANodesLogDir(layout);
            checkPortsFree(layout);
        } catch (IllegalArgumentException e) {
            System.err.println("strand cluster: " + e.getMessage());
            return 2;
        }
        List<String> jvmOptions = ManagementFactory.getRuntimeMXBean().getInputArguments();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopAll();
            stopped.countDown();
        }, "strand-cluster-shutdown"));
        out.printf("Starting a %d-node Strand cluster, data in %s%n", nodes, layout.dataDir());
        synchronized (running) {
            for (ClusterLayout.Node node : layout.nodeList()) {
                layout.writeConfig(node);
                List<String> command = NodeProcessCommand.of(node.configFile(), System.getProperty("java.home"),
                        jvmOptions, System.getProperty("java.class.path"));
                ClusterNodeProcess process = ClusterNodeProcess.start(node, command);
                running.add(process);
                out.printf("  node %d: pid %d, clients %s:%d, quorum %s:%d, config %s%n", node.nodeId(), process.pid(),
                        layout.host(), node.clientPort(), layout.host(), node.controllerPort(), node.configFile());
            }
        }
        awaitReady();
        out.printf("%nBootstrap servers: %s%n", layout.bootstrapServers());
        out.printf("Logs:              %s%n", layout.dataDir().resolve("node-N").resolve("server.log"));
        out.printf("Press Ctrl-C to stop the cluster.%n");
        out.flush();
        int exit = watchUntilAllExit();
        if (exit != 0) {
            return exit;
        }
        stopped.await();
        return 0;
    }

    /**
     * Refuses a data directory that is a node's log directory (it holds a metadata log, as
     * {@code ./data} does after {@code ./strand}): that node would load {@code node-1} as a partition.
     */
    private static void checkNotANodesLogDir(ClusterLayout layout) {
        if (Files.isDirectory(layout.dataDir().resolve(METADATA_LOG_DIR_NAME))) {
            throw new IllegalArgumentException(layout.dataDir() + " is a node's log directory (it holds "
                    + METADATA_LOG_DIR_NAME + "); choose another --data-dir");
        }
    }

    /** Every port the layout binds is free on its host, or names the first that is not. */
    private static void checkPortsFree(ClusterLayout layout) {
        for (ClusterLayout.Node node : layout.nodeList()) {
            for (int port : new int[] {node.clientPort(), node.controllerPort()}) {
                try (ServerSocket socket = new ServerSocket()) {
                    socket.bind(new InetSocketAddress(layout.host(), port));
                } catch (IOException e) {
                    throw new IllegalArgumentException("port " + port + " of node " + node.nodeId()
                            + " is in use (another Strand or Kafka?); choose another --base-port");
                }
            }
        }
    }

    /** Waits until each node is ready or has exited, reporting each as it does. */
    private void awaitReady() throws IOException, InterruptedException {
        List<ClusterNodeProcess> waiting = new ArrayList<>(snapshot());
        long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        while (!waiting.isEmpty() && !stopping.get()) {
            for (var it = waiting.iterator(); it.hasNext(); ) {
                ClusterNodeProcess node = it.next();
                if (node.checkReady()) {
                    out.printf("  node %d ready%n", node.node().nodeId());
                    it.remove();
                } else if (!node.process().isAlive()) {
                    reportExit(node);
                    it.remove();
                }
            }
            if (System.nanoTime() > deadlineNs) {
                for (ClusterNodeProcess node : waiting) {
                    out.printf("  node %d not ready after %d s; see %s%n", node.node().nodeId(),
                            START_TIMEOUT_MS / 1000, node.node().logFile());
                }
                return;
            }
            Thread.sleep(POLL_MS);
        }
    }

    /**
     * Reports each node that exits while the cluster is not being stopped; returns 1 once every node
     * has exited that way, or 0 as soon as a stop begins.
     */
    private int watchUntilAllExit() throws InterruptedException {
        List<ClusterNodeProcess> alive = new ArrayList<>();
        for (ClusterNodeProcess node : snapshot()) {
            if (node.process().isAlive()) {
                alive.add(node);
            }
        }
        while (!alive.isEmpty()) {
            if (stopping.get()) {
                return 0;
            }
            for (var it = alive.iterator(); it.hasNext(); ) {
                ClusterNodeProcess node = it.next();
                if (!node.process().isAlive()) {
                    if (stopping.get()) {
                        return 0;
                    }
                    reportExit(node);
                    it.remove();
                }
            }
            Thread.sleep(POLL_MS);
        }
        if (stopping.get()) {
            return 0;
        }
        out.println("Every node has exited; the cluster is down.");
        return 1;
    }

    private void reportExit(ClusterNodeProcess node) {
        out.printf("  node %d (pid %d) exited with code %d; see %s%n", node.node().nodeId(), node.pid(),
                node.process().exitValue(), node.node().logFile());
        out.flush();
    }

    private List<ClusterNodeProcess> snapshot() {
        synchronized (running) {
            return List.copyOf(running);
        }
    }

    /** Stops every node at once (SIGTERM, clean shutdown), waiting for all. From the shutdown hook. */
    private void stopAll() {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        out.println("Stopping the cluster");
        List<Thread> stoppers = new ArrayList<>();
        for (ClusterNodeProcess node : snapshot()) {
            Thread stopper = new Thread(() -> {
                try {
                    if (node.stop(STOP_TIMEOUT_MS)) {
                        out.printf("  node %d stopped (exit code %d)%n", node.node().nodeId(),
                                node.process().exitValue());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "strand-cluster-stop-" + node.node().nodeId());
            stopper.start();
            stoppers.add(stopper);
        }
        for (Thread stopper : stoppers) {
            try {
                stopper.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        out.flush();
    }
}
