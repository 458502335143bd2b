package io.strand.bench;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Starts Strand the way {@code ./strand server} does ({@code io.strand.server.StrandMain server}, the
 * jars of {@code strand-server/target}), with every setting given as {@code -o name=value}: Kafka's
 * property names, so the broker settings shared with the Kafka run mean the same thing. Like
 * {@code ./strand}, it passes the JVM flags Strand ships ({@link #SHIPPED_JVM_OPTIONS}) before the
 * shared ones and starts from the class-data archive {@code ./strand} records next to the jar
 * ({@code strand.jsa}) when there is one, with the same log options: both are part of how Strand
 * ships. Kafka gets neither ({@link KafkaLauncher}); the report says so, and the harness checks that
 * the JVM mapped the archive.
 *
 * <p>Stateless and thread-safe.
 */
final class StrandLauncher implements BrokerLauncher {

    static final String MAIN_CLASS = "io.strand.server.StrandMain";
    /**
     * The JVM flags {@code ./strand} ships ahead of the shared options (its {@code shipped_opts}):
     * part of how Strand runs, like the archive.
     */
    static final List<String> SHIPPED_JVM_OPTIONS = List.of("-XX:CompileThresholdScaling=3");
    /** What ./strand passes with its archive: the JVM's notes about archives stay out of the log. */
    static final List<String> ARCHIVE_LOG_OPTIONS = List.of("-Xlog:cds=off", "-Xlog:cds+dynamic=off");
    private static final int NODE_ID = 1;
    /**
     * The node serves HTTP and keeps its metrics as ./strand's does (on), on an ephemeral port: the
     * embedded default, localhost:8080, would be every cluster node's and may be taken on the machine.
     */
    static final String HTTP_LISTENER = "http://127.0.0.1:0";

    private final String classPath;
    private final List<String> jvmOptions;
    private final Map<String, String> sharedProps;

    /** {@code sharedProps}: broker settings both brokers get (partitions, flush policy). */
    StrandLauncher(String classPath, List<String> jvmOptions, Map<String, String> sharedProps) {
        this.classPath = classPath;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.sharedProps = Map.copyOf(sharedProps);
    }

    @Override
    public BrokerKind kind() {
        return BrokerKind.STRAND;
    }

    @Override
    public List<String> prepare(Path dataDir, int clientPort, int controllerPort, Path logDir) {
        return prepareWithHttp(dataDir, clientPort, controllerPort, HTTP_LISTENER);
    }

    /**
     * As {@link #prepare}, with {@code strand.http.listener} set to {@code httpListener}: a URL, or empty
     * for no HTTP listener and no metrics ({@link MetricsRun}).
     */
    List<String> prepareWithHttp(Path dataDir, int clientPort, int controllerPort, String httpListener) {
        List<String> args = new ArrayList<>(List.of("server"));
        addOverride(args, "node.id", Integer.toString(NODE_ID));
        addOverride(args, "listeners", "PLAINTEXT://127.0.0.1:" + clientPort
                + ",CONTROLLER://127.0.0.1:" + controllerPort);
        addOverride(args, "controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
        addOverride(args, "log.dirs", dataDir.toAbsolutePath().toString());
        addOverride(args, "strand.http.listener", httpListener);
        sharedProps.forEach((name, value) -> addOverride(args, name, value));
        return ChildJvm.command(brokerJvmOptions(), classPath, MAIN_CLASS, args);
    }

    /** As {@link #prepare}, with an SSL listener: Kafka's listener and ssl.keystore.* properties. */
    @Override
    public List<String> prepareWithSsl(Path dataDir, int clientPort, int sslPort, int controllerPort, TlsKeys keys,
            Path logDir) {
        List<String> args = new ArrayList<>(List.of("server"));
        addOverride(args, "node.id", Integer.toString(NODE_ID));
        addOverride(args, "listeners", "PLAINTEXT://127.0.0.1:" + clientPort + ",SSL://127.0.0.1:" + sslPort
                + ",CONTROLLER://127.0.0.1:" + controllerPort);
        addOverride(args, "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SSL:SSL,CONTROLLER:PLAINTEXT");
        addOverride(args, "controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
        addOverride(args, "log.dirs", dataDir.toAbsolutePath().toString());
        addOverride(args, "strand.http.listener", HTTP_LISTENER);
        sharedProps.forEach((name, value) -> addOverride(args, name, value));
        keys.brokerProps().forEach((name, value) -> addOverride(args, name, value));
        return ChildJvm.command(brokerJvmOptions(), classPath, MAIN_CLASS, args);
    }

    /** A node of a replicated cluster: the cluster's settings as overrides; Strand has no cluster id to format. */
    @Override
    public List<String> prepareClusterNode(Path dataDir, ReplicatedCluster.Node node,
            List<ReplicatedCluster.Node> nodes, String clusterId, Path logDir) {
        List<String> args = new ArrayList<>(List.of("server"));
        ReplicatedCluster.nodeProps(node, nodes, dataDir).forEach((name, value) -> addOverride(args, name, value));
        addOverride(args, "strand.http.listener", HTTP_LISTENER);
        return ChildJvm.command(brokerJvmOptions(), classPath, MAIN_CLASS, args);
    }

    /**
     * The shipped flags, the shared options, then, when ./strand has recorded it, the archive with
     * the log settings ./strand gives it.
     */
    @Override
    public List<String> brokerJvmOptions() {
        List<String> options = new ArrayList<>(SHIPPED_JVM_OPTIONS);
        options.addAll(jvmOptions);
        shippedArchive().ifPresent(archive -> {
            options.add(SHARED_ARCHIVE_OPTION + archive);
            options.addAll(ARCHIVE_LOG_OPTIONS);
        });
        return options;
    }

    /** {@code strand.jsa} beside the first class path entry (strand-server.jar), if ./strand made one. */
    private Optional<Path> shippedArchive() {
        String first = classPath.split(File.pathSeparator, 2)[0];
        Path archive = Path.of(first).toAbsolutePath().resolveSibling("strand.jsa");
        return Files.isRegularFile(archive) ? Optional.of(archive) : Optional.empty();
    }

    private static void addOverride(List<String> args, String name, String value) {
        args.add("-o");
        args.add(name + "=" + value);
    }
}
