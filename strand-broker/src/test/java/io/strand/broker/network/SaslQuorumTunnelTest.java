package io.strand.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.common.test.ThreadLeakCheck;
import io.strand.metadata.quorum.QuorumTunnel;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.sasl.Sasl;
import javax.security.sasl.SaslClient;
import javax.security.sasl.SaslException;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.security.authenticator.DefaultKafkaPrincipalBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The SASL tunnel in front of a server (here an echo server standing where the Raft server listens): a
 * connection to a node's local endpoint authenticates on the listener and then carries bytes both ways
 * unchanged, a megabyte at a time included; with a wrong password the local connection is closed and the
 * server behind the listener never sees a connection.
 */
class SaslQuorumTunnelTest {

    private static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required"
            + " username=\"controller\" password=\"secret\" user_controller=\"secret\";";

    private final ThreadLeakCheck threads = ThreadLeakCheck.start();
    private final AtomicInteger echoConnections = new AtomicInteger();
    private ServerSocket echo;
    private Thread echoThread;
    private SaslQuorumTunnel voterTunnel;
    private SaslQuorumTunnel clientTunnel;

    @AfterEach
    void close() throws Exception {
        if (clientTunnel != null) {
            clientTunnel.close();
        }
        if (voterTunnel != null) {
            voterTunnel.close();
        }
        if (echo != null) {
            echo.close();
            echoThread.join(5_000);
        }
        threads.assertNoNewThreads();
    }

    /** Echoes every connection's bytes back, one connection at a time. */
    private InetSocketAddress startEcho() throws IOException {
        echo = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        echoThread = new Thread(() -> {
            while (!echo.isClosed()) {
                try (Socket s = echo.accept()) {
                    echoConnections.incrementAndGet();
                    s.getInputStream().transferTo(s.getOutputStream());
                } catch (IOException e) {
                    // Closed.
                }
            }
        }, "echo");
        echoThread.start();
        return (InetSocketAddress) echo.getLocalSocketAddress();
    }

    /** PLAIN as the user controller, with the JDK's PLAIN client. */
    private static SaslLogin plain(String password) {
        return new SaslLogin() {
            @Override
            public String mechanism() {
                return "PLAIN";
            }

            @Override
            public String username() {
                return "controller";
            }

            @Override
            public SaslClient newClient(String host) throws SaslException {
                return Sasl.createSaslClient(new String[] {"PLAIN"}, null, "kafka", host, Map.of(), callbacks -> {
                    for (Callback callback : callbacks) {
                        if (callback instanceof NameCallback name) {
                            name.setName("controller");
                        } else if (callback instanceof PasswordCallback pw) {
                            pw.setPassword(password.toCharArray());
                        }
                    }
                });
            }
        };
    }

    private static SaslQuorumTunnel.Server server(long reauthMs) {
        ListenerSecurity security = new ListenerSecurity("CONTROLLER", SecurityProtocol.SASL_PLAINTEXT,
                Map.of("sasl.enabled.mechanisms", List.of("PLAIN"), "plain.sasl.jaas.config", JAAS,
                        "connections.max.reauth.ms", reauthMs),
                new DefaultKafkaPrincipalBuilder(null, null)::build);
        return new SaslQuorumTunnel.Server(security, new SaslMechanisms(security, ScramCredentialStore.NONE));
    }

    /** A voter's listener in front of the echo server, and another node's tunnel authenticating with {@code password}. */
    private InetSocketAddress localEndpoint(String password) throws IOException {
        return localEndpoint(password, 0);
    }

    private InetSocketAddress localEndpoint(String password, long reauthMs) throws IOException {
        InetSocketAddress raft = startEcho();
        voterTunnel = new SaslQuorumTunnel("CONTROLLER", server(reauthMs), plain("secret"),
                null, "voter");
        QuorumTunnel.Listener listener = voterTunnel.serve(new InetSocketAddress("127.0.0.1", 0), raft);
        clientTunnel = new SaslQuorumTunnel("CONTROLLER", null, plain(password),
                null, "broker");
        InetSocketAddress voter = InetSocketAddress.createUnresolved("127.0.0.1", listener.address().getPort());
        InetSocketAddress endpoint = clientTunnel.endpointFor(voter);
        assertThat(clientTunnel.endpointFor(voter)).as("one endpoint per voter").isEqualTo(endpoint);
        assertThat(endpoint.getAddress().isLoopbackAddress()).isTrue();
        return endpoint;
    }

    @Test
    void anAuthenticatedConnectionCarriesBytesBothWaysUnchanged() throws Exception {
        InetSocketAddress endpoint = localEndpoint("secret");
        byte[] sent = new byte[1 << 20];
        new Random(7).nextBytes(sent);
        try (Socket socket = new Socket(endpoint.getAddress(), endpoint.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            Thread writer = new Thread(() -> {
                try {
                    out.write(sent);
                    out.flush();
                } catch (IOException e) {
                    // The read below fails then.
                }
            }, "writer");
            writer.start();
            byte[] received = new byte[sent.length];
            new DataInputStream(socket.getInputStream()).readFully(received);
            writer.join(10_000);
            assertThat(received).isEqualTo(sent);
        }
        assertThat(echoConnections).hasValue(1);
    }

    @Test
    void aConnectionEndsWithItsSessionUnderConnectionsMaxReauthMs() throws Exception {
        InetSocketAddress endpoint = localEndpoint("secret", 300);
        try (Socket socket = new Socket(endpoint.getAddress(), endpoint.getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(42);
            InputStream in = socket.getInputStream();
            assertThat(in.read()).as("echoed once authenticated").isEqualTo(42);
            long startNs = System.nanoTime();
            assertThat(in.read()).as("ended at the session's end, by an end of stream (no reset)").isEqualTo(-1);
            assertThat(System.nanoTime() - startNs).isLessThan(5_000_000_000L);
        }
    }

    @Test
    void aWrongPasswordClosesTheLocalConnectionAndNothingReachesTheServer() throws Exception {
        InetSocketAddress endpoint = localEndpoint("wrong");
        try (Socket socket = new Socket(endpoint.getAddress(), endpoint.getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(new byte[] {1, 2, 3});
            // The bytes stay unread: closing the socket now would answer with a reset, which Ratis' netty
            // client cannot take without stalling its event loop (OrderlyClose).
            assertThat(socket.getInputStream().read()).as("ended by an end of stream, no reset").isEqualTo(-1);
        }
        assertThat(echoConnections).hasValue(0);
    }

    @Test
    void aVoterThatCannotBeReachedEndsTheLocalConnectionWithAnEndOfStream() throws Exception {
        int refusing;
        try (ServerSocket closed = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            refusing = closed.getLocalPort();
        }
        clientTunnel = new SaslQuorumTunnel("CONTROLLER", null, plain("secret"), null, "broker");
        InetSocketAddress endpoint = clientTunnel.endpointFor(InetSocketAddress.createUnresolved("127.0.0.1", refusing));
        try (Socket socket = new Socket(endpoint.getAddress(), endpoint.getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(new byte[] {1, 2, 3});
            InputStream in = socket.getInputStream();
            assertThat(in.read()).as("ended by an end of stream, no reset").isEqualTo(-1);
            socket.getOutputStream().write(new byte[] {4, 5});
            assertThat(in.read()).as("what follows the end is dropped, not reset").isEqualTo(-1);
        }
    }
}
