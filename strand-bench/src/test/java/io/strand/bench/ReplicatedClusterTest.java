package io.strand.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplicatedClusterTest {

    private static final List<ReplicatedCluster.Node> NODES = ReplicatedCluster.nodes(9001, 9002, 9011, 9012, 9021, 9022);

    @TempDir
    Path dir;

    @Test
    void everyNodeIsAVoterOnItsControllerPort() {
        assertThat(NODES).extracting(ReplicatedCluster.Node::nodeId).containsExactly(1, 2, 3);
        assertThat(ReplicatedCluster.voters(NODES)).isEqualTo("1@127.0.0.1:9002,2@127.0.0.1:9012,3@127.0.0.1:9022");
        assertThat(ReplicatedCluster.bootstrap(NODES)).isEqualTo("127.0.0.1:9001,127.0.0.1:9011,127.0.0.1:9021");
    }

    @Test
    void needsTwoPortsPerNode() {
        assertThatThrownBy(() -> ReplicatedCluster.nodes(9001, 9002)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nodeSettingsNameTheNodeItsListenersTheQuorumAndReplicatedInternalTopics() {
        Map<String, String> props = ReplicatedCluster.nodeProps(NODES.get(1), NODES, dir);

        assertThat(props).containsEntry("node.id", "2")
                .containsEntry("process.roles", "broker,controller")
                .containsEntry("listeners", "PLAINTEXT://127.0.0.1:9011,CONTROLLER://127.0.0.1:9012")
                .containsEntry("controller.quorum.voters", "1@127.0.0.1:9002,2@127.0.0.1:9012,3@127.0.0.1:9022")
                .containsEntry("log.dirs", dir.toAbsolutePath().toString())
                .containsEntry("offsets.topic.replication.factor", "3")
                .containsEntry("default.replication.factor", "3");
        assertThat(ReplicatedCluster.topicConfigs()).containsExactly(Map.entry("min.insync.replicas", "2"));
    }

    @Test
    void kafkaNodesAdvertiseTheirOwnClientListener() {
        Map<String, String> config = KafkaLauncher.clusterConfig(dir, NODES.get(2), NODES);

        assertThat(config).containsEntry("node.id", "3")
                .containsEntry("advertised.listeners", "PLAINTEXT://127.0.0.1:9021")
                .containsEntry("controller.listener.names", "CONTROLLER")
                .containsEntry("controller.quorum.voters", ReplicatedCluster.voters(NODES))
                .containsEntry("log.dirs", dir.resolve("logs").toAbsolutePath().toString())
                // Kafka's internal topics keep their defaults (3 replicas), which fit three nodes.
                .doesNotContainKey("transaction.state.log.replication.factor");
    }

    @Test
    void strandNodesGetTheClusterSettingsAsOverrides() {
        StrandLauncher strand = new StrandLauncher(dir.resolve("strand-server.jar") + ":lib/*", List.of("-Xmx1g"),
                BrokerRun.sharedBrokerProps());

        List<String> command = strand.prepareClusterNode(dir, NODES.get(0), NODES, "ignored", dir);

        assertThat(command).containsSubsequence(StrandLauncher.MAIN_CLASS, "server")
                .contains("node.id=1", "controller.quorum.voters=" + ReplicatedCluster.voters(NODES),
                        "offsets.topic.replication.factor=3")
                // The single node's settings (one offsets replica) are not a cluster's.
                .doesNotContain("offsets.topic.replication.factor=1");
    }
}
