package io.strand.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Knows how to lay out one kind of broker's data directory and the command line that starts it as a
 * single node (broker and controller in one process) on two loopback ports.
 *
 * <p>{@link #prepare} does every untimed step (configuration files, storage formatting); the returned
 * command is what the harness times from process start to the first Metadata answer.
 */
interface BrokerLauncher {

    BrokerKind kind();

    /**
     * Prepares {@code dataDir} (empty) for a node whose client listener binds {@code clientPort} and
     * controller listener {@code controllerPort}, both on 127.0.0.1, and returns the command that
     * starts it. Helper output goes to files under {@code logDir}.
     */
    List<String> prepare(Path dataDir, int clientPort, int controllerPort, Path logDir);

    /**
     * As {@link #prepare}, with a third listener named {@code SSL} (security protocol SSL) on
     * {@code sslPort} of 127.0.0.1 serving {@code keys}' key store; the PLAINTEXT listener on
     * {@code clientPort} stays, and the broker advertises both.
     */
    List<String> prepareWithSsl(Path dataDir, int clientPort, int sslPort, int controllerPort, TlsKeys keys,
            Path logDir);

    /**
     * Prepares {@code dataDir} (empty) for {@code node} of the {@link ReplicatedCluster} of
     * {@code nodes} and returns the command that starts it. Every node of one cluster gets the same
     * {@code clusterId} (a Kafka cluster id, for brokers that format their storage with one). Helper
     * output goes to files under {@code logDir}. The command can be started again on the same data
     * directory after the node was killed.
     */
    List<String> prepareClusterNode(Path dataDir, ReplicatedCluster.Node node, List<ReplicatedCluster.Node> nodes,
            String clusterId, Path logDir);

    /** Every JVM option the broker's command gets, in order (not the class path). */
    List<String> brokerJvmOptions();

    /** The class-data archive the broker's JVM is told to map ({@code -XX:SharedArchiveFile}), if any. */
    default Optional<Path> classDataArchive() {
        return brokerJvmOptions().stream().filter(option -> option.startsWith(SHARED_ARCHIVE_OPTION))
                .map(option -> Path.of(option.substring(SHARED_ARCHIVE_OPTION.length()))).findFirst();
    }

    String SHARED_ARCHIVE_OPTION = "-XX:SharedArchiveFile=";
}
