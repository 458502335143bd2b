package io.strand.chaos;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.common.Uuid;

/**
 * A {@link ChaosCluster} of Apache Kafka nodes in a {@link NetworkLab}: one KRaft node per namespace,
 * each with the broker and controller roles, a JVM of its own run through
 * {@link NetworkLab#execPrefix(int)}, listening on its lab address (clients on 9092, the quorum on 9093),
 * its storage formatted by Kafka's {@code kafka.tools.StorageTool} with the cluster's one id.
 *
 * <p>Node {@code n} keeps its configuration and output in {@code <dir>/node-<n>}; its data (log dirs and
 * the metadata log) is in {@link DiskLab#dataDir(int)} when the cluster was given a disk lab, else in
 * {@code <dir>/node-<n>/data}. The settings are those the Strand cluster of the fault schedules runs
 * with, where Kafka has them ({@link #DEFAULTS}); {@link Builder#property} overrides them.
 *
 * <p>The JVMs are started from {@code classPath}, Apache Kafka's jars and their runtime dependencies
 * (an SLF4J binding among them for its log). One thread (the schedule) drives the process methods.
 */
public final class KafkaChaosCluster implements ChaosCluster {

    public static final int CLIENT_PORT = 9092;
    public static final int CONTROLLER_PORT = 9093;

    /** Kafka's counterparts of the settings the Strand cluster runs with under the fault schedules. */
    public static final Map<String, String> DEFAULTS = Map.of(
            "broker.session.timeout.ms", "3000",
            "broker.heartbeat.interval.ms", "500",
            "default.replication.factor", "3",
            "min.insync.replicas", "2",
            "offsets.topic.replication.factor", "3",
            "unclean.leader.election.enable", "false",
            "group.initial.rebalance.delay.ms", "0");

    private final NetworkLab lab;
    private final String clusterId = Uuid.randomUuid().toString();
    private final Map<Integer, KafkaNode> nodes = new LinkedHashMap<>();

    private KafkaChaosCluster(NetworkLab lab) {
        this.lab = lab;
    }

    /** A three-node cluster (or one node per namespace of {@code lab}) under {@code dir}, started from {@code classPath}. */
    public static Builder builder(Path dir, String classPath, NetworkLab lab) {
        return new Builder(dir, classPath, lab);
    }

    /** How a cluster is started: its directory, Kafka's class path, the lab; then disks, settings, JVM options. */
    public static final class Builder {
        private final Path dir;
        private final String classPath;
        private final NetworkLab lab;
        private final Map<String, String> properties = new LinkedHashMap<>(DEFAULTS);
        private DiskLab disks;
        private List<String> jvmOptions = List.of("-Xms256m", "-Xmx512m", "-XX:+UseG1GC",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=info", "-Dorg.slf4j.simpleLogger.showDateTime=true");

        private Builder(Path dir, String classPath, NetworkLab lab) {
            this.dir = dir.toAbsolutePath();
            this.classPath = classPath;
            this.lab = lab;
        }

        /** Each node's data on its own filesystem of {@code disks} (which must have a node for each of the lab's). */
        public Builder disks(DiskLab disks) {
            this.disks = disks;
            return this;
        }

        /** A broker setting for every node, over {@link #DEFAULTS}. */
        public Builder property(String name, String value) {
            properties.put(name, value);
            return this;
        }

        /** Every node's JVM options, in place of the default heap and logging options. */
        public Builder jvmOptions(List<String> options) {
            this.jvmOptions = List.copyOf(options);
            return this;
        }

        /**
         * Formats every node's storage, starts every node and waits until each serves.
         *
         * @throws IllegalStateException if formatting fails or a node exits or is not ready in time;
         *     every node started is stopped first
         */
        public KafkaChaosCluster start() {
            KafkaChaosCluster cluster = new KafkaChaosCluster(lab);
            StringBuilder voters = new StringBuilder();
            for (int id = 1; id <= lab.nodes(); id++) {
                voters.append(voters.isEmpty() ? "" : ",").append(id).append('@').append(lab.address(id))
                        .append(':').append(CONTROLLER_PORT);
            }
            try {
                for (int id = 1; id <= lab.nodes(); id++) {
                    Path nodeDir = dir.resolve("node-" + id);
                    Path dataDir = disks == null ? nodeDir.resolve("data") : disks.dataDir(id);
                    Files.createDirectories(nodeDir);
                    Files.createDirectories(dataDir);
                    Path config = nodeDir.resolve("server.properties");
                    writeConfig(config, config(id, voters.toString(), dataDir));
                    KafkaNode node = new KafkaNode(id, nodeDir, dataDir, lab.address(id) + ":" + CLIENT_PORT,
                            KafkaNodeLauncher.serverCommand(lab.execPrefix(id), jvmOptions, classPath, config));
                    KafkaNodeLauncher.format(classPath, config, cluster.clusterId, nodeDir.resolve("format.log"));
                    // The storage tool leaves its files in the page cache; made durable here, so that a disk
                    // fault seconds later tests the running node and not a format a real disk had long kept.
                    KafkaNodeLauncher.syncFilesystem(dataDir);
                    cluster.nodes.put(id, node);
                }
                cluster.nodes.values().forEach(KafkaNode::launch);
                cluster.nodes.values().forEach(KafkaNode::awaitServing);
                return cluster;
            } catch (IOException e) {
                cluster.close();
                throw new UncheckedIOException(e);
            } catch (RuntimeException e) {
                cluster.close();
                throw e;
            }
        }

        private Map<String, String> config(int id, String voters, Path dataDir) {
            String host = lab.address(id);
            Map<String, String> config = new LinkedHashMap<>();
            config.put("process.roles", "broker,controller");
            config.put("node.id", Integer.toString(id));
            config.put("controller.quorum.voters", voters);
            config.put("listeners", "PLAINTEXT://" + host + ":" + CLIENT_PORT + ",CONTROLLER://" + host + ":"
                    + CONTROLLER_PORT);
            config.put("advertised.listeners", "PLAINTEXT://" + host + ":" + CLIENT_PORT);
            config.put("controller.listener.names", "CONTROLLER");
            config.put("inter.broker.listener.name", "PLAINTEXT");
            config.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
            config.put("log.dirs", dataDir.resolve("logs").toString());
            config.putAll(properties);
            return config;
        }

        private static void writeConfig(Path file, Map<String, String> config) throws IOException {
            Properties properties = new Properties();
            properties.putAll(config);
            try (OutputStream out = Files.newOutputStream(file)) {
                properties.store(out, "Apache Kafka node in a fault lab");
            }
        }
    }

    /** The cluster's id, as formatted into every node's storage. */
    public String clusterId() {
        return clusterId;
    }

    /** Node {@code node}'s client listener, {@code address:9092}. */
    public String bootstrapServer(int node) {
        return node(node).bootstrap();
    }

    @Override
    public Path logDir(int node) {
        return dataDir(node).resolve("logs");
    }

    /** Node {@code node}'s data directory (log dirs and metadata log under it). */
    public Path dataDir(int node) {
        return node(node).dataDir();
    }

    @Override
    public String system() {
        return "kafka";
    }

    @Override
    public int size() {
        return nodes.size();
    }

    @Override
    public String bootstrapServers() {
        return String.join(",", nodes.values().stream().map(KafkaNode::bootstrap).toList());
    }

    @Override
    public void kill9(int node) {
        node(node).kill9();
    }

    @Override
    public void restart(int node) {
        KafkaNode kafka = node(node);
        kafka.launch();
        kafka.awaitServing();
    }

    @Override
    public void pause(int node) {
        node(node).signal("STOP");
    }

    @Override
    public void resume(int node) {
        node(node).signal("CONT");
    }

    @Override
    public boolean isAlive(int node) {
        return node(node).isAlive();
    }

    @Override
    public void copyNodeLogs(Path dir) throws IOException {
        for (KafkaNode node : nodes.values()) {
            Path target = dir.resolve("node-" + node.id());
            Files.createDirectories(target);
            for (String name : List.of("kafka.log", "format.log", "server.properties")) {
                Path source = node.nodeDir().resolve(name);
                if (Files.exists(source)) {
                    Files.copy(source, target.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** SIGKILL of every node (the data is thrown away: no clean shutdown is needed), then removes their files. */
    @Override
    public void close() {
        List<RuntimeException> failures = new ArrayList<>();
        for (KafkaNode node : nodes.values()) {
            try {
                node.kill9();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        if (!failures.isEmpty()) {
            IllegalStateException e = new IllegalStateException("a Kafka node would not stop; its files are kept");
            failures.forEach(e::addSuppressed);
            throw e;
        }
        for (KafkaNode node : nodes.values()) {
            deleteTree(node.dataDir());
            deleteTree(node.nodeDir());
        }
    }

    private KafkaNode node(int node) {
        KafkaNode kafka = nodes.get(node);
        if (kafka == null) {
            throw new IllegalArgumentException("no node " + node + " in a cluster of " + nodes.size());
        }
        return kafka;
    }

    /** Best effort: a file on a failed filesystem cannot be removed, and its disk lab throws it away anyway. */
    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException | UncheckedIOException e) {
            // left behind: see above
        }
    }
}
