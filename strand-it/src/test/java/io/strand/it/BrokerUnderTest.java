package io.strand.it;

import io.strand.testkit.StrandNode;
import java.nio.file.Path;
import java.util.Map;

/**
 * The single node the third-party client tests in this module talk to, seen only through its
 * bootstrap address. Every test class starts one in {@code @BeforeAll} on a {@code @TempDir} and
 * closes it in {@code @AfterAll}. Which implementation runs is decided here, in one place: Strand by
 * default, Apache Kafka with {@code -Dstrand.it.broker=kafka}, which checks that what the tests
 * expect is what Kafka does.
 *
 * <p>Not thread-safe; owned by the test class that started it.
 */
final class BrokerUnderTest implements AutoCloseable {

    /** Which broker implementation answers. */
    enum Kind {
        /** Apache Kafka from the Maven Central jars ({@link KafkaReference}). */
        APACHE_KAFKA,
        /** Strand ({@link StrandNode}). */
        STRAND
    }

    /** System property naming the implementation: {@code strand} (the default) or {@code kafka}. */
    static final String BROKER_PROPERTY = "strand.it.broker";

    private final Kind kind;
    private final String bootstrapServers;
    private final AutoCloseable node;

    private BrokerUnderTest(Kind kind, String bootstrapServers, AutoCloseable node) {
        this.kind = kind;
        this.bootstrapServers = bootstrapServers;
        this.node = node;
    }

    /** Starts a fresh single node with its data under {@code dataDir}. */
    static BrokerUnderTest start(Path dataDir) {
        return start(dataDir, Map.of());
    }

    /**
     * Starts a fresh single node with its data under {@code dataDir} and the broker properties
     * {@code props} (Kafka's names, which both implementations understand) over the defaults.
     */
    static BrokerUnderTest start(Path dataDir, Map<String, String> props) {
        if (Kind.APACHE_KAFKA == selected()) {
            KafkaReference node = KafkaReference.start(dataDir, props);
            return new BrokerUnderTest(Kind.APACHE_KAFKA, node.bootstrapServers(), node);
        }
        StrandNode node = StrandNode.start(dataDir, props);
        return new BrokerUnderTest(Kind.STRAND, node.bootstrapServers(), node);
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

    Kind kind() {
        return kind;
    }

    /** {@code host:port} for a client's {@code bootstrap.servers}. */
    String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public void close() throws Exception {
        node.close();
    }
}
