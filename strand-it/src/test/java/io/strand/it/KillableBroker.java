package io.strand.it;

import io.strand.testkit.StrandProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A {@link StrandProcess} on client and controller ports fixed for its whole life, so that clients
 * built once keep reaching it across SIGKILL and restart on the same data, as they would a real
 * broker's address: a producer retries its batches and a consumer its commits against the new
 * process instead of being rebuilt.
 *
 * <p>Not thread-safe: one test thread kills and restarts it; client threads only connect to it.
 */
final class KillableBroker implements AutoCloseable {

    private final String bootstrapServers;
    private StrandProcess process;

    private KillableBroker(String bootstrapServers, StrandProcess process) {
        this.bootstrapServers = bootstrapServers;
        this.process = process;
    }

    /** Starts a node on {@code dataDir} with {@code props} and two free loopback ports kept for restarts. */
    static KillableBroker start(Path dataDir, Map<String, String> props) {
        int clientPort = freePort();
        int controllerPort = freePort();
        Map<String, String> all = new HashMap<>(props);
        all.put("listeners", "PLAINTEXT://127.0.0.1:" + clientPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        all.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        StrandProcess process = StrandProcess.start(dataDir, all);
        String bootstrap = process.bootstrapServers();
        if (!bootstrap.endsWith(":" + clientPort)) {
            process.close();
            throw new IllegalStateException("node listens on " + bootstrap + ", expected port=" + clientPort);
        }
        return new KillableBroker(bootstrap, process);
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    /** SIGKILLs the node and waits until it is gone. */
    void kill() {
        process.kill9();
    }

    /** Starts the killed node again on the same data and ports; returns once it serves clients. */
    void restart() {
        process = process.restart();
        if (!process.bootstrapServers().equals(bootstrapServers)) {
            throw new IllegalStateException("restarted node listens on " + process.bootstrapServers()
                    + ", expected " + bootstrapServers);
        }
    }

    @Override
    public void close() {
        process.close();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
