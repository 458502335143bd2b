package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.strand.testkit.ClusterNode;
import io.strand.testkit.StrandCluster;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * How fast a three-node cluster fences a dead broker. The session timeout is set far above the
 * bounds asserted ({@value #SESSION_TIMEOUT_MS} ms), so only the active controller's probe of a
 * silent broker's endpoint can move leaderships in time: a killed broker's port refuses the probe
 * and the broker is fenced about one and a half heartbeat intervals after its last heartbeat (at
 * once when it died with the active controller: the new controller probes every broker first); a
 * paused broker's port still accepts, so it stays until its session expires.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DeadBrokerFencingIT {

    private static final int SESSION_TIMEOUT_MS = 30_000;
    /** Kafka's default {@code broker.heartbeat.interval.ms}: the probe comes after 3 s of silence. */
    private static final int HEARTBEAT_INTERVAL_MS = 2_000;
    /** Well below the session timeout, with room for a loaded machine. */
    private static final Duration FAILOVER_BOUND = Duration.ofSeconds(15);
    private static final Duration AWAIT = Duration.ofSeconds(90);

    @TempDir
    static Path dir;
    private static StrandCluster cluster;
    private static Admin admin;

    @BeforeAll
    static void startCluster() {
        assumeFalse("kafka".equals(System.getProperty(BrokerUnderTest.BROKER_PROPERTY)), "a Strand cluster only");
        cluster = StrandCluster.builder(dir).nodes(3)
                .property("broker.session.timeout.ms", Integer.toString(SESSION_TIMEOUT_MS))
                .property("broker.heartbeat.interval.ms", Integer.toString(HEARTBEAT_INTERVAL_MS))
                .start();
        admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500));
    }

    @AfterAll
    static void stopCluster() throws IOException {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        if (cluster != null) {
            cluster.copyNodeLogs(Path.of("target", "dead-broker-fencing-logs"));
            cluster.close();
        }
    }

    /** Each node's log, kept under target/ for a failure's diagnosis. */
    @BeforeEach
    void awaitThreeBrokers() {
        await("three unfenced brokers").atMost(AWAIT).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).size() == 3);
    }

    /** Starts any node a test left dead or paused, so that the next test has three. */
    @AfterEach
    void heal() {
        for (ClusterNode node : cluster.nodes()) {
            if (!node.isAlive()) {
                node.restart();
            }
        }
    }

    @Test
    void aKilledLeaderIsReplacedAndAnAcksAllProduceSucceedsLongBeforeItsSessionTimesOut() throws Exception {
        String topic = "killed-leader";
        createTopic(topic);
        int partition = partitionLedByANonController(topic);
        int oldLeader = describe(topic).partitions().get(partition).leader().id();

        try (KafkaProducer<String, String> producer = acksAllProducer()) {
            producer.send(new ProducerRecord<>(topic, partition, null, "before")).get(30, TimeUnit.SECONDS);

            long killedNs = System.nanoTime();
            cluster.node(oldLeader).kill9();
            await(topic + "-" + partition + " led by another broker than the killed " + oldLeader)
                    .atMost(FAILOVER_BOUND).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                    .until(() -> {
                        Node leader = describe(topic).partitions().get(partition).leader();
                        return leader != null && leader.id() != oldLeader;
                    });
            long electedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedNs);

            RecordMetadata after = producer.send(new ProducerRecord<>(topic, partition, null, "after"))
                    .get(FAILOVER_BOUND.toMillis(), TimeUnit.MILLISECONDS);
            long producedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedNs);
            System.out.printf("kill -9 of broker %d: new leader seen after %d ms, acks=all produce after %d ms%n",
                    oldLeader, electedMs, producedMs);
            assertThat(after.offset()).isEqualTo(1);
            assertThat(producedMs).as("kill to acknowledged produce, ms").isLessThan(FAILOVER_BOUND.toMillis());
        }
        assertThat(admin.describeCluster().nodes().get(10, TimeUnit.SECONDS)).extracting(Node::id)
                .as("the killed broker is fenced").doesNotContain(oldLeader);
    }

    /**
     * The killed leader is also the active controller: a new controller takes over with every
     * session started afresh, and its first check probes every broker, so the dead one is fenced
     * without waiting for a missed heartbeat, let alone its session.
     */
    @Test
    void aKilledLeaderThatWasAlsoTheControllerIsReplacedLongBeforeItsSessionTimesOut() throws Exception {
        String topic = "killed-controller";
        createTopic(topic);
        int controller = admin.describeCluster().controller().get(10, TimeUnit.SECONDS).id();
        int partition = describe(topic).partitions().stream().filter(p -> p.leader().id() == controller)
                .findFirst().map(TopicPartitionInfo::partition)
                .orElseThrow(() -> new AssertionError("no partition of " + topic + " led by the controller"));

        long killedNs = System.nanoTime();
        cluster.node(controller).kill9();
        await(topic + "-" + partition + " led by another broker than the killed controller " + controller)
                .atMost(FAILOVER_BOUND).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> {
                    Node leader = describe(topic).partitions().get(partition).leader();
                    return leader != null && leader.id() != controller;
                });
        System.out.printf("kill -9 of controller and leader %d: new leader seen after %d ms%n", controller,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedNs));
    }

    @Test
    void aPausedBrokerAcceptsTheProbeAndKeepsItsLeadershipUntilItsSessionTimesOut() throws Exception {
        String topic = "paused-leader";
        createTopic(topic);
        int partition = partitionLedByANonController(topic);
        int leader = describe(topic).partitions().get(partition).leader().id();

        // Asked of one live node: a client could pick the paused one and wait on it.
        ClusterNode observer = cluster.nodes().stream().filter(n -> n.nodeId() != leader).findFirst().orElseThrow();
        ClusterNode node = cluster.node(leader);
        try (RawKafkaConnection connection = new RawKafkaConnection(observer.bootstrapServers(), 10_000)) {
            assertThat(leadsAndIsListed(connection, topic, partition, leader)).isTrue();
            node.pause();
            // Several probes (one per heartbeat interval after the first 3 s of silence) are accepted.
            await("the paused broker stays unfenced and keeps its leadership").during(Duration.ofSeconds(10))
                    .atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
                    .until(() -> leadsAndIsListed(connection, topic, partition, leader));
        } finally {
            node.resume();
        }
    }

    /** Whether the node behind {@code connection} lists the broker (unfenced) and shows it leading the partition. */
    private static boolean leadsAndIsListed(RawKafkaConnection connection, String topic, int partition, int brokerId)
            throws IOException {
        MetadataResponse metadata = (MetadataResponse) connection.roundTrip(
                new MetadataRequest.Builder(List.of(topic), false).build((short) 12));
        boolean listed = metadata.brokers().stream().anyMatch(b -> b.id() == brokerId);
        Optional<Integer> leaderId = metadata.topicMetadata().iterator().next().partitionMetadata().stream()
                .filter(p -> p.partition() == partition).findFirst().flatMap(p -> p.leaderId);
        return listed && leaderId.equals(Optional.of(brokerId));
    }

    private static KafkaProducer<String, String> acksAllProducer() {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000,
                ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500),
                new StringSerializer(), new StringSerializer());
    }

    /** Three partitions, three replicas, min.insync.replicas 2; waits for their leaders. */
    private static void createTopic(String topic) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, 3, (short) 3).configs(Map.of("min.insync.replicas", "2"))))
                .all().get(60, TimeUnit.SECONDS);
        await("leaders and full ISRs of " + topic).atMost(AWAIT).pollInterval(Duration.ofMillis(100))
                .ignoreExceptions().until(() -> describe(topic).partitions().stream()
                        .allMatch(p -> p.leader() != null && p.isr().size() == 3));
    }

    /** A partition led by a broker that is not the active controller: a controller failover is another story. */
    private static int partitionLedByANonController(String topic) throws Exception {
        int controller = admin.describeCluster().controller().get(10, TimeUnit.SECONDS).id();
        List<TopicPartitionInfo> partitions = describe(topic).partitions();
        for (TopicPartitionInfo p : partitions) {
            if (p.leader().id() != controller) {
                return p.partition();
            }
        }
        throw new AssertionError("every partition of " + topic + " is led by the controller " + controller);
    }

    private static TopicDescription describe(String topic) {
        return Topics.describe(admin, topic);
    }
}
