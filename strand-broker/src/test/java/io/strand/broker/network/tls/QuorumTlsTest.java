package io.strand.broker.network.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.common.config.BrokerConfig;
import io.strand.common.tls.TestPki;
import io.strand.metadata.quorum.QuorumTransport;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which transport a node's controller listener gives the metadata quorum, and which settings it reads. */
class QuorumTlsTest {

    @TempDir
    static Path dir;
    private static TestPki pki;
    private static TestPki.Identity controller;

    @BeforeAll
    static void createPki() {
        pki = TestPki.create(dir.resolve("pki"));
        controller = pki.issue("controller", "CN=controller,O=Strand", "localhost", "127.0.0.1");
    }

    /** A controller-only node whose controller listener is named CONTROLLER, mapped to {@code protocol}. */
    private static Map<String, String> controllerNode(String protocol) {
        Map<String, String> props = new HashMap<>();
        props.put("process.roles", "controller");
        props.put("node.id", "1");
        props.put("listeners", "CONTROLLER://127.0.0.1:19093");
        props.put("controller.quorum.voters", "1@127.0.0.1:19093");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:" + protocol);
        return props;
    }

    /** A broker-only node reaching the voters through controller listener name CONTROLLER. */
    private static Map<String, String> brokerNode(String protocol) {
        Map<String, String> props = new HashMap<>();
        props.put("process.roles", "broker");
        props.put("node.id", "4");
        props.put("listeners", "PLAINTEXT://127.0.0.1:19092");
        props.put("controller.quorum.voters", "1@127.0.0.1:19093");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:" + protocol);
        return props;
    }

    private static void stores(Map<String, String> props, String prefix) {
        props.put(prefix + "ssl.keystore.type", "PKCS12");
        props.put(prefix + "ssl.keystore.location", controller.keystore("PKCS12").toString());
        props.put(prefix + "ssl.keystore.password", TestPki.PASSWORD);
        props.put(prefix + "ssl.truststore.location", pki.truststore("JKS").toString());
        props.put(prefix + "ssl.truststore.password", TestPki.PASSWORD);
    }

    @Test
    void aPlaintextControllerListenerKeepsRatisNettyTransport() {
        QuorumTransport transport = QuorumTls.transport(BrokerConfig.of(controllerNode("PLAINTEXT")));
        assertThat(transport.isTls()).isFalse();
        assertThat(transport).isSameAs(QuorumTransport.plaintext());
        assertThat(QuorumTls.transport(BrokerConfig.of(brokerNode("PLAINTEXT"))).isTls()).isFalse();
    }

    @Test
    void anSslControllerListenerRunsTheQuorumOverTlsWithTheListenersOwnStores() {
        Map<String, String> props = controllerNode("SSL");
        // The listener's overrides win over the broker-wide settings, which point nowhere.
        props.put("ssl.keystore.location", dir.resolve("missing.p12").toString());
        props.put("ssl.keystore.password", "wrong");
        stores(props, "listener.name.controller.");
        props.put("listener.name.controller.ssl.client.auth", "required");
        QuorumTransport transport = QuorumTls.transport(BrokerConfig.of(props));
        assertThat(transport.isTls()).isTrue();
        assertThat(transport.isMutualTls()).isTrue();
        assertThat(QuorumTls.listenerName(BrokerConfig.of(props))).isEqualTo("CONTROLLER");
    }

    @Test
    void theBrokerWideSslSettingsApplyWithoutOverrides() {
        Map<String, String> props = controllerNode("SSL");
        stores(props, "");
        QuorumTransport transport = QuorumTls.transport(BrokerConfig.of(props));
        assertThat(transport.isTls()).isTrue();
        // Kafka's default ssl.client.auth=none, and "requested" (Ratis cannot request without requiring).
        assertThat(transport.isMutualTls()).isFalse();
        props.put("ssl.client.auth", "requested");
        assertThat(QuorumTls.transport(BrokerConfig.of(props)).isMutualTls()).isFalse();
    }

    @Test
    void aControllerServingTlsNeedsAKeyStore() {
        Map<String, String> props = controllerNode("SSL");
        props.put("ssl.truststore.location", pki.truststore("JKS").toString());
        props.put("ssl.truststore.password", TestPki.PASSWORD);
        assertThatThrownBy(() -> QuorumTls.transport(BrokerConfig.of(props))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("controller listener CONTROLLER").hasMessageContaining("needs a key store")
                .hasMessageContaining("a controller serves TLS");
    }

    @Test
    void aJsseProviderOrSecureRandomForTheQuorumIsRefusedNotIgnored() {
        Map<String, String> props = controllerNode("SSL");
        stores(props, "");
        props.put("ssl.provider", "SunJSSE");
        assertThatThrownBy(() -> QuorumTls.transport(BrokerConfig.of(props))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("ssl.provider").hasMessageContaining("controller listener CONTROLLER");
        props.remove("ssl.provider");
        props.put("listener.name.controller.ssl.secure.random.implementation", "SHA1PRNG");
        assertThatThrownBy(() -> QuorumTls.transport(BrokerConfig.of(props))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("ssl.secure.random.implementation");
    }

    @Test
    void aBrokerNeedsAKeyStoreOnlyForMutualTls() {
        Map<String, String> props = brokerNode("SSL");
        props.put("ssl.truststore.location", pki.truststore("PKCS12").toString());
        props.put("ssl.truststore.type", "PKCS12");
        props.put("ssl.truststore.password", TestPki.PASSWORD);
        QuorumTransport transport = QuorumTls.transport(BrokerConfig.of(props));
        assertThat(transport.isTls()).isTrue();
        assertThat(transport.isMutualTls()).isFalse();

        props.put("listener.name.controller.ssl.client.auth", "required");
        assertThatThrownBy(() -> QuorumTls.transport(BrokerConfig.of(props))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("needs a key store").hasMessageContaining("ssl.client.auth=required");
        stores(props, "listener.name.controller.");
        assertThat(QuorumTls.transport(BrokerConfig.of(props)).isMutualTls()).isTrue();
    }

    @Test
    void pemStoresAreReadAsKafkaReadsThem() {
        Map<String, String> props = controllerNode("SSL");
        props.put("ssl.keystore.type", "PEM");
        props.put("ssl.keystore.key", controller.keyPem());
        props.put("ssl.keystore.certificate.chain", controller.certificateChainPem());
        props.put("ssl.truststore.type", "PEM");
        props.put("ssl.truststore.location", pki.caPem().toString());
        props.put("ssl.client.auth", "required");
        assertThat(QuorumTls.transport(BrokerConfig.of(props)).isMutualTls()).isTrue();
    }

    @Test
    void aStoreThatCannotBeReadStopsTheStartNamingTheListener() {
        Map<String, String> props = controllerNode("SSL");
        stores(props, "");
        props.put("ssl.keystore.password", "wrong");
        assertThatThrownBy(() -> QuorumTls.transport(BrokerConfig.of(props))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("controller listener CONTROLLER").hasMessageContaining("cannot load");
    }

    @Test
    void saslOnAControllerListenerIsRefusedAtStartUnlessPlain() {
        // Kafka's default sasl.mechanism.controller.protocol is GSSAPI, which is not served.
        Map<String, String> props = controllerNode("SASL_SSL");
        props.put("sasl.enabled.mechanisms", "PLAIN");
        assertThatThrownBy(() -> BrokerConfig.of(props)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("sasl.mechanism.controller.protocol")
                .hasMessageContaining("controller listener CONTROLLER uses SASL").hasMessageContaining("GSSAPI");
        // SCRAM's credentials are in the metadata log, which cannot be read before authenticating.
        Map<String, String> broker = brokerNode("SASL_PLAINTEXT");
        broker.put("sasl.mechanism.controller.protocol", "SCRAM-SHA-256");
        assertThatThrownBy(() -> BrokerConfig.of(broker)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("SCRAM-SHA-256 credentials live in the metadata log")
                .hasMessageContaining("--add-scram");
        // A controller may enable only PLAIN there.
        props.put("sasl.mechanism.controller.protocol", "PLAIN");
        props.put("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256");
        assertThatThrownBy(() -> BrokerConfig.of(props)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("controller listener CONTROLLER enables SCRAM-SHA-256");
        props.put("sasl.enabled.mechanisms", "PLAIN");
        assertThat(BrokerConfig.of(props).securityProtocol("CONTROLLER").name).isEqualTo("SASL_SSL");
        broker.put("sasl.mechanism.controller.protocol", "PLAIN");
        assertThat(BrokerConfig.of(broker).securityProtocol("CONTROLLER").name).isEqualTo("SASL_PLAINTEXT");
    }
}
