package io.strand.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A cluster of N Strand nodes, each a combined broker and controller in its own child JVM, for tests
 * that kill, stop, pause and restart nodes. Node ids are 1 to N; each has a client and a controller
 * port on 127.0.0.1 (or the address {@link Builder#host} gives it), chosen free at the start and
 * kept across restarts, and its directory {@code <dir>/node-<id>} (see {@link ClusterNode}); its
 * command may be prefixed ({@link Builder#commandPrefix}). A node may run one role only
 * ({@link Builder#roles}): the nodes with the controller role are the voters of the metadata quorum,
 * a broker-only node follows it as an observer, a controller-only node serves no client and is left
 * out of {@link #bootstrapServers()}. {@code __consumer_offsets} gets min(3, brokers) replicas unless
 * a property says otherwise.
 *
 * <pre>{@code
 * try (StrandCluster cluster = StrandCluster.builder(tempDir).nodes(3).property("num.partitions", "3").start()) {
 *     props.put("bootstrap.servers", cluster.bootstrapServers());
 *     cluster.node(2).kill9();
 *     cluster.node(2).restart();
 * }
 * }</pre>
 *
 * {@link #close()} kills every node that still runs and deletes the node directories. Not
 * thread-safe: one test thread drives it.
 */
public final class StrandCluster implements AutoCloseable {

    /** How long a node may take to serve: JVM start, quorum election and recovery on a loaded machine. */
    static final long START_TIMEOUT_MS = 120_000;

    private final Path dir;
    private final Map<Integer, ClusterNode> nodes;

    private StrandCluster(Path dir, Map<Integer, ClusterNode> nodes) {
        this.dir = dir;
        this.nodes = nodes;
    }

    public static Builder builder(Path dir) {
        return new Builder(dir);
    }

    /** A node by id, 1 to N. */
    public ClusterNode node(int nodeId) {
        ClusterNode node = nodes.get(nodeId);
        if (node == null) {
            throw new IllegalArgumentException("no node " + nodeId + "; ids are " + nodes.keySet());
        }
        return node;
    }

    /** Copies each node's log file that exists to {@code dir}/node-N.log, for a test to keep after the cluster is gone. */
    public void copyNodeLogs(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (ClusterNode node : nodes()) {
            if (Files.exists(node.logFile())) {
                Files.copy(node.logFile(), dir.resolve("node-" + node.nodeId() + ".log"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    public List<ClusterNode> nodes() {
        return List.copyOf(nodes.values());
    }

    /** Every broker's client address, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return nodes.values().stream().filter(ClusterNode::isBroker).map(ClusterNode::bootstrapServers)
                .collect(Collectors.joining(","));
    }

    /** The directory the node directories are in. */
    public Path dir() {
        return dir;
    }

    /**
     * Kills every node that still runs (SIGKILL, paused ones too), then deletes the node directories.
     * Killed, not stopped: the files go right after, so a clean shutdown would leave nothing anyone
     * reads, and the nodes of a cluster stopping all at once each waited out their controlled shutdown
     * (bounded by {@code broker.session.timeout.ms}: the last ones have no controller quorum left to
     * answer it). A test that is about a clean stop stops its nodes itself ({@link ClusterNode#stop()});
     * one that wants their logs copies them first ({@link #copyNodeLogs}).
     */
    @Override
    public void close() {
        for (ClusterNode node : nodes.values()) {
            if (node.isAlive()) {
                node.kill9();
            }
        }
        for (ClusterNode node : nodes.values()) {
            if (!node.isAlive()) {
                deleteTree(node.dir());
            }
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }

    /** What a cluster is made of: node count, properties for every node or for one, JVM options. */
    public static final class Builder {

        private final Path dir;
        private int nodes = 3;
        private final Map<String, String> properties = new LinkedHashMap<>();
        private final Map<Integer, Map<String, String>> nodeProperties = new HashMap<>();
        private final Map<Integer, String> roles = new HashMap<>();
        private List<String> jvmOptions = StrandProcess.DEFAULT_JVM_OPTIONS;
        private final Map<Integer, String> hosts = new HashMap<>();
        private final Map<Integer, List<String>> commandPrefixes = new HashMap<>();

        private Builder(Path dir) {
            this.dir = dir;
        }

        /** Node count, 1 or more (default 3); odd counts make sense for a quorum. */
        public Builder nodes(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("a cluster needs a node, not " + count);
            }
            this.nodes = count;
            return this;
        }

        /** A property of every node; it wins over the harness's own (ports and ids excepted, see start). */
        public Builder property(String name, String value) {
            properties.put(name, value);
            return this;
        }

        /** A property of one node (for example {@code broker.rack}); wins over {@link #property}. */
        public Builder nodeProperty(int nodeId, String name, String value) {
            nodeProperties.computeIfAbsent(nodeId, id -> new LinkedHashMap<>()).put(name, value);
            return this;
        }

        /**
         * The {@code process.roles} of one node: {@code "broker,controller"} (the default),
         * {@code "controller"} or {@code "broker"}. At least one node must be a controller.
         */
        public Builder roles(int nodeId, String processRoles) {
            if (!Set.of("broker,controller", "controller,broker", "broker", "controller").contains(processRoles)) {
                throw new IllegalArgumentException("process.roles is broker, controller or both, not " + processRoles);
            }
            roles.put(nodeId, processRoles);
            return this;
        }

        /**
         * The address one node listens on and advertises, for its client and controller listeners alike,
         * in place of 127.0.0.1: for nodes that each have an address of their own (a network namespace).
         */
        public Builder host(int nodeId, String host) {
            hosts.put(nodeId, host);
            return this;
        }

        /**
         * Words put before one node's {@code java} command, for example {@code ip netns exec <namespace>}
         * to run it in a network namespace. The prefix must end by exec'ing the command in its own process,
         * so that the process signalled (kill, stop, pause) is the JVM itself.
         */
        public Builder commandPrefix(int nodeId, List<String> prefix) {
            commandPrefixes.put(nodeId, List.copyOf(prefix));
            return this;
        }

        /** Every node's JVM options, in place of {@link StrandProcess#DEFAULT_JVM_OPTIONS}. */
        public Builder jvmOptions(List<String> options) {
            this.jvmOptions = List.copyOf(options);
            return this;
        }

        /**
         * Starts every node at once and waits until each serves.
         *
         * @throws IllegalStateException if a node exits or is not ready in time; every node started is
         *     stopped first, and the message carries the end of the failing node's log
         */
        public StrandCluster start() {
            int[] ports = distinctFreePorts(2 * nodes);
            StringBuilder voters = new StringBuilder();
            int brokers = 0;
            for (int id = 1; id <= nodes; id++) {
                String nodeRoles = roles.getOrDefault(id, "broker,controller");
                if (nodeRoles.contains("controller")) {
                    voters.append(voters.isEmpty() ? "" : ",").append(id).append("@").append(hostOf(id)).append(":").append(ports[2 * id - 1]);
                }
                if (nodeRoles.contains("broker")) {
                    brokers++;
                }
            }
            if (voters.isEmpty()) {
                throw new IllegalArgumentException("a cluster needs a node with the controller role: " + roles);
            }
            Map<Integer, ClusterNode> members = new LinkedHashMap<>();
            for (int id = 1; id <= nodes; id++) {
                int clientPort = ports[2 * id - 2];
                int controllerPort = ports[2 * id - 1];
                Path nodeDir = dir.toAbsolutePath().resolve("node-" + id);
                Map<String, String> props = new LinkedHashMap<>();
                String nodeRoles = roles.getOrDefault(id, "broker,controller");
                props.put("process.roles", nodeRoles);
                String host = hostOf(id);
                props.put("listeners", switch (nodeRoles) {
                    case "broker" -> "PLAINTEXT://" + host + ":" + clientPort;
                    case "controller" -> "CONTROLLER://" + host + ":" + controllerPort;
                    default -> "PLAINTEXT://" + host + ":" + clientPort
                            + ",CONTROLLER://" + host + ":" + controllerPort;
                });
                props.put("controller.quorum.voters", voters.toString());
                props.put("log.dirs", nodeDir.resolve("logs").toString());
                // Overrides alone would get the single-node default of one replica; a cluster has Kafka's 3
                // where it has that many nodes.
                int internalReplicas = Math.max(1, Math.min(3, brokers));
                props.put("offsets.topic.replication.factor", Integer.toString(internalReplicas));
                props.put("transaction.state.log.replication.factor", Integer.toString(internalReplicas));
                props.put("transaction.state.log.min.isr", Integer.toString(Math.min(2, internalReplicas)));
                props.put("share.coordinator.state.topic.replication.factor", Integer.toString(internalReplicas));
                props.put("share.coordinator.state.topic.min.isr", Integer.toString(Math.min(2, internalReplicas)));
                // Off unless asked for: the single-node default (localhost:8080) would be every node's.
                props.put("strand.http.listener", "");
                props.putAll(properties);
                props.putAll(nodeProperties.getOrDefault(id, Map.of()));
                props.put("node.id", Integer.toString(id));
                members.put(id, new ClusterNode(id, host, clientPort, controllerPort, nodeDir, props, jvmOptions,
                        commandPrefixes.getOrDefault(id, List.of())));
            }
            StrandCluster cluster = new StrandCluster(dir, members);
            try {
                members.values().forEach(ClusterNode::launch);
                awaitAllReady(members.values());
                return cluster;
            } catch (RuntimeException e) {
                try {
                    cluster.stopAll();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        }

        private String hostOf(int nodeId) {
            return hosts.getOrDefault(nodeId, "127.0.0.1");
        }

        /** Waits until every node serves, failing as soon as one exits instead. */
        private static void awaitAllReady(Collection<ClusterNode> nodes) {
            List<CompletableFuture<Void>> readies = nodes.stream().map(ClusterNode::ready).toList();
            CompletableFuture<Object> firstFailure = new CompletableFuture<>();
            for (ClusterNode node : nodes) {
                node.ready().whenComplete((ok, failure) -> {
                    if (failure != null) {
                        firstFailure.completeExceptionally(node.notReady(failure));
                    }
                });
            }
            CompletableFuture<Void> all = CompletableFuture.allOf(readies.toArray(new CompletableFuture<?>[0]));
            try {
                CompletableFuture.anyOf(all, firstFailure).get(START_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IllegalStateException ise ? ise : new IllegalStateException(e.getCause());
            } catch (TimeoutException e) {
                for (ClusterNode node : nodes) {
                    if (!node.ready().isDone()) {
                        throw node.notReady(e);
                    }
                }
                throw new IllegalStateException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for the cluster to start", e);
            }
        }

        private static int[] distinctFreePorts(int count) {
            Set<Integer> ports = new LinkedHashSet<>();
            while (ports.size() < count) {
                ports.add(TestPorts.freePort());
            }
            return ports.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    /** Stops the nodes but keeps their files (a failed start: the logs explain it). */
    private void stopAll() {
        for (ClusterNode node : nodes.values()) {
            if (node.isLaunched()) {
                node.stop();
            }
        }
    }
}
