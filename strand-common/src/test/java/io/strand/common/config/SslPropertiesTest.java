package io.strand.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.Test;

/** Kafka's ssl.* broker properties: names, types, defaults, per-listener overrides and refusals. */
class SslPropertiesTest {

    private static final Map<String, String> SSL_LISTENERS = Map.of(
            "listeners", "PLAINTEXT://:9092,SSL://:9093,MTLS://:9094,CONTROLLER://:9095",
            "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SSL:SSL,MTLS:SSL,CONTROLLER:PLAINTEXT",
            "controller.quorum.voters", "1@localhost:9095");

    private static BrokerConfig with(Map<String, String> more) {
        Map<String, String> props = new java.util.HashMap<>(SSL_LISTENERS);
        props.putAll(more);
        return BrokerConfig.of(props);
    }

    @Test
    void unsetPropertiesHaveKafkasDefaults() {
        Map<String, Object> values = with(Map.of()).listenerValues("SSL");
        assertThat(values).containsEntry("ssl.keystore.type", "JKS").containsEntry("ssl.truststore.type", "JKS")
                .containsEntry("ssl.protocol", "TLSv1.3")
                .containsEntry("ssl.enabled.protocols", List.of("TLSv1.2", "TLSv1.3"))
                .containsEntry("ssl.client.auth", "none")
                .containsEntry("ssl.endpoint.identification.algorithm", "https")
                .containsEntry("ssl.principal.mapping.rules", "DEFAULT")
                .containsEntry("ssl.cipher.suites", List.of())
                .containsEntry("ssl.keystore.location", null);
    }

    @Test
    void aListenerOverridesAnyPropertyForItselfOnly() {
        BrokerConfig config = with(Map.of(
                "ssl.keystore.location", "/etc/strand/broker.p12",
                "ssl.keystore.type", "PKCS12",
                "ssl.keystore.password", "secret",
                "listener.name.mtls.ssl.client.auth", "required",
                "listener.name.mtls.ssl.truststore.type", "PEM",
                "listener.name.mtls.ssl.truststore.certificates", "-----BEGIN CERTIFICATE-----",
                "listener.name.mtls.ssl.principal.mapping.rules", "RULE:^CN=(.*?),O=.*$/$1/L,DEFAULT"));
        Map<String, Object> mtls = config.listenerValues("MTLS");
        assertThat(mtls).containsEntry("ssl.client.auth", "required").containsEntry("ssl.truststore.type", "PEM")
                .containsEntry("ssl.keystore.type", "PKCS12")
                .containsEntry("ssl.principal.mapping.rules", "RULE:^CN=(.*?),O=.*$/$1/L,DEFAULT");
        assertThat(mtls.get("ssl.keystore.password")).isEqualTo(new Password("secret"));
        assertThat(mtls.get("ssl.truststore.certificates")).isInstanceOf(Password.class);
        assertThat(config.listenerValues("SSL")).containsEntry("ssl.client.auth", "none")
                .containsEntry("ssl.truststore.type", "JKS").containsEntry("ssl.principal.mapping.rules", "DEFAULT");
    }

    @Test
    void badValuesAreRefusedNamingTheProperty() {
        assertThatThrownBy(() -> with(Map.of("ssl.client.auth", "always")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("ssl.client.auth").hasMessageContaining("always");
        assertThatThrownBy(() -> with(Map.of("listener.name.mtls.ssl.client.auth", "maybe")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("ssl.client.auth");
        assertThatThrownBy(() -> with(Map.of("ssl.principal.mapping.rules", "RULE:no-slashes")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("ssl.principal.mapping.rules");
        assertThatThrownBy(() -> with(Map.of("listener.name.nosuch.ssl.client.auth", "required")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("no listener is named NOSUCH");
    }

    @Test
    void propertiesThisVersionDoesNotActOnAreRefused() {
        // The engine is Strand's own (OpenSSL or the JDK's); a custom factory would be silently bypassed.
        assertThatThrownBy(() -> with(Map.of("ssl.engine.factory.class", "com.example.Factory")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("ssl.engine.factory.class");
        assertThatThrownBy(() -> with(Map.of("ssl.allow.dn.changes", "true")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("ssl.allow.dn.changes");
    }

    @Test
    void aControllerListenerMayBeSslOrSaslWithPlain() {
        BrokerConfig ssl = BrokerConfig.of(Map.of("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:SSL",
                "listener.name.controller.ssl.client.auth", "required"));
        assertThat(ssl.securityProtocol("CONTROLLER").name).isEqualTo("SSL");
        assertThat(ssl.listenerValues("CONTROLLER")).containsEntry("ssl.client.auth", "required");
        for (String sasl : List.of("SASL_PLAINTEXT", "SASL_SSL")) {
            assertThatThrownBy(() -> BrokerConfig.of(Map.of(
                    "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:" + sasl,
                    "sasl.enabled.mechanisms", "PLAIN")))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("controller listener CONTROLLER uses SASL")
                    .hasMessageContaining("GSSAPI (Kerberos, Kafka's default) is not served").hasMessageContaining("use PLAIN");
            BrokerConfig plain = BrokerConfig.of(Map.of(
                    "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:" + sasl,
                    "sasl.enabled.mechanisms", "PLAIN", "sasl.mechanism.controller.protocol", "PLAIN"));
            assertThat(plain.securityProtocol("CONTROLLER").name).isEqualTo(sasl);
        }
    }

    @Test
    void aBrokerOnlyNodeReachesTheVotersWithSslOrSaslPlain() {
        Map<String, String> brokerOnly = Map.of("process.roles", "broker", "node.id", "4",
                "listeners", "PLAINTEXT://:9092", "controller.quorum.voters", "1@localhost:9093");
        Map<String, String> ssl = new java.util.HashMap<>(brokerOnly);
        ssl.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:SSL");
        assertThat(BrokerConfig.of(ssl).securityProtocol("CONTROLLER").name).isEqualTo("SSL");
        Map<String, String> sasl = new java.util.HashMap<>(brokerOnly);
        sasl.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:SASL_SSL");
        sasl.put("sasl.enabled.mechanisms", "PLAIN");
        assertThatThrownBy(() -> BrokerConfig.of(sasl)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("sasl.mechanism.controller.protocol")
                .hasMessageContaining("controller listener CONTROLLER uses SASL");
        // It serves nothing there: only the mechanism it authenticates with counts.
        sasl.remove("sasl.enabled.mechanisms");
        sasl.put("sasl.mechanism.controller.protocol", "PLAIN");
        assertThat(BrokerConfig.of(sasl).securityProtocol("CONTROLLER").name).isEqualTo("SASL_SSL");
    }

    @Test
    void aSaslSslListenerNeedsItsSaslMechanismsBesideItsStores() {
        // Kafka's default mechanism, GSSAPI, is not served: a SASL_SSL listener must name its mechanisms.
        assertThatThrownBy(() -> with(Map.of("listener.security.protocol.map",
                "PLAINTEXT:PLAINTEXT,SSL:SASL_SSL,MTLS:SSL,CONTROLLER:PLAINTEXT")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("GSSAPI");
    }
}
