package io.strand.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.strand.broker.network.tls.ServerTls;
import io.strand.common.config.BrokerConfig;
import io.strand.common.tls.TestPki;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.KeyStore;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.common.config.SslClientAuth;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Record data read from a segment file reaches a TLS client whole and in order through the TLS handler
 * an SSL listener puts in front of the {@link FileRegionReader} ({@link FileRegionReader#addWithTls}),
 * with either engine, and goes to the socket as one buffer per chunk rather than one per TLS record.
 */
class TlsFileRegionTest {

    @TempDir
    static Path dir;
    private static TestPki pki;
    private static TestPki.Identity broker;

    @BeforeAll
    static void certificates() {
        pki = TestPki.create(dir.resolve("pki"));
        broker = pki.issue("broker", "CN=broker,O=Strand", "localhost", "127.0.0.1");
    }

    @AfterEach
    void clearEngine() {
        System.clearProperty(ServerTls.ENGINE_PROPERTY);
    }

    @ParameterizedTest
    @EnumSource(ServerTls.Engine.class)
    void aRegionReachesTheClientWholeOneBufferPerChunk(ServerTls.Engine engine) throws Exception {
        System.setProperty(ServerTls.ENGINE_PROPERTY, engine.name().toLowerCase(Locale.ROOT));
        ServerTls tls = ServerTls.of("SSL", BrokerConfig.of(Map.of(
                "listeners", "SSL://127.0.0.1:0,CONTROLLER://127.0.0.1:9093",
                "listener.security.protocol.map", "SSL:SSL,CONTROLLER:PLAINTEXT",
                "ssl.keystore.type", "PKCS12", "ssl.keystore.location", broker.keystore("PKCS12").toString(),
                "ssl.keystore.password", TestPki.PASSWORD)).listenerValues("SSL"), SslClientAuth.NONE);
        assertThat(tls.engine()).isEqualTo(engine);
        byte[] data = new byte[3 * FileRegionReader.CHUNK_BYTES + 1000];
        new Random(42).nextBytes(data);
        Path segment = Files.write(dir.resolve("segment-" + engine + ".log"), data);

        EmbeddedChannel channel = new EmbeddedChannel();
        FileRegionReader.addWithTls(channel.pipeline(),
                tls.newHandler(channel.alloc(), new InetSocketAddress("127.0.0.1", 40000)));
        Client client = new Client();
        client.handshake(channel);

        try (FileChannel file = FileChannel.open(segment, StandardOpenOption.READ)) {
            SharedFileRegion region = new SharedFileRegion(file, 500, data.length - 700);
            channel.write(Unpooled.copiedBuffer("head", StandardCharsets.US_ASCII));
            channel.write(region);
            channel.write(Unpooled.copiedBuffer("tail", StandardCharsets.US_ASCII));
            channel.flush();
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            expected.writeBytes("head".getBytes(StandardCharsets.US_ASCII));
            expected.write(data, 500, data.length - 700);
            expected.writeBytes("tail".getBytes(StandardCharsets.US_ASCII));

            int buffers = client.readUntil(channel, expected.size());

            assertThat(client.plain.toByteArray()).isEqualTo(expected.toByteArray());
            // About 48 TLS records of 16 KiB, several to a buffer where Netty's default wraps one a
            // buffer; with OpenSSL one buffer per chunk (4) and at most two more for the small parts
            // around the region (the JDK engine's wraps stop a little short of a whole chunk).
            assertThat(client.records).isGreaterThan(3 * FileRegionReader.CHUNK_BYTES / (16 * 1024));
            assertThat(buffers).isLessThanOrEqualTo(client.records / 4);
            if (engine == ServerTls.Engine.OPENSSL) {
                assertThat(buffers).isLessThanOrEqualTo(6);
            }
            assertThat(region.refCnt()).isZero();
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    /** A JDK TLS client trusting the test CA, fed with what the channel writes. */
    private static final class Client {
        final SSLEngine engine;
        final ByteBuffer fromServer = ByteBuffer.allocate(4 << 20);
        final ByteBuffer app = ByteBuffer.allocate(1 << 20);
        final ByteArrayOutputStream plain = new ByteArrayOutputStream();
        int records;

        Client() throws Exception {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            try (var in = Files.newInputStream(pki.truststore("PKCS12"))) {
                trust.load(in, TestPki.PASSWORD.toCharArray());
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            engine = context.createSSLEngine("localhost", 9093);
            engine.setUseClientMode(true);
        }

        void handshake(EmbeddedChannel channel) throws SSLException {
            ByteBuffer toServer = ByteBuffer.allocate(64 * 1024);
            engine.beginHandshake();
            for (int round = 0; round < 50 && !handshakeDone(); round++) {
                toServer.clear();
                engine.wrap(ByteBuffer.allocate(0), toServer);
                Runnable task;
                while ((task = engine.getDelegatedTask()) != null) {
                    task.run();
                }
                toServer.flip();
                if (toServer.hasRemaining()) {
                    channel.writeInbound(Unpooled.copiedBuffer(toServer));
                }
                channel.runPendingTasks();
                receive(channel);
                unwrapAll();
            }
            assertThat(handshakeDone()).as("handshake done").isTrue();
        }

        private boolean handshakeDone() {
            SSLEngineResult.HandshakeStatus status = engine.getHandshakeStatus();
            return status == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING
                    && engine.getSession().getProtocol().startsWith("TLS");
        }

        /** Decrypts what the channel writes until {@code bytes} arrived; returns the buffers written. */
        int readUntil(EmbeddedChannel channel, int bytes) throws SSLException {
            int buffers = 0;
            for (int round = 0; round < 1000 && plain.size() < bytes; round++) {
                channel.runPendingTasks();
                buffers += receive(channel);
                unwrapAll();
            }
            return buffers;
        }

        private int receive(EmbeddedChannel channel) {
            int buffers = 0;
            ByteBuf out;
            while ((out = channel.readOutbound()) != null) {
                buffers++;
                fromServer.put(out.nioBuffer());
                out.release();
            }
            return buffers;
        }

        private void unwrapAll() throws SSLException {
            fromServer.flip();
            while (fromServer.hasRemaining()) {
                app.clear();
                SSLEngineResult result = engine.unwrap(fromServer, app);
                Runnable task;
                while ((task = engine.getDelegatedTask()) != null) {
                    task.run();
                }
                if (result.bytesProduced() > 0) {
                    records++;
                    plain.write(app.array(), 0, app.position());
                }
                if (result.getStatus() != SSLEngineResult.Status.OK || result.bytesConsumed() == 0) {
                    break;
                }
            }
            fromServer.compact();
        }
    }
}
