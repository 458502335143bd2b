package io.strand.it;

import java.nio.file.Path;
import java.util.Map;

/**
 * The single node the integration tests in this module talk to, seen only through its bootstrap
 * address. Every test class starts one in {@code @BeforeAll} on a {@code @TempDir} and closes it in
 * {@code @AfterAll}; which implementation runs is decided here, in one place.
 *
 * <p>Not thread-safe; owned by the test class that started it.
 */
final class BrokerUnderTest implements AutoCloseable {

    /** Which broker implementation answers. */
    enum Kind {
        /** Apache Kafka from the Maven Central jars ({@link KafkaReference}). */
        APACHE_KAFKA,
        /** Strand ({@code io.strand.testkit.StrandNode}). */
        STRAND
    }

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
        // TODO(strand-testkit): switch to Strand once StrandNode serves these APIs, i.e. replace the
        //  next two lines with
        //    StrandNode node = StrandNode.start(dataDir, Map.of());
        //    return new BrokerUnderTest(Kind.STRAND, node.bootstrapServers(), node);
        KafkaReference node = KafkaReference.start(dataDir, Map.of());
        return new BrokerUnderTest(Kind.APACHE_KAFKA, node.bootstrapServers(), node);
    }

    Kind kind() {
        return kind;
    }

    /** {@code host:port} for a client's {@code bootstrap.servers}. */
    String bootstrapServers() {
        return bootstrapServers;
    }

    /** Whether consumer groups (FindCoordinator, JoinGroup, …) are served; Strand has none yet. */
    boolean servesConsumerGroups() {
        return kind == Kind.APACHE_KAFKA;
    }

    @Override
    public void close() throws Exception {
        node.close();
    }
}
