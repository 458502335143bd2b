package io.strand.it;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy between Kafka clients and one broker that records every request frame a client sends
 * (the size prefix stripped: request header followed by body) under the label in force when it was
 * sent. Responses are copied through untouched; the broker must advertise the proxy's port so that
 * clients come back through it after Metadata.
 *
 * <p>Thread-safe: one accept thread and two copy threads per connection; {@link #label} and
 * {@link #frames} may be called from any thread.
 */
final class CapturingProxy implements AutoCloseable {

    /** A request frame as the client sent it, and the label of the scenario that sent it. */
    record Frame(String label, byte[] bytes) {

        short apiKey() {
            return ByteBuffer.wrap(bytes).getShort(0);
        }

        short apiVersion() {
            return ByteBuffer.wrap(bytes).getShort(2);
        }
    }

    private static final int MAX_FRAME_BYTES = 64 * 1024 * 1024;

    private final ServerSocket server;
    private final InetSocketAddress broker;
    private final List<Frame> frames = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private volatile String label = "unlabelled";

    /** Listens on loopback {@code port} and forwards every connection to {@code broker}. */
    CapturingProxy(int port, InetSocketAddress broker) throws IOException {
        this.server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
        this.broker = broker;
        this.acceptor = new Thread(this::acceptLoop, "capturing-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Labels the frames recorded from now on (the client and scenario that is about to run). */
    void label(String label) {
        this.label = label;
    }

    /** Every frame recorded so far, in the order received. */
    List<Frame> frames() {
        return new ArrayList<>(frames);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket();
                upstream.connect(broker, 5_000);
                sockets.add(client);
                sockets.add(upstream);
                start("capturing-proxy-requests", () -> copyRequests(client, upstream));
                start("capturing-proxy-responses", () -> copyBytes(upstream, client));
            } catch (IOException e) {
                // closed, or the broker refused one connection: the client sees a reset and retries
            }
        }
    }

    private static void start(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
    }

    private void copyRequests(Socket client, Socket upstream) {
        try (DataInputStream in = new DataInputStream(client.getInputStream())) {
            OutputStream out = upstream.getOutputStream();
            while (true) {
                int size = in.readInt();
                if (size < 0 || size > MAX_FRAME_BYTES) {
                    throw new IOException("frame size " + size);
                }
                byte[] frame = new byte[size];
                in.readFully(frame);
                if (size >= 8) {
                    frames.add(new Frame(label, frame));
                }
                out.write(ByteBuffer.allocate(4).putInt(size).array());
                out.write(frame);
                out.flush();
            }
        } catch (EOFException e) {
            // the client hung up
        } catch (IOException e) {
            // either side went away
        } finally {
            closeQuietly(client);
            closeQuietly(upstream);
        }
    }

    private static void copyBytes(Socket from, Socket to) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            in.transferTo(out);
        } catch (IOException e) {
            // either side went away
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already gone
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        sockets.forEach(CapturingProxy::closeQuietly);
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
