package io.strand.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A single Apache Kafka 4.3.1 node (broker and KRaft controller combined) running inside this JVM
 * from the Maven Central jars: the reference the integration tests are checked against, and the
 * side-by-side opponent in the fidelity harness.
 *
 * <p>Needs {@code kafka_2.13} and {@code kafka-server-common} on the class path: optional
 * dependencies of this module, which a user of this class declares itself.
 *
 * <p>{@link #start} writes {@code server.properties} into the data directory, formats the storage
 * with Kafka's own storage tool (a fresh random cluster id) and starts a {@link KafkaRaftServer}
 * whose client listener ({@code PLAINTEXT}) and controller listener bind two free loopback ports.
 * {@code start} returns once the broker is unfenced, i.e. accepts produce and fetch requests.
 * Defaults suit one node: replication factors of internal topics are 1, group rebalances start
 * without delay; {@code props} override them (Kafka's property names).
 *
 * <p>Thread-safety: start and close from one thread (a test's setup and teardown). Everything
 * lives under {@code dataDir}; nothing is deleted on close, the caller owns the directory.
 */
public final class KafkaReference implements AutoCloseable {

    private static final String CLIENT_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final int NODE_ID = 1;

    private final KafkaRaftServer server;
    private final String bootstrapServers;

    private KafkaReference(KafkaRaftServer server, String bootstrapServers) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
    }

    /** Formats {@code dataDir} and starts a node on it; {@code props} override the defaults. */
    public static KafkaReference start(Path dataDir, Map<String, String> props) {
        int clientPort = freeLoopbackPort();
        int controllerPort = freeLoopbackPort();
        Map<String, String> config = defaults(dataDir, clientPort, controllerPort);
        config.putAll(props);
        Properties properties = new Properties();
        properties.putAll(config);
        Path configFile = dataDir.resolve("server.properties");
        try {
            Files.createDirectories(dataDir);
            try (OutputStream out = Files.newOutputStream(configFile)) {
                properties.store(out, "reference Apache Kafka node");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write config file=" + configFile, e);
        }
        format(configFile);

        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(properties, false), Time.SYSTEM);
        try {
            server.startup();
        } catch (RuntimeException e) {
            server.shutdown();
            server.awaitShutdown();
            throw e;
        }
        return new KafkaReference(server, "127.0.0.1:" + clientPort);
    }

    /** {@code 127.0.0.1:<port>} of the client listener. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Stops broker and controller and waits until their threads are gone. */
    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }

    private static Map<String, String> defaults(Path dataDir, int clientPort, int controllerPort) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("process.roles", "broker,controller");
        config.put("node.id", Integer.toString(NODE_ID));
        config.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
        config.put("listeners", CLIENT_LISTENER + "://127.0.0.1:" + clientPort
                + "," + CONTROLLER_LISTENER + "://127.0.0.1:" + controllerPort);
        config.put("advertised.listeners", CLIENT_LISTENER + "://127.0.0.1:" + clientPort);
        config.put("controller.listener.names", CONTROLLER_LISTENER);
        config.put("inter.broker.listener.name", CLIENT_LISTENER);
        config.put("listener.security.protocol.map",
                CLIENT_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        config.put("log.dirs", dataDir.resolve("logs").toString());
        config.put("num.partitions", "1");
        config.put("offsets.topic.replication.factor", "1");
        config.put("offsets.topic.num.partitions", "1");
        config.put("transaction.state.log.replication.factor", "1");
        config.put("transaction.state.log.min.isr", "1");
        config.put("transaction.state.log.num.partitions", "1");
        config.put("share.coordinator.state.topic.replication.factor", "1");
        config.put("share.coordinator.state.topic.min.isr", "1");
        config.put("group.initial.rebalance.delay.ms", "0");
        return config;
    }

    private static void format(Path configFile) {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        String[] args = {"format", "--config", configFile.toString(),
            "--cluster-id", Uuid.randomUuid().toString()};
        int exitCode;
        try (PrintStream printStream = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            exitCode = StorageTool.execute(args, printStream);
        } catch (Exception e) {
            throw new IllegalStateException("kafka storage format failed config=" + configFile
                    + " output=" + output.toString(StandardCharsets.UTF_8), e);
        }
        if (exitCode != 0) {
            throw new IllegalStateException("kafka storage format failed config=" + configFile
                    + " exitCode=" + exitCode + " output=" + output.toString(StandardCharsets.UTF_8));
        }
    }

    /** A port nothing listens on right now; the node binds it a moment later. */
    private static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }
}
