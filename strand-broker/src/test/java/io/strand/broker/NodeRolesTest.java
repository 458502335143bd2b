package io.strand.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.common.test.ThreadLeakCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a node runs for each {@code process.roles}. */
class NodeRolesTest {

    @TempDir
    Path dataDir;

    @Test
    void aBrokerOnlyNodeFollowsAControllerOnlyNodeAndServesClients() throws Exception {
        int raftPort = TestNodes.freePort();
        ThreadLeakCheck threads = ThreadLeakCheck.start();
        Map<String, String> controllerProps = TestNodes.props(dataDir.resolve("controller"), raftPort, Map.of(
                "process.roles", "controller",
                "listeners", "CONTROLLER://127.0.0.1:" + raftPort));
        Map<String, String> brokerProps = new LinkedHashMap<>(TestNodes.props(dataDir.resolve("broker"), raftPort,
                Map.of()));
        brokerProps.putAll(Map.of(
                "process.roles", "broker",
                "node.id", "2",
                "listeners", "PLAINTEXT://127.0.0.1:0",
                "controller.listener.names", "CONTROLLER"));

        try (BrokerServer controller = TestNodes.start(controllerProps);
             BrokerServer broker = TestNodes.start(brokerProps);
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                     TestNodes.bootstrap(broker.clientAddress())))) {
            assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).extracting(Node::id)
                    .as("the controller-only node is no broker").containsExactly(2);
            assertThat(admin.describeCluster().controller().get(30, TimeUnit.SECONDS).id())
                    .as("as Kafka's brokers do, a broker stands in for the controller clients cannot reach").isEqualTo(2);

            admin.createTopics(List.of(new NewTopic("roles", 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestNodes.bootstrap(broker.clientAddress()),
                    ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
                RecordMetadata written = producer.send(new ProducerRecord<>("roles", 0, "k", "v"))
                        .get(30, TimeUnit.SECONDS);
                assertThat(written.offset()).isZero();
            }

            QuorumInfo quorum = admin.describeMetadataQuorum().quorumInfo().get(30, TimeUnit.SECONDS);
            assertThat(quorum.leaderId()).isEqualTo(1);
            assertThat(quorum.voters()).extracting(QuorumInfo.ReplicaState::replicaId).containsExactly(1);
            assertThat(quorum.observers()).extracting(QuorumInfo.ReplicaState::replicaId).containsExactly(2);
        }
        threads.assertNoNewThreads();
        assertThat(dataDir.resolve("broker").resolve(ControllerComponent.METADATA_DIR_NAME))
                .as("the broker-only node's copy of the metadata, written as it closed").isNotEmptyDirectory();
    }

    @Test
    void aControllerOnlyNodeRunsTheQuorumVoterAndNoClientListener() throws Exception {
        int raftPort = TestNodes.freePort();
        ThreadLeakCheck threads = ThreadLeakCheck.start();
        Map<String, String> props = TestNodes.props(dataDir, raftPort, Map.of(
                "process.roles", "controller",
                "listeners", "CONTROLLER://127.0.0.1:" + raftPort));

        try (BrokerServer node = TestNodes.start(props)) {
            assertThat(TestNodes.bindable(raftPort)).as("the quorum listens on the controller listener").isFalse();
            assertThatThrownBy(node::clientListeners).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("serves no clients");
            assertThat(Files.exists(dataDir.resolve(ControllerComponent.METADATA_DIR_NAME))).isTrue();
        }
        threads.assertNoNewThreads();
        assertThat(TestNodes.bindable(raftPort)).isTrue();

        // The same directory then serves a combined node: locks released, the quorum's log readable.
        try (BrokerServer combined = TestNodes.start(TestNodes.props(dataDir, raftPort, Map.of()))) {
            assertThat(combined.clientAddress().getPort()).isPositive();
        }
    }
}
