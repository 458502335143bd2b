package io.strand.broker.network.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.SslClientAuth;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.config.internals.BrokerSecurityConfigs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS side of one listener: makes the {@link SslHandler} that goes first in each accepted
 * connection's pipeline, from the listener's {@code ssl.*} properties (its key store, trust store,
 * {@code ssl.client.auth}, protocols and cipher suites).
 *
 * <p>Two engines, the same semantics: OpenSSL (BoringSSL through netty-tcnative) where it is
 * available, and the JDK's engine, built by kafka-clients' {@code DefaultSslEngineFactory} exactly as
 * Kafka builds it, otherwise. The JDK engine is also used when {@code ssl.provider} or
 * {@code ssl.secure.random.implementation} names a JSSE provider or algorithm, which OpenSSL cannot
 * honour, and when the system property {@value #ENGINE_PROPERTY} is {@code jdk} ({@code openssl}
 * insists on OpenSSL and fails without it). OpenSSL is preferred because it encrypts several times
 * faster than the JDK on the same core (see strand-bench's tls workload).
 *
 * <p>Immutable and thread-safe: every event loop of the listener calls {@link #newHandler}.
 */
public final class ServerTls {

    /** Which TLS implementation a listener runs. */
    public enum Engine {
        /** BoringSSL through netty-tcnative. */
        OPENSSL,
        /** The JDK's SSLEngine, as Kafka's DefaultSslEngineFactory builds it. */
        JDK
    }

    /** System property choosing the engine: {@code openssl}, {@code jdk}, or unset for OpenSSL where available. */
    public static final String ENGINE_PROPERTY = "strand.tls.engine";
    private static final Logger LOG = LoggerFactory.getLogger(ServerTls.class);

    private final Engine engine;
    private final TlsStores stores;
    /** Only for {@link Engine#OPENSSL}. */
    private final SslContext openSsl;

    private ServerTls(Engine engine, TlsStores stores, SslContext openSsl) {
        this.engine = engine;
        this.stores = stores;
        this.openSsl = openSsl;
    }

    /**
     * @param listenerName the listener, for messages
     * @param configs      the listener's effective properties (overrides applied, parsed)
     * @param clientAuth   whether clients must, may or need not present a certificate
     * @throws ConfigException if the listener has no key store or a store cannot be loaded
     */
    public static ServerTls of(String listenerName, Map<String, ?> configs, SslClientAuth clientAuth) {
        Map<String, Object> effective = new HashMap<>(configs);
        effective.put(BrokerSecurityConfigs.SSL_CLIENT_AUTH_CONFIG, clientAuth.name().toLowerCase(Locale.ROOT));
        String what = "listener " + listenerName;
        TlsStores stores = TlsStores.load(what, effective);
        if (!stores.hasKeyStore()) {
            stores.close();
            throw new ConfigException(what + " is SSL but has no key store: set " + SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG
                    + " (or " + SslConfigs.SSL_KEYSTORE_KEY_CONFIG + " with ssl.keystore.type=PEM), for this listener"
                    + " alone as listener.name." + listenerName.toLowerCase(Locale.ROOT) + ".ssl.keystore.location");
        }
        Engine engine = chooseEngine(stores);
        SslContext context = null;
        if (engine == Engine.OPENSSL) {
            try {
                context = openSslContext(stores, clientAuth);
            } catch (GeneralSecurityException | SSLException | IllegalArgumentException e) {
                stores.close();
                throw new ConfigException(what + ": cannot build the OpenSSL context: " + e.getMessage());
            }
        }
        LOG.info("Listener {} serves TLS with the {} engine (ssl.client.auth={})", listenerName, engine,
                clientAuth.name().toLowerCase(Locale.ROOT));
        return new ServerTls(engine, stores, context);
    }

    private static Engine chooseEngine(TlsStores stores) {
        String asked = System.getProperty(ENGINE_PROPERTY, "").trim().toLowerCase(Locale.ROOT);
        if (asked.equals("jdk")) {
            return Engine.JDK;
        }
        if (asked.equals("openssl")) {
            if (!OpenSsl.isAvailable()) {
                throw new IllegalStateException(ENGINE_PROPERTY + "=openssl but OpenSSL is not available: "
                        + OpenSsl.unavailabilityCause());
            }
            return Engine.OPENSSL;
        }
        boolean jsseOnly = stores.string(SslConfigs.SSL_PROVIDER_CONFIG, null) != null
                || stores.string(SslConfigs.SSL_SECURE_RANDOM_IMPLEMENTATION_CONFIG, null) != null;
        return !jsseOnly && OpenSsl.isAvailable() ? Engine.OPENSSL : Engine.JDK;
    }

    private static SslContext openSslContext(TlsStores stores, SslClientAuth clientAuth)
            throws GeneralSecurityException, SSLException {
        List<String> protocols = stores.list(SslConfigs.SSL_ENABLED_PROTOCOLS_CONFIG);
        if (protocols.isEmpty()) {
            // As the JDK engine: without enabled protocols, the one ssl.protocol names.
            protocols = List.of(stores.string(SslConfigs.SSL_PROTOCOL_CONFIG, SslConfigs.DEFAULT_SSL_PROTOCOL));
        }
        List<String> ciphers = stores.list(SslConfigs.SSL_CIPHER_SUITES_CONFIG);
        return SslContextBuilder.forServer(stores.keyManagers())
                .trustManager(stores.trustManagers())
                .sslProvider(SslProvider.OPENSSL)
                .protocols(protocols)
                .ciphers(ciphers.isEmpty() ? null : ciphers)
                .clientAuth(switch (clientAuth) {
                    case REQUIRED -> ClientAuth.REQUIRE;
                    case REQUESTED -> ClientAuth.OPTIONAL;
                    case NONE -> ClientAuth.NONE;
                })
                .build();
    }

    public Engine engine() {
        return engine;
    }

    /** A handler for a connection accepted from {@code peer}, to go first in its pipeline. */
    public SslHandler newHandler(ByteBufAllocator alloc, InetSocketAddress peer) {
        if (engine == Engine.OPENSSL) {
            return openSsl.newHandler(alloc, peer.getHostString(), peer.getPort());
        }
        SSLEngine sslEngine = stores.jdk().createServerSslEngine(peer.getHostString(), peer.getPort());
        return new SslHandler(sslEngine);
    }
}
