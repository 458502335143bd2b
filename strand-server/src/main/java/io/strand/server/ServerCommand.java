package io.strand.server;

import io.strand.broker.BrokerServer;
import io.strand.common.config.BrokerConfig;
import io.strand.common.config.ProcessRole;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.utils.Time;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code strand server}: runs one node until SIGTERM or Ctrl-C, then shuts down cleanly (logs
 * flushed, clean-shutdown marker written). Its roles come from {@code process.roles} (default: broker
 * and controller). Without {@code --config} it uses the embedded defaults: listener localhost:9092,
 * data in ./data, health, metrics and the HTTP API on http://localhost:8080, {@link #SINGLE_NODE_DEFAULTS}; {@code -o}
 * overrides them. An invalid configuration exits with 2.
 */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = "Run a Strand node (roles from process.roles; broker and controller by default).")
final class ServerCommand implements Callable<Integer> {

    /**
     * What the embedded defaults (no {@code --config}) set beyond the properties' own defaults, for one
     * node on its own, as Kafka's single-node example configuration does: {@code __consumer_offsets},
     * {@code __transaction_state} and {@code __share_group_state} with one replica (Kafka's defaults, 3 and a
     * minimum ISR of 2, wait for three brokers before any group can form, any transaction begin or any share
     * group keep its state), and the HTTP listener (health,
     * {@code /metrics}, the HTTP API under {@code /v3}), which a node configured from a file has only if the file sets it.
     */
    static final Map<String, String> SINGLE_NODE_DEFAULTS = Map.of("offsets.topic.replication.factor", "1",
            "transaction.state.log.replication.factor", "1", "transaction.state.log.min.isr", "1",
            "share.coordinator.state.topic.replication.factor", "1", "share.coordinator.state.topic.min.isr", "1",
            BrokerConfig.STRAND_HTTP_LISTENER, "http://localhost:8080");

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "Server properties, with Kafka's names.")
    Path configFile;

    @Option(names = {"-o", "--override"}, paramLabel = "NAME=VALUE", description = "Set one property (repeatable).")
    Map<String, String> overrides = new LinkedHashMap<>();

    /**
     * Starts, runs {@link TrainingRun} against itself, then shuts down cleanly: ./strand records its
     * class-data archive from this run, on a scratch data directory.
     */
    @Option(names = "--training-run", hidden = true)
    boolean trainingRun;

    /** The node's properties: the config file's, else {@link #SINGLE_NODE_DEFAULTS}; then the overrides. */
    Map<String, String> properties() throws IOException {
        Map<String, String> props = new LinkedHashMap<>();
        if (configFile != null) {
            props.putAll(ServerConfigFile.read(configFile));
        } else {
            props.putAll(SINGLE_NODE_DEFAULTS);
        }
        props.putAll(overrides);
        return props;
    }

    @Override
    public Integer call() throws Exception {
        long startNs = System.nanoTime();
        StrandServer node;
        try {
            node = StrandServer.start(BrokerServer.config(properties()), Time.SYSTEM);
        } catch (ConfigException e) {
            System.err.println("strand: invalid configuration: " + e.getMessage());
            return 2;
        } catch (java.io.UncheckedIOException e) {
            // A port taken (the HTTP listener's localhost:8080 above all): the message says which and what to do.
            System.err.println("strand: cannot start: " + e.getMessage());
            return 1;
        }
        BrokerServer server = node.broker();
        BrokerConfig config = server.config();
        if (trainingRun) {
            try {
                TrainingRun.run(server.clientAddress(), node.httpAddress());
            } finally {
                node.close();
            }
            return 0;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("Strand shutting down");
            node.close();
            stopped.countDown();
        }, "strand-shutdown"));
        long readyMs = (System.nanoTime() - startNs) / 1_000_000;
        System.out.printf("Strand node %d ready in %d ms (JVM up %d ms)%n", config.nodeId(), readyMs,
                java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime());
        if (config.processRoles().contains(ProcessRole.BROKER)) {
            // Tools read the first line (StrandProcess waits for it): keep its form.
            System.out.printf("  Kafka clients: %s%n", server.clientAddress());
            String primary = config.brokerListener().name();
            for (Map.Entry<String, InetSocketAddress> listener : server.clientListeners().entrySet()) {
                if (!listener.getKey().equals(primary)) {
                    System.out.printf("  also, on %s: %s%n", listener.getKey(), listener.getValue());
                }
            }
        } else {
            System.out.printf("  controller only: no Kafka client listener%n");
        }
        node.httpAddress().ifPresent(http -> System.out.printf("  HTTP:          http://%s:%d (/health/live,"
                + " /health/ready, /metrics)%n", config.httpListener().orElseThrow().host().isEmpty()
                ? "localhost" : config.httpListener().orElseThrow().host(), http.getPort()));
        for (Path dir : config.logDirs()) {
            System.out.printf("  data:          %s%n", dir.toAbsolutePath().normalize());
        }
        System.out.flush();
        stopped.await();
        return 0;
    }
}
