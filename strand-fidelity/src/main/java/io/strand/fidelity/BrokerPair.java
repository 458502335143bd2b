package io.strand.fidelity;

import io.strand.testkit.KafkaReference;
import io.strand.testkit.StrandNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A fresh Apache Kafka 4.3.1 node and a fresh Strand node in this JVM, each a single broker and KRaft
 * controller on loopback, with the same settings where Kafka's defaults suit one node badly (one
 * partition for new and internal topics, no initial rebalance delay, share record locks from 1 s), and any
 * more a scenario asks for ({@link Scenario#brokerConfig}, such as an authorizer). Their data lives in a temporary
 * directory that {@link #close} deletes. Not thread-safe.
 */
final class BrokerPair implements AutoCloseable {

    /**
     * The settings both nodes get (Kafka's names). The listener map is the one both would have anyway; set
     * on both, it is described as a static setting by both.
     */
    static final Map<String, String> SHARED = Map.of("num.partitions", "1", "offsets.topic.num.partitions", "1",
            "transaction.state.log.num.partitions", "1", "group.initial.rebalance.delay.ms", "0",
            "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            // a share group's record lock may be as short as 1 s (15 s by default), so that scenarios can let it expire
            "group.share.min.record.lock.duration.ms", "1000");

    private final Path dir;
    private final KafkaReference kafka;
    private final StrandNode strand;

    private BrokerPair(Path dir, KafkaReference kafka, StrandNode strand) {
        this.dir = dir;
        this.kafka = kafka;
        this.strand = strand;
    }

    static BrokerPair start() throws IOException {
        return start(Map.of());
    }

    /** Both nodes with {@link #SHARED} and {@code extra} (Kafka's names; {@code extra} wins). */
    static BrokerPair start(Map<String, String> extra) throws IOException {
        Map<String, String> settings = new HashMap<>(SHARED);
        settings.putAll(extra);
        Path dir = Files.createTempDirectory("strand-fidelity");
        KafkaReference kafka = KafkaReference.start(dir.resolve("kafka"), settings);
        try {
            return new BrokerPair(dir, kafka, StrandNode.start(dir.resolve("strand"), settings));
        } catch (RuntimeException e) {
            kafka.close();
            throw e;
        }
    }

    InetSocketAddress kafka() {
        return address(kafka.bootstrapServers());
    }

    InetSocketAddress strand() {
        return address(strand.bootstrapServers());
    }

    private static InetSocketAddress address(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    @Override
    public void close() {
        try {
            strand.close();
        } finally {
            kafka.close();
            try (Stream<Path> paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete dir=" + dir, e);
            }
        }
    }
}
