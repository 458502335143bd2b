package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strand.testkit.ClusterNode;
import io.strand.testkit.StrandCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka's cluster admin tools against three Strand nodes, each tool run as its {@code bin/} script
 * runs it: {@code kafka-leader-election} moves leadership back to the preferred replicas after a
 * node came back, and {@code kafka-metadata-quorum} describes the metadata quorum through a broker.
 */
class ClusterAdminToolsIT {

    private static final String LEADER_ELECTION = "org.apache.kafka.tools.LeaderElectionCommand";
    private static final String METADATA_QUORUM = "org.apache.kafka.tools.MetadataQuorumCommand";
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(150);
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(90);
    private static final String TOPIC = "elected";

    @TempDir
    Path dir;

    @Test
    void leaderElectionRestoresPreferredLeadersAndTheQuorumIsDescribed() throws Exception {
        try (StrandCluster cluster = StrandCluster.builder(dir).nodes(3).start();
             Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", cluster.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 3, (short) 3))).all().get();
            awaitAllInSync(admin);

            // Node 1 leaves (its leaderships move away) and comes back: it rejoins the ISRs but
            // leads nothing until a preferred election gives its partitions back.
            ClusterNode node1 = cluster.node(1);
            node1.stop();
            node1.restart();
            awaitAllInSync(admin);
            assertThat(partitions(admin)).noneMatch(p -> p.leader() != null && p.leader().id() == 1);

            // The tool gives the election 30 s by default; a loaded machine's quorum may need longer
            // to commit it after a node's return, as the other steps here may.
            Path adminConfig = Files.writeString(dir.resolve("admin.properties"),
                    "default.api.timeout.ms=" + STEP_TIMEOUT.toMillis() + "\nrequest.timeout.ms=" + STEP_TIMEOUT.toMillis() + "\n");
            ChildProcess.Result election = tool(LEADER_ELECTION, "--bootstrap-server", cluster.node(2).bootstrapServers(),
                    "--command-config", adminConfig.toString(),
                    "--election-type", "preferred", "--all-topic-partitions");
            assertThat(election.stdout()).contains("Successfully completed leader election (PREFERRED)");
            await().atMost(STEP_TIMEOUT).untilAsserted(() -> assertThat(partitions(admin))
                    .allSatisfy(p -> assertThat(p.leader().id()).isEqualTo(p.replicas().get(0).id())));

            ChildProcess.Result status = tool(METADATA_QUORUM, "--bootstrap-server", cluster.node(3).bootstrapServers(),
                    "describe", "--status");
            assertThat(status.stdout()).contains("ClusterId:", "LeaderId:", "LeaderEpoch:", "HighWatermark:",
                    "MaxFollowerLag:", "CurrentVoters:", "CurrentObservers:");
            assertThat(field(status.stdoutLines(), "LeaderId")).isIn("1", "2", "3");
            assertThat(Long.parseLong(field(status.stdoutLines(), "HighWatermark"))).isPositive();
            String voters = field(status.stdoutLines(), "CurrentVoters");
            assertThat(voters).contains("\"id\": 1", "\"id\": 2", "\"id\": 3");

            ChildProcess.Result replication = tool(METADATA_QUORUM, "--bootstrap-server",
                    cluster.node(1).bootstrapServers(), "describe", "--replication");
            List<String> rows = replication.stdoutLines();
            assertThat(rows.get(0)).contains("NodeId", "LogEndOffset", "Lag", "LastFetchTimestamp", "Status");
            assertThat(rows.subList(1, rows.size())).hasSize(3)
                    .anySatisfy(row -> assertThat(row).contains("Leader"))
                    .filteredOn(row -> row.contains("Follower")).hasSize(2);
        }
    }

    private static void awaitAllInSync(Admin admin) {
        await().atMost(STEP_TIMEOUT).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(partitions(admin)).hasSize(3).allSatisfy(p -> {
                    assertThat(p.leader()).isNotNull();
                    assertThat(p.isr()).hasSize(3);
                }));
    }

    private static List<TopicPartitionInfo> partitions(Admin admin) throws Exception {
        TopicDescription description = admin.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC);
        return description.partitions();
    }

    /** The value of a {@code Name: value} line of kafka-metadata-quorum's status. */
    private static String field(List<String> lines, String name) {
        return lines.stream().filter(line -> line.startsWith(name + ":")).findFirst()
                .map(line -> line.substring(name.length() + 1).strip())
                .orElseThrow(() -> new AssertionError("no " + name + " in " + lines));
    }

    private static ChildProcess.Result tool(String mainClass, String... args) {
        return ChildProcess.javaMain(mainClass, new ArrayList<>(List.of(args))).timeout(TOOL_TIMEOUT).run()
                .assertSuccess();
    }
}
