package io.strand.server;

import io.strand.broker.BrokerServer;
import io.strand.common.config.BrokerConfig;
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
 * {@code strand server}: runs one node (broker and controller) until SIGTERM or Ctrl-C, then shuts
 * down cleanly (logs flushed, clean-shutdown marker written). Without {@code --config} it uses the
 * embedded defaults: listener localhost:9092, data in ./data.
 */
@Command(name = "server", description = "Run a Strand node (broker + controller).", mixinStandardHelpOptions = true)
final class ServerCommand implements Callable<Integer> {

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

    @Override
    public Integer call() throws Exception {
        long startNs = System.nanoTime();
        BrokerConfig config;
        try {
            Map<String, String> props = new LinkedHashMap<>();
            if (configFile != null) {
                props.putAll(ServerConfigFile.read(configFile));
            }
            props.putAll(overrides);
            config = BrokerServer.config(props);
        } catch (ConfigException e) {
            System.err.println("strand: invalid configuration: " + e.getMessage());
            return 2;
        }
        BrokerServer server = BrokerServer.start(config, Time.SYSTEM);
        if (trainingRun) {
            try {
                TrainingRun.run(server.clientAddress());
            } finally {
                server.close();
            }
            return 0;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("Strand shutting down");
            server.close();
            stopped.countDown();
        }, "strand-shutdown"));
        long readyMs = (System.nanoTime() - startNs) / 1_000_000;
        System.out.printf("Strand node %d ready in %d ms (JVM up %d ms)%n", config.nodeId(), readyMs,
                java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime());
        System.out.printf("  Kafka clients: %s%n", server.clientAddress());
        for (Path dir : config.logDirs()) {
            System.out.printf("  data:          %s%n", dir.toAbsolutePath().normalize());
        }
        System.out.flush();
        stopped.await();
        return 0;
    }
}
