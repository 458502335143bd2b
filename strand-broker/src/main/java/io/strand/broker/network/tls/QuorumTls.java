package io.strand.broker.network.tls;

import io.strand.common.config.BrokerConfig;
import io.strand.common.config.ProcessRole;
import io.strand.metadata.quorum.QuorumTransport;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.SslClientAuth;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.config.internals.BrokerSecurityConfigs;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * The metadata quorum's transport as a node's configuration sets it: the security protocol of its
 * controller listener (the bound one on a controller; on a broker-only node the first of
 * {@code controller.listener.names}, as a Kafka broker picks the listener it reaches the controllers
 * on) and that listener's {@code ssl.*} settings ({@code listener.name.<listener>.ssl.*} overriding the
 * broker-wide {@code ssl.*}). Voters, observers and every controller channel of the node use it.
 *
 * <ul>
 *   <li>PLAINTEXT: {@link QuorumTransport#plaintext()}, Ratis' netty transport in the clear;</li>
 *   <li>SSL: {@link QuorumTransport#tls}, Ratis' gRPC transport. Key store and trust store are read as
 *       Kafka reads them (JKS, PKCS12 or PEM; {@link TlsStores}). A controller must have a key store (it
 *       serves TLS). {@code ssl.client.auth=required} makes it mutual: every voter and every broker
 *       presents its key store's certificate, which must then be configured on brokers too.
 *       {@code requested} or {@code none}: no client certificate (Ratis cannot ask for one without
 *       requiring it). {@code ssl.endpoint.identification.algorithm} empty turns off the check that a
 *       voter's certificate names its host in {@code controller.quorum.voters};
 *       {@code ssl.enabled.protocols} and {@code ssl.cipher.suites} apply; {@code ssl.provider} and
 *       {@code ssl.secure.random.implementation} are refused (Ratis builds the TLS context itself);</li>
 *   <li>SASL_PLAINTEXT, SASL_SSL: not made here but by {@code io.strand.broker.QuorumTransports} (an
 *       authenticating tunnel in front of Ratis' netty transport); refused if asked here.</li>
 * </ul>
 *
 * Stateless.
 */
public final class QuorumTls {

    private QuorumTls() {
    }

    /** The name of the listener the quorum's traffic goes through, or null when none is named. */
    public static String listenerName(BrokerConfig config) {
        return config.controllerListener().map(BrokerConfig.Listener::name)
                .orElseGet(() -> config.controllerListenerNames().isEmpty() ? null
                        : config.controllerListenerNames().get(0));
    }

    /**
     * @throws ConfigException naming the listener and what is wrong: a store that cannot be read, a
     *     controller without a key store, mutual TLS without a key store, a SASL protocol
     */
    public static QuorumTransport transport(BrokerConfig config) {
        String listener = listenerName(config);
        if (listener == null) {
            return QuorumTransport.plaintext();
        }
        SecurityProtocol protocol = config.securityProtocol(listener);
        if (protocol == SecurityProtocol.PLAINTEXT) {
            return QuorumTransport.plaintext();
        }
        if (protocol != SecurityProtocol.SSL) {
            throw new ConfigException("listener.security.protocol.map", config.getString("listener.security.protocol.map"),
                    "controller listener " + listener + " uses " + protocol + "; a SASL controller listener's"
                            + " transport is the SASL tunnel (QuorumTransports), not Ratis' TLS");
        }
        Map<String, Object> values = config.listenerValues(listener);
        String what = "controller listener " + listener;
        for (String jsseOnly : List.of(SslConfigs.SSL_PROVIDER_CONFIG, SslConfigs.SSL_SECURE_RANDOM_IMPLEMENTATION_CONFIG)) {
            if (values.get(jsseOnly) != null) {
                // Ratis' gRPC transport builds its TLS context itself, with the JDK's default provider and
                // random source: refused rather than ignored.
                throw new ConfigException(jsseOnly, values.get(jsseOnly), what + ": the metadata quorum's TLS"
                        + " cannot use a chosen JSSE provider or secure random implementation");
            }
        }
        TlsStores stores = TlsStores.load(what, values);
        boolean mutual = SslClientAuth.forConfig((String) values.get(BrokerSecurityConfigs.SSL_CLIENT_AUTH_CONFIG))
                == SslClientAuth.REQUIRED;
        boolean controller = config.processRoles().contains(ProcessRole.CONTROLLER);
        if (!stores.hasKeyStore() && (controller || mutual)) {
            throw new ConfigException(what + ": the metadata quorum over TLS needs a key store ("
                    + SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG + ", or " + SslConfigs.SSL_KEYSTORE_KEY_CONFIG
                    + " with ssl.keystore.type=PEM, for all or as listener.name." + listener.toLowerCase(
                            java.util.Locale.ROOT) + ".*): " + (controller ? "a controller serves TLS"
                            : "ssl.client.auth=required makes every node present a certificate"));
        }
        try {
            KeyManager keyManager = stores.hasKeyStore() ? stores.keyManagers().getKeyManagers()[0] : null;
            TrustManager trustManager = x509(stores.trustManagers().getTrustManagers(), what);
            String identification = stores.string(SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG, "");
            return QuorumTransport.tls(keyManager, trustManager, mutual, !identification.isEmpty(),
                    stores.list(SslConfigs.SSL_ENABLED_PROTOCOLS_CONFIG), stores.list(SslConfigs.SSL_CIPHER_SUITES_CONFIG));
        } catch (GeneralSecurityException e) {
            throw new ConfigException(what + ": cannot use the TLS key or trust store: " + e.getMessage());
        }
    }

    private static TrustManager x509(TrustManager[] managers, String what) {
        for (TrustManager m : managers) {
            if (m instanceof X509TrustManager) {
                return m;
            }
        }
        throw new ConfigException(what + ": the trust manager algorithm gives no X.509 trust manager: "
                + List.of(managers));
    }
}
