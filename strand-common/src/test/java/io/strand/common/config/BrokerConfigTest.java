package io.strand.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.Test;

class BrokerConfigTest {

    @Test
    void defaultsGiveASingleNodeOnLocalhost() {
        BrokerConfig config = BrokerConfig.defaults();
        assertThat(config.nodeId()).isEqualTo(1);
        assertThat(config.brokerListener()).isEqualTo(new BrokerConfig.Listener("PLAINTEXT", "localhost", 9092));
        assertThat(config.logDirs()).containsExactly(Path.of("./data"));
        assertThat(config.getBoolean(BrokerConfig.AUTO_CREATE_TOPICS_ENABLE)).isTrue();
        assertThat(config.getInt(BrokerConfig.NUM_PARTITIONS)).isEqualTo(1);
        assertThat(config.quorumVoters()).containsExactly(new BrokerConfig.QuorumVoter(1, "localhost", 9093));
    }

    @Test
    void propertiesKafkaTypesDifferentlyReadAsKafkaWritesThem() {
        // log.dir is a list in Kafka: a comma names several directories.
        assertThat(BrokerConfig.of(Map.of("log.dir", "/a, /b")).logDirs()).containsExactly(Path.of("/a"), Path.of("/b"));
        // listener.security.protocol.map is a string in Kafka, read as comma-separated pairs, spaces allowed.
        BrokerConfig spaced = BrokerConfig.of(Map.of("listeners", "PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093,"
                + "EXTERNAL://localhost:9094", "listener.security.protocol.map",
                " PLAINTEXT:PLAINTEXT , CONTROLLER:PLAINTEXT,EXTERNAL:SSL ,"));
        assertThat(spaced.securityProtocol("EXTERNAL")).isEqualTo(SecurityProtocol.SSL);
        // default.replication.factor is an int in Kafka, still bounded by what a replica count can be.
        assertThat(BrokerConfig.of(Map.of("default.replication.factor", "3")).getInt(BrokerConfig.DEFAULT_REPLICATION_FACTOR))
                .isEqualTo(3);
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("default.replication.factor", "40000")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("default.replication.factor");
    }

    @Test
    void unknownPropertiesAreRejectedByName() {
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("log.retention.hourz", "5")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("log.retention.hourz");
    }

    @Test
    void invalidValuesAreRejectedNamingPropertyAndValue() {
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("num.partitions", "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("num.partitions").hasMessageContaining("0");
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("log.segment.bytes", "lots")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("log.segment.bytes");
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("listeners", "PLAINTEXT://localhost:port")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("listeners");
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("log.cleanup.policy", "shred")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("log.cleanup.policy");
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("controller.quorum.voters", "one@host:1")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("controller.quorum.voters");
    }

    @Test
    void requestPoolNeedsAtLeastOneThread() {
        assertThat(BrokerConfig.defaults().getInt(BrokerConfig.NUM_IO_THREADS)).isEqualTo(8);
        assertThat(BrokerConfig.of(Map.of("num.io.threads", "3")).getInt(BrokerConfig.NUM_IO_THREADS)).isEqualTo(3);
        for (String bad : new String[] {"0", "-1", "many"}) {
            assertThatThrownBy(() -> BrokerConfig.of(Map.of("num.io.threads", bad)))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("num.io.threads").hasMessageContaining(bad);
        }
    }

    @Test
    void listenersTakeTheirSecurityProtocolFromTheMap() {
        BrokerConfig config = BrokerConfig.defaults();
        assertThat(config.securityProtocol("PLAINTEXT")).isEqualTo(SecurityProtocol.PLAINTEXT);
        assertThat(config.securityProtocol("CONTROLLER")).isEqualTo(SecurityProtocol.PLAINTEXT);
        assertThat(BrokerConfig.of(Map.of("listener.security.protocol.map", "PLAINTEXT:SSL,CONTROLLER:PLAINTEXT"))
                .securityProtocol("PLAINTEXT")).isEqualTo(SecurityProtocol.SSL);
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("listener.security.protocol.map",
                "PLAINTEXT:SASL_SSL,CONTROLLER:PLAINTEXT")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("SASL listener PLAINTEXT enables GSSAPI");
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("listener.security.protocol.map", "PLAINTEXT:CLEARTEXT")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("PLAINTEXT:CLEARTEXT");
    }

    @Test
    void brokerPropertiesConvertIntoTheirTopicConfigsUnit() {
        assertThat(BrokerConfig.toTopicUnit("log.retention.hours", "2")).isEqualTo("7200000");
        assertThat(BrokerConfig.toTopicUnit("log.retention.minutes", "2")).isEqualTo("120000");
        assertThat(BrokerConfig.toTopicUnit("log.retention.ms", "2")).isEqualTo("2");
    }

    @Test
    void advertisedListenersDefaultToTheClientListeners() {
        BrokerConfig config = BrokerConfig.of(Map.of("listeners", "PLAINTEXT://:9092,CONTROLLER://:9093"));
        assertThat(config.advertisedListeners()).containsExactly(new BrokerConfig.Listener("PLAINTEXT", "localhost", 9092));
        BrokerConfig advertised = BrokerConfig.of(Map.of("advertised.listeners", "PLAINTEXT://broker1.example:19092"));
        assertThat(advertised.advertisedListeners()).containsExactly(new BrokerConfig.Listener("PLAINTEXT", "broker1.example", 19092));
    }

    @Test
    void kafkasOwnCombinedListenerLinesAreAcceptedAndOnlyClientListenersAdvertisedToClients() {
        // The listener lines of Kafka 4's config/server.properties: the controller listener is advertised too.
        BrokerConfig config = BrokerConfig.of(Map.of(
                "listeners", "PLAINTEXT://:9092,CONTROLLER://:9093",
                "advertised.listeners", "PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093",
                "controller.listener.names", "CONTROLLER",
                "listener.security.protocol.map",
                "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL"));
        assertThat(config.advertisedListeners()).containsExactly(new BrokerConfig.Listener("PLAINTEXT", "localhost", 9092));
        assertThatThrownBy(() -> BrokerConfig.of(Map.of(
                "listeners", "PLAINTEXT://:9092",
                "advertised.listeners", "PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093",
                "process.roles", "broker",
                "controller.quorum.voters", "2@localhost:9093")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("advertised");
    }

    @Test
    void everyNonControllerListenerIsAClientListener() {
        BrokerConfig config = BrokerConfig.of(Map.of(
                "listeners", "PLAINTEXT://127.0.0.1:9092,EXTERNAL://:9094,CONTROLLER://127.0.0.1:9093",
                "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,EXTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "controller.quorum.voters", "1@127.0.0.1:9093"));
        assertThat(config.clientListeners()).extracting(BrokerConfig.Listener::name).containsExactly("PLAINTEXT", "EXTERNAL");
        assertThat(config.controllerListener()).contains(new BrokerConfig.Listener("CONTROLLER", "127.0.0.1", 9093));
        assertThat(config.advertisedListeners()).extracting(BrokerConfig.Listener::name).containsExactly("PLAINTEXT", "EXTERNAL");
        assertThat(config.processRoles()).containsExactlyInAnyOrder(ProcessRole.BROKER, ProcessRole.CONTROLLER);
    }

    @Test
    void saslPlaintextClientListenersAreServedWithPlainAndScramOnly() {
        Map<String, String> base = Map.of(
                "listeners", "PLAINTEXT://:9092,SASL_PLAINTEXT://:9094,CONTROLLER://:9093",
                "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT",
                "listener.name.sasl_plaintext.sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512",
                "listener.name.sasl_plaintext.plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required user_alice=\"a\";");
        BrokerConfig config = BrokerConfig.of(base);
        assertThat(config.securityProtocol("SASL_PLAINTEXT")).isEqualTo(SecurityProtocol.SASL_PLAINTEXT);
        assertThat(config.listenerValues("SASL_PLAINTEXT"))
                .containsEntry("sasl.enabled.mechanisms", List.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"))
                .containsKey("plain.sasl.jaas.config");
        // Kafka's default mechanism, GSSAPI, is refused by name.
        Map<String, String> gssapi = new java.util.HashMap<>(base);
        gssapi.remove("listener.name.sasl_plaintext.sasl.enabled.mechanisms");
        assertThatThrownBy(() -> BrokerConfig.of(gssapi)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("GSSAPI").hasMessageContaining("not served");
        Map<String, String> other = new java.util.HashMap<>(base);
        other.put("listener.name.sasl_plaintext.sasl.enabled.mechanisms", "PLAIN,DIGEST-MD5");
        assertThatThrownBy(() -> BrokerConfig.of(other)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("DIGEST-MD5 is not served");
        // Between brokers: sasl.mechanism.inter.broker.protocol (Kafka's default GSSAPI) must be enabled there.
        Map<String, String> interBroker = new java.util.HashMap<>(base);
        interBroker.put("inter.broker.listener.name", "SASL_PLAINTEXT");
        assertThatThrownBy(() -> BrokerConfig.of(interBroker)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("sasl.mechanism.inter.broker.protocol must be one of");
        interBroker.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
        assertThat(BrokerConfig.of(interBroker).interBrokerListenerName()).isEqualTo("SASL_PLAINTEXT");
        Map<String, String> sslSasl = new java.util.HashMap<>(base);
        sslSasl.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_SSL,CONTROLLER:PLAINTEXT");
        assertThat(BrokerConfig.of(sslSasl).securityProtocol("SASL_PLAINTEXT")).isEqualTo(SecurityProtocol.SASL_SSL);
    }

    @Test
    void oauthBearerListenersTakeKafkasValidationPropertiesPerListenerButNotBetweenBrokers() {
        Map<String, String> props = new java.util.HashMap<>(Map.of(
                "listeners", "PLAINTEXT://:9092,SASL_PLAINTEXT://:9094,CONTROLLER://:9093",
                "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT",
                "listener.name.sasl_plaintext.sasl.enabled.mechanisms", "OAUTHBEARER",
                "listener.name.sasl_plaintext.oauthbearer.sasl.server.callback.handler.class",
                "org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler",
                "listener.name.sasl_plaintext.sasl.oauthbearer.jwks.endpoint.url", "file:/tmp/jwks.json",
                "listener.name.sasl_plaintext.sasl.oauthbearer.expected.audience", "strand,other",
                "sasl.oauthbearer.expected.issuer", "https://issuer",
                "sasl.oauthbearer.clock.skew.seconds", "5"));
        Map<String, Object> values = BrokerConfig.of(props).listenerValues("SASL_PLAINTEXT");
        assertThat(values)
                .containsEntry("sasl.oauthbearer.jwks.endpoint.url", "file:/tmp/jwks.json")
                .containsEntry("sasl.oauthbearer.expected.audience", List.of("strand", "other"))
                .containsEntry("sasl.oauthbearer.expected.issuer", "https://issuer")
                .containsEntry("sasl.oauthbearer.clock.skew.seconds", 5)
                .containsEntry("sasl.oauthbearer.sub.claim.name", "sub")
                .containsEntry("oauthbearer.sasl.server.callback.handler.class",
                        "org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler");
        props.put("sasl.oauthbearer.clock.skew.seconds", "soon");
        assertThatThrownBy(() -> BrokerConfig.of(props)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("sasl.oauthbearer.clock.skew.seconds");
        props.put("sasl.oauthbearer.clock.skew.seconds", "5");
        // Set where no listener enables OAUTHBEARER, a validation setting would do nothing: refused.
        Map<String, String> elsewhere = new java.util.HashMap<>(props);
        elsewhere.put("listener.name.plaintext.sasl.oauthbearer.expected.issuer", "https://other");
        assertThatThrownBy(() -> BrokerConfig.of(elsewhere)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("listener.name.plaintext.sasl.oauthbearer.expected.issuer")
                .hasMessageContaining("no SASL listener of that name enables OAUTHBEARER");
        Map<String, String> noOauth = new java.util.HashMap<>(props);
        noOauth.put("listener.name.sasl_plaintext.sasl.enabled.mechanisms", "PLAIN");
        noOauth.put("listener.name.sasl_plaintext.plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required user_alice=\"a\";");
        noOauth.keySet().removeIf(k -> k.startsWith("listener.name.sasl_plaintext.sasl.oauthbearer"));
        assertThatThrownBy(() -> BrokerConfig.of(noOauth)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("sasl.oauthbearer.")
                .hasMessageContaining("no SASL listener enables OAUTHBEARER");
        props.put("inter.broker.listener.name", "SASL_PLAINTEXT");
        props.put("sasl.mechanism.inter.broker.protocol", "OAUTHBEARER");
        assertThatThrownBy(() -> BrokerConfig.of(props)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("OAUTHBEARER between brokers is not served");
    }

    @Test
    void listenerSecurityProtocolsAreCheckedAsServed() {
        assertThat(BrokerConfig.of(Map.of("listeners", "SSL://:9092,CONTROLLER://:9093",
                "inter.broker.listener.name", "SSL")).securityProtocol("SSL")).isEqualTo(SecurityProtocol.SSL);
        assertThatThrownBy(() -> BrokerConfig.of(Map.of(
                "listener.security.protocol.map", "PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("GSSAPI");
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("listeners", "PLAINTEXT://:9092,EXTERNAL://:9094,CONTROLLER://:9093")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("no security protocol for listener EXTERNAL");
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("listener.security.protocol.map", "PLAINTEXT:TLS")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("listener.security.protocol.map");
    }

    private static final Class<?> DEFAULT_BUILDER =
            org.apache.kafka.common.security.authenticator.DefaultKafkaPrincipalBuilder.class;

    @Test
    void aListenerOverridesOnlyThePropertiesReadPerListener() {
        BrokerConfig config = BrokerConfig.of(Map.of(
                "listeners", "PLAINTEXT://:9092,INTERNAL://:9094,CONTROLLER://:9093",
                "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "listener.name.internal.principal.builder.class", DEFAULT_BUILDER.getName(),
                "listener.name.internal.plain.sasl.jaas.config", "jaas line"));
        assertThat(config.listenerValues("INTERNAL")).containsEntry("principal.builder.class", DEFAULT_BUILDER)
                .containsEntry("plain.sasl.jaas.config", "jaas line");
        assertThat(config.listenerValues("PLAINTEXT")).containsEntry("principal.builder.class", null)
                .doesNotContainKey("plain.sasl.jaas.config");

        assertThatThrownBy(() -> BrokerConfig.of(Map.of("listener.name.plaintext.num.io.threads", "4")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cannot be set per listener");
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("listener.name.external.principal.builder.class",
                DEFAULT_BUILDER.getName())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("no listener is named EXTERNAL");
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("listener.name.plaintext.no.such.property", "1")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("Unknown configuration property");
    }

    @Test
    void connectionLimitsReadKafkasNamesAndRefuseWhatKafkaRefuses() {
        BrokerConfig config = BrokerConfig.of(Map.of("max.connections.per.ip", "0",
                "max.connections.per.ip.overrides", "127.0.0.1:200, admin.example:5",
                "listener.name.plaintext.max.connections", "7"));
        assertThat(config.maxConnectionsPerIpOverrides()).containsExactly(Map.entry("127.0.0.1", 200),
                Map.entry("admin.example", 5));
        assertThat(config.listenerValues("PLAINTEXT")).containsEntry("max.connections", 7);
        assertThat(config.getInt("max.connections")).isEqualTo(Integer.MAX_VALUE);
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("max.connections.per.ip", "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("may be 0 only if max.connections.per.ip.overrides");
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("max.connections.per.ip.overrides", "127.0.0.1")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("host:count");
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("max.connections.per.ip.overrides", "127.0.0.1:-1")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("host:count");
    }

    @Test
    void listenersAreNamedAndPortedOnce() {
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("listeners", "PLAINTEXT://:9092,PLAINTEXT://:9094,CONTROLLER://:9093")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("PLAINTEXT is named twice");
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("listeners", "PLAINTEXT://a:9093,CONTROLLER://b:9093")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("port 9093 is used twice");
    }

    @Test
    void advertisedListenersNameClientListenersOnce() {
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("advertised.listeners", "PLAINTEXT://a:1,PLAINTEXT://b:2")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("advertised twice");
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("advertised.listeners", "PLAINTEXT://a:1,EXTERNAL://a:9094")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("EXTERNAL is not one of the client listeners");
    }

    @Test
    void aControllerIsAVoterOnItsControllerListenersPort() {
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("controller.quorum.voters", "2@localhost:9093")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("node.id (1) must be one of the voters");
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("controller.listener.names", "RAFT")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("controller.listener.names");
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("controller.quorum.voters", "1@localhost:19093")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("must have port 19093");
    }

    @Test
    void rolesFollowKafkasRules() {
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("process.roles", "controller")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("every listener must be named in controller.listener.names");
        BrokerConfig controllerOnly = BrokerConfig.of(Map.of("process.roles", "controller", "listeners", "CONTROLLER://:9093"));
        assertThat(controllerOnly.processRoles()).containsExactly(ProcessRole.CONTROLLER);
        assertThat(controllerOnly.clientListeners()).isEmpty();
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("process.roles", "broker")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("must not be one of controller.quorum.voters");
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("process.roles", "broker", "controller.quorum.voters", "2@c:9093")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("no listener may be named in controller.listener.names");
        BrokerConfig brokerOnly = BrokerConfig.of(Map.of("process.roles", "broker", "controller.quorum.voters", "2@c:9093",
                "listeners", "PLAINTEXT://:9092"));
        assertThat(brokerOnly.processRoles()).containsExactly(ProcessRole.BROKER);
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("process.roles", "")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("process.roles");
    }

    @Test
    void httpListenerIsOffUnlessSet() {
        assertThat(BrokerConfig.defaults().httpListener()).isEmpty();
        assertThat(BrokerConfig.of(Map.of("strand.http.listener", "")).httpListener()).isEmpty();
        assertThat(BrokerConfig.of(Map.of("strand.http.listener", "http://localhost:8080")).httpListener())
                .contains(new HttpListenerAddress("localhost", 8080));
        assertThat(BrokerConfig.of(Map.of("strand.http.listener", "http://:0")).httpListener())
                .contains(new HttpListenerAddress("", 0));
        assertThat(BrokerConfig.of(Map.of("strand.http.listener", "HTTP://[::1]:8081")).httpListener())
                .contains(new HttpListenerAddress("::1", 8081));
    }

    @Test
    void malformedHttpListenerIsRefusedNamingPropertyAndValue() {
        for (String bad : new String[] {"localhost:8080", "ftp://localhost:8443", "http://localhost",
                "http://localhost:http", "http://localhost:70000", "http://::1:8080", "http://host:80/metrics"}) {
            assertThatThrownBy(() -> BrokerConfig.of(Map.of("strand.http.listener", bad)))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("strand.http.listener")
                    .hasMessageContaining(bad);
        }
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("strand.http.listeners", "http://localhost:8080")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("strand.http.listeners");
    }

    @Test
    void httpsListenerNeedsTheNodesKeyStore() {
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("strand.http.listener", "https://localhost:8443")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("strand.http.listener=https://localhost:8443")
                .hasMessageContaining("ssl.keystore.location");
        BrokerConfig https = BrokerConfig.of(Map.of("strand.http.listener", "https://localhost:8443",
                "ssl.keystore.location", "/etc/strand/node.p12", "ssl.keystore.password", "secret"));
        assertThat(https.httpListener()).contains(new HttpListenerAddress(true, "localhost", 8443));
        assertThat(https.httpListener().orElseThrow().scheme()).isEqualTo("https");
    }

    @Test
    void basicAuthenticationOverPlainHttpIsRefusedUnlessAllowed() {
        assertThat(BrokerConfig.defaults().httpBasicAuthentication()).isFalse();
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("strand.http.listener", "http://localhost:8080",
                "strand.http.authentication", "basic")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("strand.http.authentication.allow.cleartext");
        assertThat(BrokerConfig.of(Map.of("strand.http.listener", "http://localhost:8080",
                "strand.http.authentication", "basic", "strand.http.authentication.allow.cleartext", "true"))
                .httpBasicAuthentication()).isTrue();
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("strand.http.authentication", "digest")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("strand.http.authentication");
    }

    @Test
    void dynamicAndUnknownPropertiesAreAlterableAndKnownStaticOnesNot() {
        assertThat(BrokerConfig.isAlterable("log.retention.ms")).isTrue();
        assertThat(BrokerConfig.isAlterable("some.plugin.setting")).isTrue();
        assertThat(BrokerConfig.isAlterable("log.dirs")).isFalse();
        assertThat(BrokerConfig.isAlterable("broker.id")).isFalse();
        assertThat(BrokerConfig.defaultValue("log.cleanup.policy")).isEqualTo("delete");
        assertThat(BrokerConfig.defaultValue("log.flush.interval.ms")).isNull();
        assertThat(BrokerConfig.defaultValue("broker.id")).isEqualTo("-1");
        assertThat(BrokerConfig.defaultValue("some.plugin.setting")).isNull();
    }
}
