package io.strand.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.BrokerServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node started from Kafka 4's own server.properties, with no format step. */
class KafkaServerPropertiesTest {

    @TempDir
    Path dir;

    @Test
    void kafkasServerPropertiesStartANodeWhoseQuorumIsItsOneBootstrapServer() throws Exception {
        // Kafka 4.3's config/server.properties with loopback ports chosen by the OS and a scratch log
        // dir. Its socket buffer and recovery thread lines are left out: those are refused until used.
        Path file = dir.resolve("server.properties");
        Files.writeString(file, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.bootstrap.servers=127.0.0.1:0",
                "listeners=PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:0",
                "inter.broker.listener.name=PLAINTEXT",
                "advertised.listeners=PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:0",
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,"
                        + "SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL",
                "num.network.threads=3",
                "num.io.threads=8",
                "socket.request.max.bytes=104857600",
                "log.dirs=" + dir.resolve("kraft-combined-logs"),
                "num.partitions=1",
                "offsets.topic.replication.factor=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "log.retention.hours=168",
                "log.segment.bytes=1073741824",
                "log.retention.check.interval.ms=300000", ""));
        BrokerServer server = BrokerServer.start(BrokerServer.config(ServerConfigFile.read(file)), Time.SYSTEM);
        try {
            String bootstrap = "127.0.0.1:" + server.clientAddress().getPort();
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                DescribeClusterResult cluster = admin.describeCluster();
                Collection<Node> nodes = cluster.nodes().get();
                assertThat(nodes).extracting(Node::id).containsExactly(1);
                assertThat(cluster.controller().get().id()).isEqualTo(1);
            }
        } finally {
            server.close();
        }
    }
}
