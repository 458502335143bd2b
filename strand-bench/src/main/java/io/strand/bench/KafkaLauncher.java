package io.strand.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.Uuid;

/**
 * Starts Apache Kafka 4.3.1 as its own JVM ({@code kafka.Kafka server.properties}) from the Maven
 * Central jars: one KRaft node with the broker and controller roles, storage formatted by Kafka's
 * {@code kafka.tools.StorageTool} with a fresh cluster id, listeners on loopback only. Internal topics
 * get replication factor 1 and one partition, and group rebalances start without delay, which suits a
 * single node; everything else is Kafka's default unless the shared settings say otherwise.
 *
 * <p>The broker's JVM gets the shared options, as Kafka's scripts would pass them, and no class-data
 * archive but the JDK's default one: Kafka's scripts ship none. {@link #withBrokerJvmOptions} adds
 * options to the broker's command only (never to the storage formatter's), which the harness uses
 * to record Kafka's own AppCDS archive and to start from it ({@link KafkaAppCds}).
 *
 * <p>Stateless and thread-safe.
 */
final class KafkaLauncher implements BrokerLauncher {

    static final String MAIN_CLASS = "kafka.Kafka";
    static final String STORAGE_TOOL_CLASS = "kafka.tools.StorageTool";
    private static final int NODE_ID = 1;
    private static final long FORMAT_TIMEOUT_MS = 120_000;

    private final String classPath;
    private final List<String> jvmOptions;
    private final List<String> brokerOnlyJvmOptions;
    private final Map<String, String> sharedProps;

    /** {@code sharedProps}: broker settings both brokers get (partitions, flush policy). */
    KafkaLauncher(String classPath, List<String> jvmOptions, Map<String, String> sharedProps) {
        this(classPath, jvmOptions, List.of(), sharedProps);
    }

    private KafkaLauncher(String classPath, List<String> jvmOptions, List<String> brokerOnlyJvmOptions,
            Map<String, String> sharedProps) {
        this.classPath = classPath;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.brokerOnlyJvmOptions = List.copyOf(brokerOnlyJvmOptions);
        this.sharedProps = Map.copyOf(sharedProps);
    }

    /** This launcher with {@code extra} after the shared options of the broker's JVM (not the formatter's). */
    KafkaLauncher withBrokerJvmOptions(List<String> extra) {
        List<String> options = new ArrayList<>(brokerOnlyJvmOptions);
        options.addAll(extra);
        return new KafkaLauncher(classPath, jvmOptions, options, sharedProps);
    }

    @Override
    public List<String> brokerJvmOptions() {
        List<String> options = new ArrayList<>(jvmOptions);
        options.addAll(brokerOnlyJvmOptions);
        return options;
    }

    @Override
    public BrokerKind kind() {
        return BrokerKind.KAFKA;
    }

    @Override
    public List<String> prepare(Path dataDir, int clientPort, int controllerPort, Path logDir) {
        Path configFile = dataDir.resolve("server.properties");
        writeConfig(configFile, config(dataDir, clientPort, controllerPort));
        format(configFile, Uuid.randomUuid().toString(), logDir.resolve("kafka-format.log"));
        return ChildJvm.command(brokerJvmOptions(), classPath, MAIN_CLASS, List.of(configFile.toString()));
    }

    @Override
    public List<String> prepareWithSsl(Path dataDir, int clientPort, int sslPort, int controllerPort, TlsKeys keys,
            Path logDir) {
        Path configFile = dataDir.resolve("server.properties");
        writeConfig(configFile, sslConfig(dataDir, clientPort, sslPort, controllerPort, keys));
        format(configFile, Uuid.randomUuid().toString(), logDir.resolve("kafka-format.log"));
        return ChildJvm.command(brokerJvmOptions(), classPath, MAIN_CLASS, List.of(configFile.toString()));
    }

    /**
     * A node of a replicated cluster: the cluster's settings plus the listener names Kafka needs, its
     * storage formatted with the cluster's id. Kafka's internal topics keep their defaults (3 replicas,
     * min.insync.replicas 2), which fit three nodes.
     */
    @Override
    public List<String> prepareClusterNode(Path dataDir, ReplicatedCluster.Node node,
            List<ReplicatedCluster.Node> nodes, String clusterId, Path logDir) {
        Path configFile = dataDir.resolve("server.properties");
        writeConfig(configFile, clusterConfig(dataDir, node, nodes));
        format(configFile, clusterId, logDir.resolve("kafka-format-node-" + node.nodeId() + ".log"));
        return ChildJvm.command(brokerJvmOptions(), classPath, MAIN_CLASS, List.of(configFile.toString()));
    }

    static Map<String, String> clusterConfig(Path dataDir, ReplicatedCluster.Node node,
            List<ReplicatedCluster.Node> nodes) {
        Map<String, String> config = ReplicatedCluster.nodeProps(node, nodes, dataDir.resolve("logs"));
        config.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + node.clientPort());
        config.put("controller.listener.names", "CONTROLLER");
        config.put("inter.broker.listener.name", "PLAINTEXT");
        config.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        return config;
    }

    /** The single node's configuration with an SSL listener added and advertised. */
    Map<String, String> sslConfig(Path dataDir, int clientPort, int sslPort, int controllerPort, TlsKeys keys) {
        Map<String, String> config = config(dataDir, clientPort, controllerPort);
        config.put("listeners", "PLAINTEXT://127.0.0.1:" + clientPort + ",SSL://127.0.0.1:" + sslPort
                + ",CONTROLLER://127.0.0.1:" + controllerPort);
        config.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + clientPort + ",SSL://127.0.0.1:" + sslPort);
        config.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SSL:SSL,CONTROLLER:PLAINTEXT");
        config.putAll(keys.brokerProps());
        return config;
    }

    private void format(Path configFile, String clusterId, Path log) {
        ChildJvm.Outcome format = ChildJvm.run(
                ChildJvm.command(jvmOptions, classPath, STORAGE_TOOL_CLASS, List.of("format",
                        "--config", configFile.toString(), "--cluster-id", clusterId)),
                log, FORMAT_TIMEOUT_MS);
        if (!format.succeeded()) {
            throw new IllegalStateException("kafka storage format failed exitCode=" + format.exitCode()
                    + " log=" + format.logFile());
        }
    }

    private Map<String, String> config(Path dataDir, int clientPort, int controllerPort) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("process.roles", "broker,controller");
        config.put("node.id", Integer.toString(NODE_ID));
        config.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
        config.put("listeners", "PLAINTEXT://127.0.0.1:" + clientPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        config.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + clientPort);
        config.put("controller.listener.names", "CONTROLLER");
        config.put("inter.broker.listener.name", "PLAINTEXT");
        config.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        config.put("log.dirs", dataDir.resolve("logs").toAbsolutePath().toString());
        config.put("transaction.state.log.replication.factor", "1");
        config.put("transaction.state.log.min.isr", "1");
        config.put("transaction.state.log.num.partitions", "1");
        config.put("share.coordinator.state.topic.replication.factor", "1");
        config.put("share.coordinator.state.topic.min.isr", "1");
        config.putAll(sharedProps);
        return config;
    }

    private static void writeConfig(Path configFile, Map<String, String> config) {
        Properties properties = new Properties();
        properties.putAll(config);
        try (OutputStream out = Files.newOutputStream(configFile)) {
            properties.store(out, "Apache Kafka node for a side-by-side benchmark");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write config file=" + configFile, e);
        }
    }
}
