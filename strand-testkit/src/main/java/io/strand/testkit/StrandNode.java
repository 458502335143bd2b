package io.strand.testkit;

import io.strand.broker.BrokerServer;
import io.strand.server.StrandServer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.utils.Time;

/**
 * A Strand node (broker + controller) running inside the test's JVM, on loopback with ephemeral
 * ports, its data in a directory the test owns. For tests of Strand and of applications that use it:
 *
 * <pre>{@code
 * try (StrandNode node = StrandNode.start(tempDir, Map.of("num.partitions", "3"))) {
 *     props.put("bootstrap.servers", node.bootstrapServers());
 *     ...
 * }
 * }</pre>
 *
 * With {@code strand.http.listener} set (e.g. {@code http://127.0.0.1:0}) the node also serves its
 * HTTP side (health, {@code /metrics}) at {@link #httpAddress()}.
 *
 * <p>Not thread-safe: one test thread drives it.
 */
public final class StrandNode implements AutoCloseable {

    private final Path dataDir;
    private final Map<String, String> overrides;
    private StrandServer server;

    private StrandNode(Path dataDir, Map<String, String> overrides, StrandServer server) {
        this.dataDir = dataDir;
        this.overrides = Map.copyOf(overrides);
        this.server = server;
    }

    /** Starts a node with data under {@code dataDir}; {@code props} override the test defaults. */
    public static StrandNode start(Path dataDir, Map<String, String> props) {
        return new StrandNode(dataDir, props, startServer(dataDir, props));
    }

    private static StrandServer startServer(Path dataDir, Map<String, String> props) {
        try {
            return StrandServer.start(BrokerServer.config(NodeProperties.forTest(dataDir, props)), Time.SYSTEM);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("Strand node did not start", e);
        }
    }

    /** host:port for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + server.broker().clientAddress().getPort();
    }

    public BrokerServer server() {
        return server.broker();
    }

    /** The HTTP listener's bound address, or empty without {@code strand.http.listener}. */
    public Optional<InetSocketAddress> httpAddress() {
        return server.httpAddress();
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Shuts down cleanly and starts again on the same data; the client port may change. */
    public StrandNode restart() {
        server.close();
        server = startServer(dataDir, overrides);
        return this;
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
            server = null;
        }
    }
}
