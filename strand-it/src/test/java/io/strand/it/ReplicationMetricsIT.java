package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.strand.testkit.ClusterNode;
import io.strand.testkit.StrandCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replication metrics of a three-node cluster, each node's /metrics parsed with Prometheus' parser: one
 * active controller and no offline partition; a SIGKILLed follower makes the leader of a replicated
 * partition report an ISR shrink and the partition under-replicated and at min ISR, and once the
 * follower is back and has caught up the leader expands the ISR (counted) and reports nothing
 * under-replicated. Whichever removes the follower first counts as the leader's ISR shrink: the
 * controller fencing it (its endpoint refuses connections) or the leader's lag check
 * ({@code replica.lag.time.max.ms} short here, 2 s).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ReplicationMetricsIT {

    private static final String TOPIC = "replication-metrics";
    private static final Duration AWAIT = Duration.ofSeconds(30);

    @TempDir
    static Path dir;
    private static StrandCluster cluster;
    private static final Map<Integer, URI> http = new HashMap<>();
    private static MetricsScrape scraper;

    @BeforeAll
    static void startCluster() {
        assumeFalse("kafka".equals(System.getProperty(BrokerUnderTest.BROKER_PROPERTY)), "Strand's metrics only");
        scraper = new MetricsScrape();
        StrandCluster.Builder builder = StrandCluster.builder(dir).nodes(3)
                .property("replica.lag.time.max.ms", "2000")
                .property("broker.heartbeat.interval.ms", "500")
                .jvmOptions(List.of("-Xmx256m"));
        for (int id = 1; id <= 3; id++) {
            int port = freePort();
            http.put(id, URI.create("http://127.0.0.1:" + port));
            builder.nodeProperty(id, "strand.http.listener", "http://127.0.0.1:" + port);
        }
        cluster = builder.start();
    }

    @AfterAll
    static void stopCluster() throws IOException {
        if (cluster != null) {
            cluster.copyNodeLogs(Path.of("target", "replication-metrics-logs"));
            cluster.close();
        }
    }

    @Test
    void aKilledFollowerIsCountedOutOfTheIsrAndBackInAfterItsRestart() throws Exception {
        long startMs = System.currentTimeMillis();
        TopicPartitionInfo partition;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 3)
                    .configs(Map.of("min.insync.replicas", "2")))).all().get(30, TimeUnit.SECONDS);
            partition = await("a leader with a full ISR").atMost(AWAIT).ignoreExceptions().until(() -> {
                TopicDescription described = admin.describeTopics(List.of(TOPIC)).allTopicNames()
                        .get(10, TimeUnit.SECONDS).get(TOPIC);
                return described.partitions().get(0);
            }, p -> p.leader() != null && p.isr().size() == 3);
        }
        int controller = awaitOneActiveController();
        int leader = partition.leader().id();
        // A follower that is not the active controller: the ISR change must reach a controller that stays.
        int follower = partition.replicas().stream().mapToInt(n -> n.id())
                .filter(id -> id != leader && id != controller).findFirst().orElseThrow();
        Map<String, String> labels = Map.of("topic", TOPIC, "partition", "0");
        MetricsScrape.Samples before = await("the leader reports the partition healthy").atMost(AWAIT)
                .until(() -> scraper.scrape(http.get(leader)),
                        s -> s.find("strand_partition_high_watermark", labels).isPresent()
                                && s.value("strand_replica_under_replicated_partitions") == 0);
        double shrinks = before.value("strand_isr_shrinks_total");
        double expands = before.value("strand_isr_expands_total");
        assertThat(before.value("strand_replica_leader_partitions")).isGreaterThanOrEqualTo(1);
        assertThat(before.value("strand_replica_partitions"))
                .isGreaterThanOrEqualTo(before.value("strand_replica_leader_partitions"));
        assertThat(before.value("strand_replica_under_min_isr_partitions")).isZero();

        ClusterNode victim = cluster.node(follower);
        victim.kill9();
        long killedMs = System.currentTimeMillis();
        MetricsScrape.Samples shrunk = await("the leader shrinks the ISR").atMost(AWAIT)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> scraper.scrape(http.get(leader)),
                        s -> s.value("strand_replica_under_replicated_partitions") >= 1
                                && s.value("strand_isr_shrinks_total") > shrinks);
        long shrunkMs = System.currentTimeMillis();
        assertThat(shrunk.value("strand_replica_at_min_isr_partitions")).as("2 of 3 in sync, min 2").isGreaterThanOrEqualTo(1);
        assertThat(shrunk.value("strand_replica_under_min_isr_partitions")).isZero();
        assertThat(scraper.scrape(http.get(controller)).value("strand_controller_offline_partitions"))
                .as("every partition keeps a leader").isZero();

        victim.restart();
        long restartedMs = System.currentTimeMillis();
        MetricsScrape.Samples healed = await("the leader expands the ISR").atMost(AWAIT)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> scraper.scrape(http.get(leader)),
                        s -> s.value("strand_replica_under_replicated_partitions") == 0
                                && s.value("strand_isr_expands_total") > expands);
        assertThat(healed.value("strand_replica_at_min_isr_partitions")).isZero();
        System.out.printf("%s: shrink counted %d ms after the kill, expansion %d ms after the restart, %d ms in all%n",
                getClass().getSimpleName(), shrunkMs - killedMs, System.currentTimeMillis() - restartedMs,
                System.currentTimeMillis() - startMs);
    }

    /** The one node whose /metrics says its controller is active, once exactly one does. */
    private static int awaitOneActiveController() {
        return await("one active controller").atMost(AWAIT).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> {
                    int active = -1;
                    int count = 0;
                    for (Map.Entry<Integer, URI> node : http.entrySet()) {
                        MetricsScrape.Samples samples = scraper.scrape(node.getValue());
                        if (samples.value("strand_controller_active") == 1) {
                            active = node.getKey();
                            count++;
                            assertThat(samples.value("strand_controller_offline_partitions")).isZero();
                            assertThat(samples.value("strand_controller_partitions")).isPositive();
                        } else {
                            assertThat(samples.value("strand_controller_partitions")).isZero();
                        }
                    }
                    return count == 1 ? active : -1;
                }, id -> id > 0);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
