package io.strand.broker.network.tls;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.ssl.DefaultSslEngineFactory;

/**
 * The key and trust material of one set of {@code ssl.*} properties (a listener's, with its
 * {@code listener.name.<listener>.} overrides applied), loaded once as Kafka loads it: kafka-clients'
 * {@link DefaultSslEngineFactory} reads the key store and trust store as JKS, PKCS12 or PEM (files, or
 * PEM inline in {@code ssl.keystore.key}/{@code ssl.keystore.certificate.chain}/
 * {@code ssl.truststore.certificates}) with Kafka's checks and messages, and builds the JDK engines.
 * The OpenSSL engine gets the same stores through {@link #keyManagers()} and {@link #trustManagers()}.
 *
 * <p>Immutable once built; the engine factory is safe for concurrent engine creation.
 */
final class TlsStores implements AutoCloseable {

    private final Map<String, ?> configs;
    private final DefaultSslEngineFactory jdk;

    private TlsStores(Map<String, ?> configs, DefaultSslEngineFactory jdk) {
        this.configs = configs;
        this.jdk = jdk;
    }

    /**
     * @param configs parsed values of the {@code ssl.*} properties (passwords as {@link Password})
     * @throws ConfigException naming what is wrong when a store cannot be read
     */
    static TlsStores load(String what, Map<String, ?> configs) {
        DefaultSslEngineFactory factory = new DefaultSslEngineFactory();
        try {
            factory.configure(configs);
        } catch (KafkaException e) {
            throw new ConfigException(what + ": cannot load the TLS key or trust store: " + message(e));
        }
        return new TlsStores(configs, factory);
    }

    private static String message(Throwable e) {
        StringBuilder text = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            text.append(": ").append(cause.getMessage());
        }
        return text.toString();
    }

    /** The JDK engine factory, configured with Kafka's semantics for every {@code ssl.*} property. */
    DefaultSslEngineFactory jdk() {
        return jdk;
    }

    /** Whether a key store is configured (a server must have one; a client needs one only for mTLS). */
    boolean hasKeyStore() {
        return jdk.keystore() != null;
    }

    /** Key managers over the key store, unlocked as Kafka unlocks it: ssl.key.password, else the store's password. */
    KeyManagerFactory keyManagers() throws GeneralSecurityException {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(string(SslConfigs.SSL_KEYMANAGER_ALGORITHM_CONFIG,
                KeyManagerFactory.getDefaultAlgorithm()));
        Password keyPassword = (Password) configs.get(SslConfigs.SSL_KEY_PASSWORD_CONFIG);
        if (keyPassword == null) {
            keyPassword = (Password) configs.get(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG);
        }
        kmf.init(jdk.keystore(), keyPassword == null ? null : keyPassword.value().toCharArray());
        return kmf;
    }

    /** Trust managers over the trust store, or the JDK's default trust when none is configured, as Kafka's. */
    TrustManagerFactory trustManagers() throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(string(SslConfigs.SSL_TRUSTMANAGER_ALGORITHM_CONFIG,
                TrustManagerFactory.getDefaultAlgorithm()));
        KeyStore truststore = jdk.truststore();
        tmf.init(truststore);
        return tmf;
    }

    String string(String name, String otherwise) {
        Object value = configs.get(name);
        return value == null ? otherwise : value.toString();
    }

    @SuppressWarnings("unchecked")
    java.util.List<String> list(String name) {
        Object value = configs.get(name);
        return value == null ? java.util.List.of() : (java.util.List<String>) value;
    }

    @Override
    public void close() {
        jdk.close();
    }
}
