package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.testkit.ClusterNode;
import io.strand.testkit.StrandCluster;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Nodes as separate processes through {@link StrandCluster}: the quorum across them, and each node's life cycle. */
class ClusterIT {

    private static final long METADATA_DEADLINE_MS = 60_000;

    @TempDir
    Path dir;

    @Test
    void threeNodesFormOneQuorumAndEachAnswersForTheWholeCluster() throws Exception {
        try (StrandCluster cluster = StrandCluster.builder(dir).nodes(3).start()) {
            for (ClusterNode node : cluster.nodes()) {
                try (RawKafkaConnection connection = new RawKafkaConnection(node.bootstrapServers())) {
                    ApiVersionsResponse versions = (ApiVersionsResponse) connection.roundTrip(
                            new ApiVersionsRequest.Builder().build());
                    assertThat(Errors.forCode(versions.data().errorCode())).isEqualTo(Errors.NONE);
                    assertThat(versions.apiVersion(ApiKeys.METADATA.id)).isNotNull();
                }
            }
            // Each node's image catches up on its own: ask each until it knows every broker.
            Set<Integer> controllers = new HashSet<>();
            for (ClusterNode node : cluster.nodes()) {
                MetadataResponse metadata = awaitMetadataListing(node, Set.of(1, 2, 3));
                assertThat(metadata.brokers()).allSatisfy(b -> assertThat(b.host()).isEqualTo("127.0.0.1"));
                assertThat(metadata.brokersById().get(node.nodeId()).port()).isEqualTo(node.clientPort());
                controllers.add(metadata.data().controllerId());
            }
            assertThat(controllers).hasSize(1).isSubsetOf(1, 2, 3);

            for (ClusterNode node : cluster.nodes()) {
                node.stop();
                assertStoppedCleanly(node);
            }
        }
    }

    @Test
    void aNodeIsPausedKilledRestartedAndStoppedOnItsOwnPortsAndData() throws Exception {
        try (StrandCluster cluster = StrandCluster.builder(dir).nodes(1).start()) {
            ClusterNode node = cluster.node(1);
            assertThat(cluster.bootstrapServers()).isEqualTo(node.bootstrapServers());
            try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", cluster.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic("kept", 2, (short) 1))).all().get();
            }

            try (RawKafkaConnection connection = new RawKafkaConnection(node.bootstrapServers(), 1_000)) {
                node.pause();
                RequestHeader header = new RequestHeader(ApiKeys.API_VERSIONS, ApiKeys.API_VERSIONS.latestVersion(),
                        "paused", 1);
                connection.sendFrame(new ApiVersionsRequest.Builder().build().serializeWithHeader(header));
                assertThatThrownBy(connection::readFrame).isInstanceOf(SocketTimeoutException.class);
                node.resume();
                connection.readTimeout(30_000);
                ApiVersionsResponse versions = (ApiVersionsResponse) AbstractResponse.parseResponse(
                        ByteBuffer.wrap(connection.readFrame()), header);
                assertThat(Errors.forCode(versions.data().errorCode())).isEqualTo(Errors.NONE);
            }

            long killedPid = node.pid();
            node.kill9();
            assertThat(node.isAlive()).isFalse();
            assertThat(node.exitCode()).hasValue(ClusterNode.EXIT_CODE_AFTER_SIGKILL);

            node.restart();
            assertThat(node.pid()).isNotEqualTo(killedPid);
            MetadataResponse metadata = awaitMetadataListing(node, Set.of(1));
            assertThat(metadata.topicMetadata()).extracting(MetadataResponse.TopicMetadata::topic).contains("kept");

            node.pause();
            node.stop();
            assertStoppedCleanly(node);
        }
        assertThat(dir.resolve("node-1")).doesNotExist();
    }

    @Test
    void aClusterThatCannotStartNamesTheNodeAndLeavesNoProcessBehind() {
        assertThatThrownBy(() -> StrandCluster.builder(dir).nodes(3).nodeProperty(2, "num.partitions", "0").start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("node 2 did not become ready")
                .hasMessageContaining("num.partitions");
        String nodeDirs = dir.toAbsolutePath().toString();
        assertThat(ProcessHandle.current().children()
                .filter(child -> child.info().arguments().map(args -> String.join(" ", args).contains(nodeDirs))
                        .orElse(false))
                .filter(ProcessHandle::isAlive)
                .toList()).isEmpty();
    }

    /** Ended by SIGTERM after its shutdown ran (not forced by SIGKILL), its logs closed cleanly. */
    private static void assertStoppedCleanly(ClusterNode node) {
        assertThat(node.exitCode()).hasValue(ClusterNode.EXIT_CODE_AFTER_SIGTERM);
        assertThat(node.dir().resolve("logs").resolve(".strand_cleanshutdown")).exists();
    }

    /** Metadata (all topics) from {@code node} alone, asked until it lists exactly {@code brokerIds}. */
    private static MetadataResponse awaitMetadataListing(ClusterNode node, Set<Integer> brokerIds) throws Exception {
        long deadlineNs = System.nanoTime() + METADATA_DEADLINE_MS * 1_000_000;
        try (RawKafkaConnection connection = new RawKafkaConnection(node.bootstrapServers())) {
            while (true) {
                MetadataResponse metadata = (MetadataResponse) connection.roundTrip(
                        MetadataRequest.Builder.allTopics().build((short) 12));
                Set<Integer> listed = metadata.brokers().stream().map(b -> b.id()).collect(Collectors.toSet());
                if (listed.equals(brokerIds)) {
                    return metadata;
                }
                if (System.nanoTime() > deadlineNs) {
                    throw new AssertionError("node " + node.nodeId() + " lists brokers " + listed + ", not " + brokerIds);
                }
                Thread.sleep(100);
            }
        }
    }
}
