package io.strand.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.ApiRegistry;
import io.strand.broker.network.ListenerSecurity;
import io.strand.broker.network.RequestContext;
import io.strand.broker.network.RequestHandlerPool;
import io.strand.broker.network.SocketBuffers;
import io.strand.broker.network.SocketServer;
import io.strand.broker.network.tls.ServerTls;
import io.strand.common.config.BrokerConfig;
import io.strand.common.tls.TestPki;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * SSL listeners, with either TLS engine: the handshake, who the client is (its certificate's subject
 * through the principal builder and ssl.principal.mapping.rules, ANONYMOUS without one), and
 * ssl.client.auth=required refusing a client without a certificate.
 */
class TlsListenerTest {

    @TempDir
    static Path dir;
    private static TestPki pki;
    private static TestPki.Identity broker;
    private static TestPki.Identity alice;

    private final RecordingMetadata metadata = new RecordingMetadata();
    private RequestHandlerPool pool;
    private SocketServer server;

    @BeforeAll
    static void certificates() {
        pki = TestPki.create(dir);
        broker = pki.issue("broker", "CN=broker,O=Strand", "localhost", "127.0.0.1");
        alice = pki.issue("alice", "CN=alice,OU=Eng,O=Strand");
    }

    @AfterEach
    void stop() {
        System.clearProperty(ServerTls.ENGINE_PROPERTY);
        if (server != null) {
            server.close();
        }
        if (pool != null) {
            pool.close();
        }
    }

    /** Metadata on the event loop, handing each request's context to the test. */
    private static final class RecordingMetadata implements ApiHandler<MetadataRequest> {
        final LinkedBlockingQueue<RequestContext> contexts = new LinkedBlockingQueue<>();

        @Override
        public ApiKeys apiKey() {
            return ApiKeys.METADATA;
        }

        @Override
        public ApiVersionsResponseData.ApiVersion advertisedVersions() {
            return ApiHandler.versions(apiKey(), (short) 0, apiKey().latestVersion());
        }

        @Override
        public RunsOn runsOn() {
            return RunsOn.EVENT_LOOP;
        }

        @Override
        public CompletableFuture<? extends ApiMessage> handle(RequestContext context, MetadataRequest request) {
            contexts.add(context);
            return CompletableFuture.completedFuture(new MetadataResponseData());
        }
    }

    private InetSocketAddress start(ServerTls.Engine engine, Map<String, String> listenerProps) throws Exception {
        System.setProperty(ServerTls.ENGINE_PROPERTY, engine.name().toLowerCase(java.util.Locale.ROOT));
        Map<String, String> props = new HashMap<>(Map.of(
                "listeners", "PLAINTEXT://127.0.0.1:0,SECURE://127.0.0.1:0,CONTROLLER://127.0.0.1:9093",
                "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SECURE:SSL,CONTROLLER:PLAINTEXT",
                "ssl.keystore.location", broker.keystore("PKCS12").toString(),
                "ssl.keystore.type", "PKCS12",
                "ssl.keystore.password", TestPki.PASSWORD,
                "ssl.truststore.location", pki.truststore("JKS").toString(),
                "ssl.truststore.password", TestPki.PASSWORD));
        listenerProps.forEach((name, value) -> props.put("listener.name.secure." + name, value));
        ListenerSecurity security = ListenerSecurities.of(BrokerConfig.of(props), "SECURE");
        assertThat(security.securityProtocol()).isEqualTo(SecurityProtocol.SSL);
        assertThat(security.tls().engine()).isEqualTo(engine);
        pool = new RequestHandlerPool(1);
        server = new SocketServer(security, new InetSocketAddress("127.0.0.1", 0), 1024 * 1024,
                new ApiRegistry().register(metadata), 1, pool, SocketBuffers.OS_DEFAULTS,
                io.strand.broker.network.ConnectionBounds.unlimited());
        return server.start();
    }

    @ParameterizedTest
    @EnumSource(ServerTls.Engine.class)
    void aClientCertificateNamesThePrincipalThroughTheMappingRules(ServerTls.Engine engine) throws Exception {
        InetSocketAddress address = start(engine, Map.of("ssl.client.auth", "required",
                "ssl.principal.mapping.rules", "RULE:^CN=(.*?),OU=Eng,O=Strand$/$1@eng/L,DEFAULT"));
        try (SSLSocket client = connect(address, alice)) {
            assertThat(request(client).principal()).isEqualTo(new KafkaPrincipal(KafkaPrincipal.USER_TYPE, "alice@eng"));
        }
    }

    @ParameterizedTest
    @EnumSource(ServerTls.Engine.class)
    void withDefaultRulesThePrincipalIsTheDistinguishedName(ServerTls.Engine engine) throws Exception {
        InetSocketAddress address = start(engine, Map.of("ssl.client.auth", "requested"));
        try (SSLSocket client = connect(address, alice)) {
            RequestContext context = request(client);
            assertThat(context.principal()).isEqualTo(new KafkaPrincipal(KafkaPrincipal.USER_TYPE, "CN=alice,OU=Eng,O=Strand"));
            assertThat(context.securityProtocol()).isEqualTo(SecurityProtocol.SSL);
            assertThat(context.listenerName()).isEqualTo("SECURE");
        }
        try (SSLSocket anonymous = connect(address, null)) {
            assertThat(request(anonymous).principal()).isEqualTo(KafkaPrincipal.ANONYMOUS);
        }
    }

    @ParameterizedTest
    @EnumSource(ServerTls.Engine.class)
    void aClientWithoutCertificateFailsTheHandshakeWhenOneIsRequired(ServerTls.Engine engine) throws Exception {
        InetSocketAddress address = start(engine, Map.of("ssl.client.auth", "required"));
        assertThatThrownBy(() -> {
            try (SSLSocket client = connect(address, null)) {
                request(client);
            }
        }).isInstanceOf(IOException.class);
        assertThat(metadata.contexts).isEmpty();
    }

    @Test
    void onSaslSslOnlyAClientAuthSetForTheListenerCounts() {
        // KIP-684: SASL authenticates the client there; a broker-wide ssl.client.auth is for SSL listeners.
        Map<String, String> props = Map.of(
                "listeners", "PLAINTEXT://127.0.0.1:0,SECURE://127.0.0.1:0,CONTROLLER://127.0.0.1:9093",
                "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SECURE:SSL,CONTROLLER:PLAINTEXT",
                "ssl.client.auth", "required");
        BrokerConfig global = BrokerConfig.of(props);
        assertThat(ListenerSecurities.clientAuth(global, "SECURE", SecurityProtocol.SSL, global.listenerValues("SECURE")))
                .isEqualTo(org.apache.kafka.common.config.SslClientAuth.REQUIRED);
        assertThat(ListenerSecurities.clientAuth(global, "SECURE", SecurityProtocol.SASL_SSL,
                global.listenerValues("SECURE"))).isEqualTo(org.apache.kafka.common.config.SslClientAuth.NONE);
        Map<String, String> perListener = new HashMap<>(props);
        perListener.put("listener.name.secure.ssl.client.auth", "requested");
        BrokerConfig own = BrokerConfig.of(perListener);
        assertThat(ListenerSecurities.clientAuth(own, "SECURE", SecurityProtocol.SASL_SSL, own.listenerValues("SECURE")))
                .isEqualTo(org.apache.kafka.common.config.SslClientAuth.REQUESTED);
    }

    @Test
    void anSslListenerWithoutKeyStoreIsRefusedAtStart() {
        BrokerConfig config = BrokerConfig.of(Map.of(
                "listeners", "SSL://127.0.0.1:0,CONTROLLER://127.0.0.1:9093",
                "listener.security.protocol.map", "SSL:SSL,CONTROLLER:PLAINTEXT"));
        assertThatThrownBy(() -> ListenerSecurities.of(config, "SSL")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("listener SSL is SSL but has no key store")
                .hasMessageContaining("ssl.keystore.location");
    }

    @Test
    void aKeyStoreThatCannotBeReadIsRefusedAtStart() {
        BrokerConfig config = BrokerConfig.of(Map.of(
                "listeners", "SSL://127.0.0.1:0,CONTROLLER://127.0.0.1:9093",
                "listener.security.protocol.map", "SSL:SSL,CONTROLLER:PLAINTEXT",
                "ssl.keystore.location", broker.keystore("JKS").toString(),
                "ssl.keystore.password", "wrong"));
        assertThatThrownBy(() -> ListenerSecurities.of(config, "SSL")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("listener SSL: cannot load the TLS key or trust store");
    }

    /** A client trusting the test CA, presenting {@code identity}'s certificate unless null; handshake done. */
    private static SSLSocket connect(InetSocketAddress address, TestPki.Identity identity) throws Exception {
        KeyStore trust = KeyStore.getInstance("JKS");
        try (var in = java.nio.file.Files.newInputStream(pki.truststore("JKS"))) {
            trust.load(in, TestPki.PASSWORD.toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (identity != null) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (var in = java.nio.file.Files.newInputStream(identity.keystore("PKCS12"))) {
                keys.load(in, TestPki.PASSWORD.toCharArray());
            }
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, TestPki.PASSWORD.toCharArray());
        }
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(address.getHostString(), address.getPort());
        socket.setSoTimeout(30_000);
        socket.startHandshake();
        return socket;
    }

    /** Sends a Metadata request, reads the answer and returns the context the handler saw. */
    private RequestContext request(SSLSocket socket) throws Exception {
        MetadataRequest request = new MetadataRequest(new MetadataRequestData(), (short) 12);
        ByteBuffer frame = request.serializeWithHeader(new RequestHeader(ApiKeys.METADATA, (short) 12, "test", 1));
        DataOutputStream out = new DataOutputStream(socket.getOutputStream());
        out.writeInt(frame.remaining());
        out.write(frame.array(), frame.arrayOffset() + frame.position(), frame.remaining());
        out.flush();
        DataInputStream in = new DataInputStream(socket.getInputStream());
        in.readFully(new byte[in.readInt()]);
        return metadata.contexts.poll(30, TimeUnit.SECONDS);
    }
}
