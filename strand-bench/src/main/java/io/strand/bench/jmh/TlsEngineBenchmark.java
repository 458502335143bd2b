package io.strand.bench.jmh;

import io.netty.buffer.ByteBufAllocator;
import io.strand.broker.network.tls.ServerTls;
import io.strand.common.config.BrokerConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What TLS costs a broker per byte, with each engine an SSL listener can run ({@link ServerTls}: OpenSSL
 * through netty-tcnative, or the JDK's): {@code encrypt} is the server engine wrapping 16 KiB of record
 * data into one TLS record (what every byte a consumer fetches costs), {@code decrypt} a JDK client
 * engine's record unwrapped by the server engine (what a producer's bytes cost, the client's wrap
 * included in the time). One op is one TLS record of about 16 KiB (the JDK client fills 16,367 bytes);
 * ops/s × 16 KiB is the throughput of one core. Setup checks one record each way went through whole. TLS 1.3
 * (AES-256-GCM, both engines' first choice), over an EC P-256 key made with the JDK's keytool at setup;
 * the handshake is done once in setup.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
@Fork(jvmArgsAppend = "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn")
public class TlsEngineBenchmark {

    static final int RECORD_BYTES = 16 * 1024;

    @Param({"OPENSSL", "JDK"})
    public ServerTls.Engine engine;

    private Path dir;
    private SSLEngine server;
    private SSLEngine client;
    private final ByteBuffer plain = ByteBuffer.allocateDirect(RECORD_BYTES);
    private ByteBuffer cipher;
    private ByteBuffer received;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("strand-tls-bench-");
        Path keystore = dir.resolve("server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost", "-alias", "server",
                "-validity", "2", "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", "benchpass")
                .inheritIO().start();
        if (keytool.waitFor() != 0) {
            throw new IllegalStateException("keytool failed");
        }
        System.setProperty(ServerTls.ENGINE_PROPERTY, engine.name().toLowerCase(java.util.Locale.ROOT));
        BrokerConfig config = BrokerConfig.of(Map.of(
                "listeners", "SSL://127.0.0.1:0,CONTROLLER://127.0.0.1:9093",
                "listener.security.protocol.map", "SSL:SSL,CONTROLLER:PLAINTEXT",
                "ssl.keystore.type", "PKCS12", "ssl.keystore.location", keystore.toString(),
                "ssl.keystore.password", "benchpass"));
        ServerTls tls = ServerTls.of("SSL", config.listenerValues("SSL"),
                org.apache.kafka.common.config.SslClientAuth.NONE);
        if (tls.engine() != engine) {
            throw new IllegalStateException("asked for " + engine + ", got " + tls.engine());
        }
        server = tls.newHandler(ByteBufAllocator.DEFAULT, new InetSocketAddress("127.0.0.1", 40000)).engine();
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(null, new TrustManager[] {new TrustingEveryone()}, null);
        client = context.createSSLEngine("localhost", 9093);
        client.setUseClientMode(true);
        cipher = ByteBuffer.allocateDirect(server.getSession().getPacketBufferSize() * 2);
        received = ByteBuffer.allocateDirect(server.getSession().getApplicationBufferSize() * 2);
        handshake();
        while (plain.hasRemaining()) {
            plain.put((byte) plain.position());
        }
        // A record that did not go through would be measured as fast: check one each way.
        int encrypted = encrypt();
        int decrypted = decrypt();
        // The JDK client puts a little less than 16 KiB in one record (16,367 bytes here).
        if (encrypted <= RECORD_BYTES || decrypted < RECORD_BYTES - 64) {
            throw new IllegalStateException(engine + " did not carry a whole record: encrypted " + encrypted
                    + " bytes, decrypted " + decrypted + "; " + server.wrap(plain.clear(), cipher.clear()));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        System.clearProperty(ServerTls.ENGINE_PROPERTY);
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    /** The server encrypts one 16 KiB record (a consumer's fetch). */
    @Benchmark
    public int encrypt() throws SSLException {
        plain.clear();
        cipher.clear();
        SSLEngineResult result = server.wrap(plain, cipher);
        return result.bytesProduced();
    }

    /** A client encrypts one 16 KiB record and the server decrypts it (a producer's batch). */
    @Benchmark
    public int decrypt() throws SSLException {
        plain.clear();
        cipher.clear();
        client.wrap(plain, cipher);
        cipher.flip();
        received.clear();
        return server.unwrap(cipher, received).bytesProduced();
    }

    private void handshake() throws SSLException {
        ByteBuffer toServer = ByteBuffer.allocate(64 * 1024);
        ByteBuffer toClient = ByteBuffer.allocate(64 * 1024);
        ByteBuffer sink = ByteBuffer.allocate(64 * 1024);
        ByteBuffer empty = ByteBuffer.allocate(0);
        client.beginHandshake();
        server.beginHandshake();
        for (int round = 0; round < 100; round++) {
            client.wrap(empty, toServer);
            toServer.flip();
            server.unwrap(toServer, sink.clear());
            toServer.compact();
            runTasks(server);
            server.wrap(empty, toClient);
            toClient.flip();
            client.unwrap(toClient, sink.clear());
            toClient.compact();
            runTasks(client);
            if (finished(client) && finished(server)) {
                return;
            }
        }
        throw new IllegalStateException("no handshake: client " + client.getHandshakeStatus() + ", server "
                + server.getHandshakeStatus());
    }

    private static boolean finished(SSLEngine engine) {
        SSLEngineResult.HandshakeStatus status = engine.getHandshakeStatus();
        return status == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING
                || status == SSLEngineResult.HandshakeStatus.FINISHED;
    }

    private static void runTasks(SSLEngine engine) {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
    }

    /** The benchmark's client checks nothing: only the cost of the record layer is measured. */
    private static final class TrustingEveryone implements X509TrustManager {
        @Override
        public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {
        }

        @Override
        public java.security.cert.X509Certificate[] getAcceptedIssuers() {
            return new java.security.cert.X509Certificate[0];
        }
    }
}
