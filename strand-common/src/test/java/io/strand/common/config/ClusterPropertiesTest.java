package io.strand.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.common.config.BrokerConfig.Listener;
import io.strand.common.config.BrokerConfig.QuorumVoter;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** The properties of a replicated cluster: Kafka's names, defaults and checks, and which are still refused. */
class ClusterPropertiesTest {

    /** Kafka 4.3's config/server.properties, every property line as shipped. */
    private static Map<String, String> kafkasShippedServerProperties() {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.bootstrap.servers", "localhost:9093");
        props.put("listeners", "PLAINTEXT://:9092,CONTROLLER://:9093");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("advertised.listeners", "PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093");
        props.put("controller.listener.names", "CONTROLLER");
        props.put("listener.security.protocol.map",
                "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL");
        props.put("num.network.threads", "3");
        props.put("num.io.threads", "8");
        props.put("socket.send.buffer.bytes", "102400");
        props.put("socket.receive.buffer.bytes", "102400");
        props.put("socket.request.max.bytes", "104857600");
        props.put("log.dirs", "/tmp/kraft-combined-logs");
        props.put("num.partitions", "1");
        props.put("num.recovery.threads.per.data.dir", "1");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("log.retention.hours", "168");
        props.put("log.segment.bytes", "1073741824");
        props.put("log.retention.check.interval.ms", "300000");
        return props;
    }

    @Test
    void replicationAndLifecyclePropertiesHaveKafkasDefaults() {
        BrokerConfig config = BrokerConfig.defaults();
        assertThat(config.replicaLagTimeMaxMs()).isEqualTo(30_000L);
        assertThat(config.replicaFetchMaxBytes()).isEqualTo(1_048_576);
        assertThat(config.replicaFetchResponseMaxBytes()).isEqualTo(10_485_760);
        assertThat(config.replicaFetchWaitMaxMs()).isEqualTo(500);
        assertThat(config.replicaFetchMinBytes()).isEqualTo(1);
        assertThat(config.replicaFetchBackoffMs()).isEqualTo(1_000);
        assertThat(config.numReplicaFetchers()).isEqualTo(1);
        assertThat(config.brokerSessionTimeoutMs()).isEqualTo(9_000);
        assertThat(config.brokerHeartbeatIntervalMs()).isEqualTo(2_000);
        assertThat(config.uncleanLeaderElectionEnable()).isFalse();
        assertThat(config.autoLeaderRebalanceEnable()).isTrue();
        assertThat(config.leaderImbalanceCheckIntervalSeconds()).isEqualTo(300L);
        assertThat(config.leaderImbalancePerBrokerPercentage()).isEqualTo(10);
        assertThat(config.transactionStateLogReplicationFactor()).isEqualTo((short) 3);
        assertThat(config.transactionStateLogMinIsr()).isEqualTo(2);
        // Strand's one departure: unset, the OS sizes socket buffers (Kafka's 102400 applies when set).
        assertThat(config.socketSendBufferBytes()).isEqualTo(-1);
        assertThat(config.socketReceiveBufferBytes()).isEqualTo(-1);
        assertThat(config.numRecoveryThreadsPerDataDir()).isEqualTo(2);
        assertThat(config.interBrokerListenerName()).isEqualTo("PLAINTEXT");
    }

    @Test
    void socketBufferSizesArePositiveOrMinusOne() {
        assertThat(BrokerConfig.of(Map.of("socket.send.buffer.bytes", "102400", "socket.receive.buffer.bytes", "65536"))
                .socketReceiveBufferBytes()).isEqualTo(65_536);
        for (String name : new String[] {"socket.send.buffer.bytes", "socket.receive.buffer.bytes"}) {
            for (String bad : new String[] {"0", "-2"}) {
                assertThatThrownBy(() -> BrokerConfig.of(Map.of(name, bad)))
                        .isInstanceOf(ConfigException.class).hasMessageContaining(name);
            }
        }
    }

    @Test
    void propertiesNoPartActsOnYetAreRefusedNamingWhatTheyWaitFor() {
        assertThat(PendingProperties.REFUSED).containsKeys("leader.imbalance.per.broker.percentage");
        // Acted on by the replication, the controller and the broker's lifecycle.
        assertThat(PendingProperties.REFUSED).doesNotContainKeys("replica.lag.time.max.ms", "replica.fetch.max.bytes",
                "broker.session.timeout.ms", "broker.heartbeat.interval.ms", "auto.leader.rebalance.enable",
                "socket.send.buffer.bytes", "socket.receive.buffer.bytes", "num.replica.fetchers",
                "num.recovery.threads.per.data.dir");
        for (Map.Entry<String, String> pending : PendingProperties.REFUSED.entrySet()) {
            assertThat(BrokerConfig.DEF.names()).contains(pending.getKey());
            Object defaultValue = BrokerConfig.DEF.configKeys().get(pending.getKey()).defaultValue;
            // Even the default value is refused: set, the property would look as if it did something.
            assertThatThrownBy(() -> BrokerConfig.of(Map.of(pending.getKey(), String.valueOf(defaultValue))))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining(pending.getKey())
                    .hasMessageContaining("does not support")
                    .hasMessageContaining(pending.getValue());
        }
    }

    @Test
    void replicationPropertiesParseAndValidateAsKafkasOnceAccepted() {
        BrokerConfig config = BrokerConfig.ofIncludingPending(Map.of(
                "replica.lag.time.max.ms", "10000", "replica.fetch.max.bytes", "2048",
                "replica.fetch.wait.max.ms", "100", "num.replica.fetchers", "4",
                "broker.session.timeout.ms", "6000", "broker.heartbeat.interval.ms", "500",
                "auto.leader.rebalance.enable", "false", "leader.imbalance.check.interval.seconds", "30"));
        assertThat(config.replicaLagTimeMaxMs()).isEqualTo(10_000L);
        assertThat(config.replicaFetchMaxBytes()).isEqualTo(2048);
        assertThat(config.replicaFetchWaitMaxMs()).isEqualTo(100);
        assertThat(config.numReplicaFetchers()).isEqualTo(4);
        assertThat(config.brokerSessionTimeoutMs()).isEqualTo(6000);
        assertThat(config.brokerHeartbeatIntervalMs()).isEqualTo(500);
        assertThat(config.autoLeaderRebalanceEnable()).isFalse();
        assertThat(config.leaderImbalanceCheckIntervalSeconds()).isEqualTo(30L);
        for (String[] bad : new String[][] {{"replica.lag.time.max.ms", "0"}, {"replica.fetch.max.bytes", "-1"},
                {"num.replica.fetchers", "0"}, {"broker.session.timeout.ms", "soon"},
                {"leader.imbalance.check.interval.seconds", "0"}, {"replica.fetch.backoff.ms", "-5"},
                {"leader.imbalance.per.broker.percentage", "101"}}) {
            assertThatThrownBy(() -> BrokerConfig.ofIncludingPending(Map.of(bad[0], bad[1])))
                    .isInstanceOf(ConfigException.class).hasMessageContaining(bad[0]).hasMessageContaining(bad[1]);
        }
    }

    @Test
    void aFetchMayNotWaitLongerThanAFollowerMayLag() {
        assertThatThrownBy(() -> BrokerConfig.ofIncludingPending(Map.of(
                "replica.lag.time.max.ms", "1000", "replica.fetch.wait.max.ms", "1001")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("replica.fetch.wait.max.ms").hasMessageContaining("replica.lag.time.max.ms");
        assertThat(BrokerConfig.ofIncludingPending(Map.of(
                "replica.lag.time.max.ms", "1000", "replica.fetch.wait.max.ms", "1000")).replicaFetchWaitMaxMs())
                .isEqualTo(1000);
    }

    @Test
    void transactionStateLogPropertiesAreAcceptedForLater() {
        BrokerConfig config = BrokerConfig.of(Map.of(
                "transaction.state.log.replication.factor", "1", "transaction.state.log.min.isr", "1"));
        assertThat(config.transactionStateLogReplicationFactor()).isEqualTo((short) 1);
        assertThat(config.transactionStateLogMinIsr()).isEqualTo(1);
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("transaction.state.log.replication.factor", "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("transaction.state.log.replication.factor");
    }

    @Test
    void uncleanLeaderElectionIsTheBrokerDefaultOfTheTopicConfig() {
        assertThat(BrokerConfig.of(Map.of("unclean.leader.election.enable", "true")).uncleanLeaderElectionEnable())
                .isTrue();
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("unclean.leader.election.enable", "maybe")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("unclean.leader.election.enable");
    }

    @Test
    void interBrokerListenerIsDerivedAsKafkaDerivesItElseTheFirstClientListener() {
        assertThat(BrokerConfig.of(Map.of("listeners", "CLIENT://:9092,PLAINTEXT://:9094,CONTROLLER://:9093",
                "listener.security.protocol.map", "CLIENT:PLAINTEXT,PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"))
                .brokerListener()).isEqualTo(new Listener("PLAINTEXT", "", 9094));
        BrokerConfig noPlaintext = BrokerConfig.of(Map.of("listeners", "CLIENT://:9092,OTHER://:9094,CONTROLLER://:9093",
                "listener.security.protocol.map", "CLIENT:PLAINTEXT,OTHER:PLAINTEXT,CONTROLLER:PLAINTEXT"));
        assertThat(noPlaintext.interBrokerListenerName()).isEqualTo("CLIENT");
        assertThat(BrokerConfig.of(Map.of("listeners", "CLIENT://:9092,OTHER://:9094,CONTROLLER://:9093",
                "listener.security.protocol.map", "CLIENT:PLAINTEXT,OTHER:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name", "other")).brokerListener()).isEqualTo(new Listener("OTHER", "", 9094));
    }

    @Test
    void interBrokerListenerMustBeAClientListenerAndNamedOneWayOnly() {
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("inter.broker.listener.name", "CONTROLLER")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("inter.broker.listener.name")
                .hasMessageContaining("controller listener");
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("inter.broker.listener.name", "INTERNAL")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("INTERNAL");
        assertThatThrownBy(() -> BrokerConfig.of(Map.of(
                "inter.broker.listener.name", "PLAINTEXT", "security.inter.broker.protocol", "PLAINTEXT")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("Only one of");
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("security.inter.broker.protocol", "CLEARTEXT")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("security.inter.broker.protocol");
        // A protocol named explicitly is Kafka's derivation, with no fallback to another listener.
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("listeners", "CLIENT://:9092,CONTROLLER://:9093",
                "listener.security.protocol.map", "CLIENT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "security.inter.broker.protocol", "PLAINTEXT")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("PLAINTEXT");
    }

    @Test
    void bootstrapServersAloneMakeThisControllerAQuorumOfOne() {
        Map<String, String> props = kafkasShippedServerProperties();
        BrokerConfig config = BrokerConfig.of(props);
        assertThat(config.quorumVoters()).containsExactly(new QuorumVoter(1, "localhost", 9093));
        assertThat(config.brokerListener()).isEqualTo(new Listener("PLAINTEXT", "", 9092));

        Map<String, String> node2 = new HashMap<>(props);
        node2.put("node.id", "2");
        assertThat(BrokerConfig.of(node2).quorumVoters()).containsExactly(new QuorumVoter(2, "localhost", 9093));
    }

    @Test
    void kafkasShippedServerPropertiesWorkUnchanged() {
        BrokerConfig config = BrokerConfig.of(kafkasShippedServerProperties());
        assertThat(config.socketSendBufferBytes()).isEqualTo(102_400);
        assertThat(config.socketReceiveBufferBytes()).isEqualTo(102_400);
        assertThat(config.numRecoveryThreadsPerDataDir()).isEqualTo(1);
    }

    @Test
    void aBrokerOnlyNodeWithBootstrapServersAloneFindsTheVotersWhenItStarts() {
        Map<String, String> props = new HashMap<>(Map.of(
                "process.roles", "broker",
                "node.id", "2",
                "controller.quorum.bootstrap.servers", "localhost:9093,localhost:9095",
                "listeners", "PLAINTEXT://:9092",
                "controller.listener.names", "CONTROLLER"));
        BrokerConfig config = BrokerConfig.of(props);
        assertThat(config.quorumVoters()).isEmpty();
        assertThat(config.quorumBootstrapServers()).containsExactly(new BrokerConfig.BootstrapServer("localhost", 9093),
                new BrokerConfig.BootstrapServer("localhost", 9095));

        props.put("process.roles", "controller");
        props.put("listeners", "CONTROLLER://:9093");
        assertThatThrownBy(() -> BrokerConfig.of(props)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("list several controllers in controller.quorum.voters");
    }

    @Test
    void aQuorumNeedsVotersOrItsOneBootstrapServer() {
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("controller.quorum.voters", "")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("controller.quorum.bootstrap.servers")
                .hasMessageContaining("controller.quorum.voters");
        assertThatThrownBy(() -> BrokerConfig.of(Map.of(
                "controller.quorum.bootstrap.servers", "localhost:9093,localhost:9095")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("controller.quorum.bootstrap.servers")
                .hasMessageContaining("list several controllers in controller.quorum.voters");
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("controller.quorum.bootstrap.servers", "localhost:9999")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("controller.quorum.bootstrap.servers");
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("controller.quorum.bootstrap.servers", "localhost")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("expected host:port");
        // With voters set too, the voters are the quorum (as in Kafka, a static quorum).
        BrokerConfig both = BrokerConfig.of(Map.of(
                "controller.quorum.voters", "1@localhost:9093,2@localhost:9095,3@localhost:9097",
                "controller.quorum.bootstrap.servers", "localhost:9093,localhost:9095,localhost:9097"));
        assertThat(both.quorumVoters()).extracting(QuorumVoter::id).containsExactly(1, 2, 3);
    }
}
