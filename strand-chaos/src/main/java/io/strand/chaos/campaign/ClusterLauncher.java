package io.strand.chaos.campaign;

import io.strand.chaos.ChaosCluster;
import io.strand.chaos.DiskLab;
import io.strand.chaos.KafkaChaosCluster;
import io.strand.chaos.NetworkLab;
import io.strand.chaos.StrandChaosCluster;
import io.strand.testkit.StrandCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Starts a fresh cluster of one system, a node in each of a {@link NetworkLab}'s namespaces, its
 * configuration and output under a directory and each node's data on its {@link DiskLab} filesystem
 * when there is one; returns once every node serves clients. Every system runs with the same
 * settings where it has them: failure detection of {@value #SESSION_TIMEOUT_MS} ms, heartbeats every
 * {@value #HEARTBEAT_INTERVAL_MS} ms (Kafka's further defaults: {@link KafkaChaosCluster#DEFAULTS}).
 * A new system is one more entry in {@link #systems()}.
 */
@FunctionalInterface
public interface ClusterLauncher {

    /** {@code disks}: where each node keeps its data, or null for the directory {@code dir}. */
    ChaosCluster start(NetworkLab lab, DiskLab disks, Path dir);

    /** Node failure detection a few seconds long, so that faults of a few seconds move leadership. */
    int SESSION_TIMEOUT_MS = 3_000;
    int HEARTBEAT_INTERVAL_MS = 500;

    /** The system property naming the file with Apache Kafka's class path (its jars, without Strand's). */
    String KAFKA_CLASSPATH_FILE = "kafka.classpath.file";

    /** The systems a campaign can run against, by name. */
    static Map<String, ClusterLauncher> systems() {
        return Map.of("strand", ClusterLauncher::strand, "kafka", ClusterLauncher::kafka);
    }

    /**
     * Strand nodes as child JVMs of this one (same class path), each in its lab namespace; with disks,
     * node n's one log dir (and so its metadata log, which follows the first) on node n's filesystem.
     */
    static ChaosCluster strand(NetworkLab lab, DiskLab disks, Path dir) {
        StrandCluster.Builder builder = StrandCluster.builder(dir).nodes(lab.nodes())
                .property("broker.session.timeout.ms", Integer.toString(SESSION_TIMEOUT_MS))
                .property("broker.heartbeat.interval.ms", Integer.toString(HEARTBEAT_INTERVAL_MS));
        for (int node = 1; node <= lab.nodes(); node++) {
            builder.host(node, lab.address(node)).commandPrefix(node, lab.execPrefix(node));
            if (disks != null) {
                builder.nodeProperty(node, "log.dirs", disks.dataDir(node).resolve("logs").toString());
            }
        }
        return new StrandChaosCluster(builder.start());
    }

    /** Apache Kafka 4.3.1 KRaft nodes ({@link KafkaChaosCluster}), from the class path {@link #kafkaClassPath()} names. */
    static ChaosCluster kafka(NetworkLab lab, DiskLab disks, Path dir) {
        KafkaChaosCluster.Builder builder = KafkaChaosCluster.builder(dir, kafkaClassPath(), lab)
                .property("broker.session.timeout.ms", Integer.toString(SESSION_TIMEOUT_MS))
                .property("broker.heartbeat.interval.ms", Integer.toString(HEARTBEAT_INTERVAL_MS));
        if (disks != null) {
            builder.disks(disks);
        }
        return builder.start();
    }

    /**
     * Apache Kafka's jars and their runtime dependencies, read from the file the system property
     * {@value #KAFKA_CLASSPATH_FILE} names (the build writes {@code strand-chaos/target/kafka.classpath}).
     *
     * @throws IllegalStateException if the property is not set or the file cannot be read
     */
    static String kafkaClassPath() {
        String file = System.getProperty(KAFKA_CLASSPATH_FILE);
        if (file == null) {
            throw new IllegalStateException("-D" + KAFKA_CLASSPATH_FILE + " is not set: Kafka's class path is unknown");
        }
        try {
            return Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(KAFKA_CLASSPATH_FILE + "=" + file + " cannot be read", e);
        }
    }
}
