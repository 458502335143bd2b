package io.strand.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts Strand the way {@code ./strand server} does ({@code io.strand.server.StrandMain server}, the
 * jars of {@code strand-server/target}), with every setting given as {@code -o name=value}: Kafka's
 * property names, so the broker settings shared with the Kafka run mean the same thing. No class-data
 * archive is used, so that both brokers start from plain jars with the same JVM options.
 *
 * <p>Stateless and thread-safe.
 */
final class StrandLauncher implements BrokerLauncher {

    static final String MAIN_CLASS = "io.strand.server.StrandMain";
    private static final int NODE_ID = 1;

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
        List<String> args = new ArrayList<>(List.of("server"));
        addOverride(args, "node.id", Integer.toString(NODE_ID));
        addOverride(args, "listeners", "PLAINTEXT://127.0.0.1:" + clientPort
                + ",CONTROLLER://127.0.0.1:" + controllerPort);
        addOverride(args, "controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
        addOverride(args, "log.dirs", dataDir.toAbsolutePath().toString());
        sharedProps.forEach((name, value) -> addOverride(args, name, value));
        return ChildJvm.command(jvmOptions, classPath, MAIN_CLASS, args);
    }

    private static void addOverride(List<String> args, String name, String value) {
        args.add("-o");
        args.add(name + "=" + value);
    }
}
