package io.strand.common.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports for listeners a test must name before it binds them (a quorum's voters, whose
 * addresses every voter is given up front).
 *
 * <p>Contract: {@link #reserve} returns a port that was free a moment ago and lies below the kernel's
 * ephemeral range ({@code /proc/sys/net/ipv4/ip_local_port_range}, 32768–60999 by default). A port the
 * kernel hands out itself ({@code new ServerSocket(0)}) is an ephemeral one, which any outgoing
 * connection may take as its local port before the test binds it — and a quorum whose voters keep
 * connecting to a voter not yet started makes many such connections; outside that range only another
 * test choosing the same port can. Thread-safe.
 */
public final class FreePorts {

    private static final int LOWEST = 10_000;
    private static final int ATTEMPTS = 200;

    private FreePorts() {
    }

    /** A loopback port below the ephemeral range that was free when checked. */
    public static int reserve() {
        int below = ephemeralLow();
        for (int i = 0; i < ATTEMPTS; i++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, below);
            if (free(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free loopback port in [" + LOWEST + ", " + below + ") after " + ATTEMPTS
                + " tries");
    }

    private static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The first port of the kernel's ephemeral range. */
    static int ephemeralLow() {
        Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        try {
            if (Files.isReadable(range)) {
                int low = Integer.parseInt(Files.readString(range).trim().split("\\s+")[0]);
                if (low > LOWEST + 1_000) {
                    return low;
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new UncheckedIOException(new IOException("cannot read " + range, e));
        }
        return 32_768;
    }
}
