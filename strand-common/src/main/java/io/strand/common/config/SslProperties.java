package io.strand.common.config;

import static org.apache.kafka.common.config.ConfigDef.Importance.HIGH;
import static org.apache.kafka.common.config.ConfigDef.Importance.LOW;
import static org.apache.kafka.common.config.ConfigDef.Importance.MEDIUM;

import java.util.List;
import java.util.Set;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.SslClientAuth;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.config.internals.BrokerSecurityConfigs;
import org.apache.kafka.common.security.ssl.SslPrincipalMapper;

/**
 * Kafka's {@code ssl.*} broker properties, with Kafka's names, types and defaults (kafka-clients'
 * {@link SslConfigs} and {@link BrokerSecurityConfigs} name them): the key store and trust store (JKS,
 * PKCS12 or PEM, as files or, for PEM, inline), {@code ssl.client.auth}, the protocols and cipher
 * suites, {@code ssl.principal.mapping.rules}, and the client-side settings an inter-broker connection
 * uses ({@code ssl.endpoint.identification.algorithm}). Every one of them is read: by the TLS layer of
 * an SSL listener (each may be overridden per listener as {@code listener.name.<listener>.<property>}),
 * by the broker's connections to other brokers when the inter-broker listener is SSL, and by the
 * metadata quorum's transport when the controller listener is SSL (protocols, cipher suites, stores,
 * {@code ssl.client.auth=required} for mutual TLS, the endpoint identification).
 *
 * <p>Not defined, so refused as unknown: {@code ssl.engine.factory.class} (the engine is built here),
 * and the dynamic-reconfiguration checks {@code ssl.allow.dn.changes} / {@code ssl.allow.san.changes}
 * (key stores are read once, at start-up). Stateless.
 */
final class SslProperties {

    /** Every property defined here; each may also be set per listener. */
    static final Set<String> NAMES = Set.of(
            SslConfigs.SSL_PROTOCOL_CONFIG, SslConfigs.SSL_PROVIDER_CONFIG, SslConfigs.SSL_CIPHER_SUITES_CONFIG,
            SslConfigs.SSL_ENABLED_PROTOCOLS_CONFIG, SslConfigs.SSL_KEYSTORE_TYPE_CONFIG,
            SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG,
            SslConfigs.SSL_KEY_PASSWORD_CONFIG, SslConfigs.SSL_KEYSTORE_KEY_CONFIG,
            SslConfigs.SSL_KEYSTORE_CERTIFICATE_CHAIN_CONFIG, SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG,
            SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG,
            SslConfigs.SSL_TRUSTSTORE_CERTIFICATES_CONFIG, SslConfigs.SSL_KEYMANAGER_ALGORITHM_CONFIG,
            SslConfigs.SSL_TRUSTMANAGER_ALGORITHM_CONFIG, SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG,
            SslConfigs.SSL_SECURE_RANDOM_IMPLEMENTATION_CONFIG, BrokerSecurityConfigs.SSL_CLIENT_AUTH_CONFIG,
            BrokerSecurityConfigs.SSL_PRINCIPAL_MAPPING_RULES_CONFIG);

    /** {@code ssl.principal.mapping.rules} must parse as Kafka parses it, or start-up stops. */
    private static final ConfigDef.Validator MAPPING_RULES = (name, value) -> {
        try {
            SslPrincipalMapper.fromRules((String) value);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(name, value, e.getMessage());
        }
    };

    private SslProperties() {
    }

    static void define(ConfigDef def) {
        def.define(SslConfigs.SSL_PROTOCOL_CONFIG, Type.STRING, SslConfigs.DEFAULT_SSL_PROTOCOL, MEDIUM,
                        "The SSLContext protocol (TLSv1.3, TLSv1.2, TLS).")
                .define(SslConfigs.SSL_PROVIDER_CONFIG, Type.STRING, null, MEDIUM,
                        "Name of the JSSE security provider; when set, the JDK engine is used.")
                .define(SslConfigs.SSL_CIPHER_SUITES_CONFIG, Type.LIST, List.of(), LOW,
                        "Cipher suites to enable (Java names); all the engine supports by default.")
                .define(SslConfigs.SSL_ENABLED_PROTOCOLS_CONFIG, Type.LIST, SslConfigs.DEFAULT_SSL_ENABLED_PROTOCOLS,
                        MEDIUM, "TLS versions to enable.")
                .define(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, Type.STRING, SslConfigs.DEFAULT_SSL_KEYSTORE_TYPE, MEDIUM,
                        "Key store format: JKS, PKCS12 or PEM.")
                .define(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, Type.STRING, null, HIGH, "Key store file.")
                .define(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, Type.PASSWORD, null, HIGH,
                        "Key store password (not for PEM).")
                .define(SslConfigs.SSL_KEY_PASSWORD_CONFIG, Type.PASSWORD, null, HIGH,
                        "Password of the private key (the key store password when unset; PEM: of the encrypted key).")
                .define(SslConfigs.SSL_KEYSTORE_KEY_CONFIG, Type.PASSWORD, null, HIGH,
                        "PKCS#8 private key in PEM, with ssl.keystore.type=PEM and ssl.keystore.certificate.chain.")
                .define(SslConfigs.SSL_KEYSTORE_CERTIFICATE_CHAIN_CONFIG, Type.PASSWORD, null, HIGH,
                        "X.509 certificate chain in PEM, with ssl.keystore.key.")
                .define(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, Type.STRING, SslConfigs.DEFAULT_SSL_TRUSTSTORE_TYPE,
                        MEDIUM, "Trust store format: JKS, PKCS12 or PEM.")
                .define(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, Type.STRING, null, HIGH, "Trust store file.")
                .define(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, Type.PASSWORD, null, HIGH,
                        "Trust store password (not for PEM).")
                .define(SslConfigs.SSL_TRUSTSTORE_CERTIFICATES_CONFIG, Type.PASSWORD, null, HIGH,
                        "Trusted X.509 certificates in PEM, with ssl.truststore.type=PEM.")
                .define(SslConfigs.SSL_KEYMANAGER_ALGORITHM_CONFIG, Type.STRING,
                        SslConfigs.DEFAULT_SSL_KEYMANGER_ALGORITHM, LOW, "Key manager factory algorithm.")
                .define(SslConfigs.SSL_TRUSTMANAGER_ALGORITHM_CONFIG, Type.STRING,
                        SslConfigs.DEFAULT_SSL_TRUSTMANAGER_ALGORITHM, LOW, "Trust manager factory algorithm.")
                .define(SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG, Type.STRING,
                        SslConfigs.DEFAULT_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM, LOW,
                        "How a broker connecting to another broker checks its certificate's host name (https); empty"
                                + " turns the check off.")
                .define(SslConfigs.SSL_SECURE_RANDOM_IMPLEMENTATION_CONFIG, Type.STRING, null, LOW,
                        "SecureRandom algorithm for TLS; when set, the JDK engine is used.")
                .define(BrokerSecurityConfigs.SSL_CLIENT_AUTH_CONFIG, Type.STRING,
                        BrokerSecurityConfigs.SSL_CLIENT_AUTH_DEFAULT,
                        ConfigDef.ValidString.in(SslClientAuth.VALUES.stream().map(a -> a.name().toLowerCase(
                                java.util.Locale.ROOT)).toArray(String[]::new)), MEDIUM,
                        "Client certificates on SSL listeners: required (a client without one fails the handshake),"
                                + " requested, or none.")
                .define(BrokerSecurityConfigs.SSL_PRINCIPAL_MAPPING_RULES_CONFIG, Type.STRING,
                        BrokerSecurityConfigs.DEFAULT_SSL_PRINCIPAL_MAPPING_RULES, MAPPING_RULES, LOW,
                        "Rules mapping a client certificate's distinguished name to a principal name, as Kafka's.");
    }
}
