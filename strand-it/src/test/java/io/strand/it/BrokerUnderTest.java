package io.strand.it;

import io.strand.testkit.KafkaReference;
import io.strand.testkit.StrandNode;
import io.strand.testkit.StrandProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The single node an integration test class talks to, as a JUnit 5 extension: registered on a
 * static field, it starts the node before the class's first test (and before its own
 * {@code @BeforeAll} methods) in a fresh temporary directory, and after the last test closes the
 * {@link #admin() Admin} it handed out, stops the node (its threads and ports) and deletes the
 * directory.
 *
 * <pre>{@code
 * class SomethingIT {
 *     @RegisterExtension
 *     static final BrokerUnderTest broker = BrokerUnderTest.chosenForTheRun()
 *             .withProperties(Map.of("group.initial.rebalance.delay.ms", "0"));
 *
 *     @Test
 *     void someBehaviour() throws Exception {
 *         broker.admin().createTopics(List.of(new NewTopic("t", 1, (short) 1))).all().get();
 *         ... clients on broker.bootstrapServers() ...
 *     }
 * }
 * }</pre>
 *
 * <p>Which node runs is decided here, in one place:
 * <ul>
 *   <li>{@link #chosenForTheRun()}: Strand in this JVM by default, Apache Kafka 4.3.1
 *       ({@link KafkaReference}) with {@code -Dstrand.it.broker=kafka}. The {@code kafka-reference}
 *       failsafe execution sets that property, so the same tests check that what they expect is
 *       what Kafka does; a test class joins that execution by being listed in its includes.</li>
 *   <li>{@link #strand()}: always Strand in this JVM, for tests of Strand's own behaviour.</li>
 *   <li>{@link #strandProcess(List)}: always Strand in a child JVM with the given JVM options, for
 *       tests that must see the node die ({@link #process()}).</li>
 * </ul>
 * Properties given with {@link #withProperties} are Kafka's names, which both brokers understand,
 * and go over each node's test defaults.
 *
 * <p>Not thread-safe: JUnit's thread starts and stops it; tests read it from the same thread. A test
 * that restarts or kills its node starts one of its own instead.
 */
final class BrokerUnderTest implements BeforeAllCallback, AfterAllCallback {

    /** Which broker implementation answers. */
    enum Kind {
        /** Apache Kafka from the Maven Central jars ({@link KafkaReference}). */
        APACHE_KAFKA,
        /** Strand ({@link StrandNode} or {@link StrandProcess}). */
        STRAND
    }

    /** Where a Strand node runs. */
    private enum Launch {
        /** {@link Kind} as {@link #selected()} says, in this JVM. */
        CHOSEN_FOR_THE_RUN,
        /** Strand in this JVM. */
        STRAND_IN_PROCESS,
        /** Strand in a child JVM. */
        STRAND_PROCESS
    }

    /** System property naming the implementation: {@code strand} (the default) or {@code kafka}. */
    static final String BROKER_PROPERTY = "strand.it.broker";

    private final Launch launch;
    private final Map<String, String> props;
    private final List<String> jvmOptions;

    /** The test class whose {@code afterAll} stops the node; null while stopped. */
    private Class<?> owner;
    private Path rootDir;
    private Kind kind;
    private AutoCloseable node;
    private StrandProcess process;
    private String bootstrapServers;
    private Admin admin;

    private BrokerUnderTest(Launch launch, Map<String, String> props, List<String> jvmOptions) {
        this.launch = launch;
        this.props = Map.copyOf(props);
        this.jvmOptions = List.copyOf(jvmOptions);
    }

    /** Strand, or Apache Kafka when {@value #BROKER_PROPERTY}{@code =kafka}; in this JVM. */
    static BrokerUnderTest chosenForTheRun() {
        return new BrokerUnderTest(Launch.CHOSEN_FOR_THE_RUN, Map.of(), List.of());
    }

    /** Strand in this JVM, whatever {@value #BROKER_PROPERTY} says. */
    static BrokerUnderTest strand() {
        return new BrokerUnderTest(Launch.STRAND_IN_PROCESS, Map.of(), List.of());
    }

    /** Strand in a child JVM started with {@code jvmOptions} (for example {@code -Xmx96m}). */
    static BrokerUnderTest strandProcess(List<String> jvmOptions) {
        return new BrokerUnderTest(Launch.STRAND_PROCESS, Map.of(), jvmOptions);
    }

    /** The same node with {@code overrides} over the properties given so far. */
    BrokerUnderTest withProperties(Map<String, String> overrides) {
        Map<String, String> all = new LinkedHashMap<>(props);
        all.putAll(overrides);
        return new BrokerUnderTest(launch, all, jvmOptions);
    }

    /** Strand, unless the system property {@value #BROKER_PROPERTY} says {@code kafka}. */
    static Kind selected() {
        String name = System.getProperty(BROKER_PROPERTY, "strand");
        return switch (name) {
            case "strand" -> Kind.STRAND;
            case "kafka" -> Kind.APACHE_KAFKA;
            default -> throw new IllegalArgumentException(
                    BROKER_PROPERTY + "=" + name + " is neither strand nor kafka");
        };
    }

    /** Starts the node for the class that registered it; its {@code @Nested} classes share that node. */
    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        if (owner != null) {
            return;
        }
        owner = context.getRequiredTestClass();
        rootDir = Files.createTempDirectory("strand-it-" + owner.getSimpleName() + "-");
        Path dataDir = dataDir();
        switch (launch) {
            case CHOSEN_FOR_THE_RUN -> {
                if (selected() == Kind.APACHE_KAFKA) {
                    KafkaReference kafka = KafkaReference.start(dataDir, props);
                    started(Kind.APACHE_KAFKA, kafka, kafka.bootstrapServers());
                } else {
                    startStrandInProcess(dataDir);
                }
            }
            case STRAND_IN_PROCESS -> startStrandInProcess(dataDir);
            case STRAND_PROCESS -> {
                process = StrandProcess.start(dataDir, props, jvmOptions);
                started(Kind.STRAND, process, process.bootstrapServers());
            }
        }
    }

    private void startStrandInProcess(Path dataDir) {
        StrandNode strand = StrandNode.start(dataDir, props);
        started(Kind.STRAND, strand, strand.bootstrapServers());
    }

    private void started(Kind startedKind, AutoCloseable startedNode, String address) {
        kind = startedKind;
        node = startedNode;
        bootstrapServers = address;
    }

    /** Closes the admin client and the node, then deletes the directory; the first failure is thrown. */
    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (context.getRequiredTestClass() != owner) {
            return;
        }
        owner = null;
        Exception failure = null;
        if (admin != null) {
            try {
                admin.close();
            } catch (RuntimeException e) {
                failure = e;
            }
            admin = null;
        }
        if (node != null) {
            try {
                node.close();
            } catch (Exception e) {
                failure = addTo(failure, e);
            }
            node = null;
            process = null;
        }
        if (rootDir != null) {
            try {
                deleteRecursively(rootDir);
            } catch (IOException | UncheckedIOException e) {
                failure = addTo(failure, e);
            }
            rootDir = null;
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Which implementation answers. */
    Kind kind() {
        requireStarted();
        return kind;
    }

    /** {@code host:port} for a client's {@code bootstrap.servers}. */
    String bootstrapServers() {
        requireStarted();
        return bootstrapServers;
    }

    /** An admin client on this node, made on first use, shared by the class's tests and closed with the node. */
    Admin admin() {
        requireStarted();
        if (admin == null) {
            admin = Admin.create(Map.<String, Object>of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
        }
        return admin;
    }

    /**
     * The node's data: Strand's {@code log.dirs}, Kafka's configuration (its logs in {@code logs/}
     * under it). A child JVM's output lies in the directory above.
     */
    Path dataDir() {
        if (rootDir == null) {
            throw notStarted();
        }
        return rootDir.resolve("node");
    }

    /** The child JVM of {@link #strandProcess(List)}. */
    StrandProcess process() {
        requireStarted();
        if (process == null) {
            throw new IllegalStateException("this node runs in the test's JVM (launch=" + launch + ")");
        }
        return process;
    }

    private void requireStarted() {
        if (node == null) {
            throw notStarted();
        }
    }

    private static IllegalStateException notStarted() {
        return new IllegalStateException("BrokerUnderTest has not started: register it on a static field with "
                + "@RegisterExtension and use it from tests or @BeforeAll methods");
    }

    private static Exception addTo(Exception first, Exception next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    private static void deleteRecursively(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
