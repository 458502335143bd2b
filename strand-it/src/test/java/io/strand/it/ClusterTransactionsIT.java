package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.strand.testkit.ClusterNode;
import io.strand.testkit.StrandCluster;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transactions in a three-node cluster (combined nodes, {@link StrandCluster}) over a topic with one
 * partition led by each broker, so that every transaction has partitions led by brokers other than its
 * coordinator: their markers go over the network, and with transactions v2 (finalized on a new cluster)
 * each leader adds its partition to the transaction by asking the coordinator's broker, as the group
 * coordinator's broker adds the offsets' partition; the producer epoch rises at every EndTxn. Commit and abort are seen as they should by read_committed and read_uncommitted
 * readers; then the coordinator's broker, and separately a participant partition's leader, is killed
 * with SIGKILL while a producer commits transactions back to back ({@link TransactionStream}):
 * {@code __transaction_state} (replication factor 3, min.insync.replicas 2) moves to another broker,
 * and every transaction the producer saw committed is read once, whole, none in part
 * ({@link TransactionAudit}); a new producer with the same transactional id then inits and commits. Killed nodes are restarted between tests; the last kill is left to the
 * cluster's close, which saves a node's restart (the slowest step here).
 *
 * <p>One cluster for the class; each test has topics and transactional ids of its own, and leaves every
 * node running. The active controller is never killed: that is ClusterFaultIT's scenario.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterTransactionsIT {

    private static final int SESSION_TIMEOUT_MS = 3_000;
    private static final int TXN_STATE_PARTITIONS = 3;
    private static final int PARTITIONS = 3;
    private static final Duration AWAIT = Duration.ofSeconds(60);
    /** Commits wanted between the faults of a test. */
    private static final int COMMITS_PER_ROUND = 10;

    @TempDir
    static Path dir;
    private static StrandCluster cluster;
    private static Admin admin;
    private final List<AutoCloseable> clients = new ArrayList<>();

    @BeforeAll
    static void startCluster() {
        assumeFalse("kafka".equals(System.getProperty(BrokerUnderTest.BROKER_PROPERTY)), "a Strand cluster only");
        cluster = StrandCluster.builder(dir).nodes(3)
                .property("broker.session.timeout.ms", Integer.toString(SESSION_TIMEOUT_MS))
                .property("broker.heartbeat.interval.ms", "500")
                .property("transaction.state.log.num.partitions", Integer.toString(TXN_STATE_PARTITIONS))
                .property("offsets.topic.num.partitions", "1")
                .property("transaction.abort.timed.out.transaction.cleanup.interval.ms", "500")
                .jvmOptions(List.of("-Xmx512m", "-Dorg.slf4j.simpleLogger.showDateTime=true",
                        "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS"))
                .start();
        admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500));
    }

    @AfterAll
    static void stopCluster() throws IOException {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        if (cluster != null) {
            cluster.copyNodeLogs(Path.of("target", "cluster-transactions-logs"));
            cluster.close();
        }
    }

    /** Three brokers, each leading its preferred partitions again after an earlier test's kill. */
    @BeforeEach
    void awaitThreeBrokers() {
        await("three brokers in the cluster").atMost(AWAIT).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).size() == 3);
    }

    @AfterEach
    void closeClientsAndHeal() throws Exception {
        for (AutoCloseable client : clients) {
            client.close();
        }
        CompletableFuture.allOf(cluster.nodes().stream().filter(node -> !node.isAlive())
                .map(node -> CompletableFuture.runAsync(node::restart))
                .toArray(CompletableFuture[]::new)).join();
    }

    @Test
    @Order(1)
    void transactionsOverPartitionsLedByEveryBrokerCommitAndAbort() throws Exception {
        for (ClusterNode node : cluster.nodes()) {
            await("transaction.version=2 finalized on node " + node.nodeId()).atMost(AWAIT)
                    .pollInterval(Duration.ofMillis(200)).until(() -> transactionVersion(node) == 2);
        }
        String topic = "txn-spread";
        createTopicLedByEveryBroker(topic);
        KafkaProducer<String, String> producer = producer("txn-spread");
        producer.initTransactions();
        List<Integer> epochs = new ArrayList<>();
        epochs.add(epoch("txn-spread"));
        inTransaction(producer, topic, "committed-a", true);
        epochs.add(epoch("txn-spread"));
        inTransaction(producer, topic, "aborted", false);
        epochs.add(epoch("txn-spread"));
        // transactions v2: the offsets' partition is added by the group coordinator's broker (TxnOffsetCommit v5)
        producer.beginTransaction();
        producer.sendOffsetsToTransaction(Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(3)),
                new ConsumerGroupMetadata("txn-spread-group"));
        sendValues(producer, topic, "committed-b");
        producer.commitTransaction();
        epochs.add(epoch("txn-spread"));

        assertThat(epochs).as("transactions v2 bump the producer epoch at every EndTxn").containsExactly(
                epochs.get(0), epochs.get(0) + 1, epochs.get(0) + 2, epochs.get(0) + 3);
        // The commit returns once it is prepared; the offsets become visible when the group coordinator has
        // the marker, a moment later, as with Kafka.
        await("the transaction's offsets of txn-spread-group").atMost(AWAIT).pollInterval(Duration.ofMillis(100))
                .until(() -> admin.listConsumerGroupOffsets("txn-spread-group").partitionsToOffsetAndMetadata()
                        .get(30, TimeUnit.SECONDS).get(new TopicPartition(topic, 0)), new OffsetAndMetadata(3)::equals);
        TransactionDescription description = admin.describeTransactions(List.of("txn-spread"))
                .description("txn-spread").get(30, TimeUnit.SECONDS);
        assertThat(description.state()).isEqualTo(TransactionState.COMPLETE_COMMIT);
        List<Integer> leaders = describe(topic).partitions().stream().map(p -> p.leader().id()).toList();
        assertThat(leaders).as("leaders of %s; the coordinator is %d", topic, description.coordinatorId())
                .containsExactlyInAnyOrder(1, 2, 3);

        TransactionAudit committed = TransactionAudit.readStable(cluster.bootstrapServers(), topic, PARTITIONS,
                "read_committed", AWAIT);
        TransactionAudit uncommitted = TransactionAudit.read(cluster.bootstrapServers(), topic, PARTITIONS,
                "read_uncommitted", AWAIT);
        for (int p = 0; p < PARTITIONS; p++) {
            assertThat(committed.values(p)).as("partition %d read_committed", p)
                    .containsExactlyElementsOf(concat(values("committed-a", p), values("committed-b", p)));
            assertThat(uncommitted.values(p)).as("partition %d read_uncommitted", p)
                    .containsExactlyElementsOf(concat(values("committed-a", p), values("aborted", p),
                            values("committed-b", p)));
        }
    }

    @Test
    @Order(2)
    void participantLeaderKilledMidStreamLosesNoCommittedTransactionAndShowsNoneInPart() throws Exception {
        String topic = "txn-participant-killed";
        int controller = controller();
        TransactionStream stream = startedStream(topic, controller);
        String transactionalId = stream.name;
        int coordinator = coordinatorOf(transactionalId);
        int victim = describe(topic).partitions().stream().map(p -> p.leader().id())
                .filter(leader -> leader != coordinator && leader != controller).findFirst().orElseThrow();

        phase("killing participant leader " + victim + " (coordinator " + coordinator + ")");
        cluster.node(victim).kill9();
        awaitCommits(stream, COMMITS_PER_ROUND);
        stream.stop();

        audit(topic, stream, successorCommits(topic, transactionalId));
        // the node comes back after the test (closeClientsAndHeal), while the next one begins
    }

    @Test
    @Order(3)
    void coordinatorsBrokerKilledMidStreamLosesNoCommittedTransactionAndShowsNoneInPart() throws Exception {
        String topic = "txn-coordinator-killed";
        TransactionStream stream = startedStream(topic, controller());
        String transactionalId = stream.name;

        int coordinator = coordinatorOf(transactionalId);
        phase("killing coordinator " + coordinator + " of " + transactionalId);
        cluster.node(coordinator).kill9();
        awaitCommits(stream, COMMITS_PER_ROUND);
        assertThat(coordinatorOf(transactionalId)).as("the coordinator after the kill").isNotEqualTo(coordinator);
        stream.stop();

        audit(topic, stream, successorCommits(topic, transactionalId));
    }

    /**
     * Creates {@code topic} led by every broker and starts a {@link TransactionStream} on it (named by its
     * transactional id) whose coordinator is not {@code controller}'s broker; returns it once it has
     * committed {@value #COMMITS_PER_ROUND} transactions.
     */
    private TransactionStream startedStream(String topic, int controller) throws Exception {
        createTopicLedByEveryBroker(topic);
        String transactionalId = transactionalIdCoordinatedByOtherThan(topic + "-", controller);
        TransactionStream stream = keep(TransactionStream.start(transactionalId, cluster.bootstrapServers(), topic,
                PARTITIONS, 3, Map.of(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000)));
        awaitCommits(stream, COMMITS_PER_ROUND);
        return stream;
    }

    /** A new producer with the stream's transactional id inits (fencing the stream's last) and commits. */
    private String successorCommits(String topic, String transactionalId) {
        KafkaProducer<String, String> successor = producer(transactionalId);
        successor.initTransactions();
        inTransaction(successor, topic, "successor", true);
        return "successor";
    }

    /** The stream's transactions whole and once, and the successor's ({@code successorPrefix}) committed one. */
    private static void audit(String topic, TransactionStream stream, String successorPrefix) {
        TransactionAudit committed = TransactionAudit.readStable(cluster.bootstrapServers(), topic, PARTITIONS,
                "read_committed", AWAIT);
        for (int p = 0; p < PARTITIONS; p++) {
            assertThat(committed.values(p)).as("partition %d read_committed", p)
                    .endsWith(values(successorPrefix, p).toArray(String[]::new));
        }
        int present = committed.check(stream);
        assertThat((long) present).as("transactions read back of %s", stream).isGreaterThanOrEqualTo(stream.committed());
        phase(stream + ": " + present + " transactions read_committed");
    }

    private static void awaitCommits(TransactionStream stream, int more) {
        long target = stream.committed() + more;
        await(stream + " commits " + more + " more").atMost(AWAIT).pollInterval(Duration.ofMillis(50))
                .until(() -> stream.committed() >= target);
    }

    // ---- helpers

    /** Creates {@code topic} with partition p preferring broker p + 1 as leader, RF 3, min.insync.replicas 2. */
    private static void createTopicLedByEveryBroker(String topic) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, Map.of(
                0, List.of(1, 2, 3),
                1, List.of(2, 3, 1),
                2, List.of(3, 1, 2))).configs(Map.of("min.insync.replicas", "2")))).all().get(60, TimeUnit.SECONDS);
        await("each broker leads one partition of " + topic).atMost(AWAIT).pollInterval(Duration.ofMillis(100))
                .ignoreExceptions().until(() -> {
                    admin.electLeaders(ElectionType.PREFERRED, null).partitions().get(10, TimeUnit.SECONDS);
                    List<TopicPartitionInfo> partitions = describe(topic).partitions();
                    return partitions.stream().allMatch(p -> p.leader() != null && p.isr().size() == 3
                            && p.leader().id() == p.partition() + 1);
                });
    }

    /**
     * A transactional id named {@code prefix} and a number whose coordinator (the leader of its
     * {@code __transaction_state} partition) is not broker {@code broker}; creates that topic first.
     */
    private String transactionalIdCoordinatedByOtherThan(String prefix, int broker) throws Exception {
        KafkaProducer<String, String> first = producer(prefix + "first");
        first.initTransactions(); // creates __transaction_state
        await("leaders of " + Topic.TRANSACTION_STATE_TOPIC_NAME).atMost(AWAIT).pollInterval(Duration.ofMillis(100))
                .ignoreExceptions().until(() -> {
                    admin.electLeaders(ElectionType.PREFERRED, null).partitions().get(10, TimeUnit.SECONDS);
                    return describe(Topic.TRANSACTION_STATE_TOPIC_NAME).partitions().stream()
                            .allMatch(p -> p.leader() != null && p.isr().size() == 3);
                });
        List<TopicPartitionInfo> partitions = describe(Topic.TRANSACTION_STATE_TOPIC_NAME).partitions();
        for (int i = 0; i < 100; i++) {
            String id = prefix + i;
            if (partitions.get(Utils.abs(id.hashCode()) % partitions.size()).leader().id() != broker) {
                return id;
            }
        }
        throw new AssertionError("no transactional id " + prefix + "N coordinated by another broker than " + broker
                + ": " + partitions);
    }

    private static int coordinatorOf(String transactionalId) throws Exception {
        int[] coordinator = {-1};
        await("the coordinator of " + transactionalId).atMost(AWAIT).pollInterval(Duration.ofMillis(100))
                .ignoreExceptions().until(() -> {
                    coordinator[0] = admin.describeTransactions(List.of(transactionalId)).description(transactionalId)
                            .get(10, TimeUnit.SECONDS).coordinatorId();
                    return true;
                });
        return coordinator[0];
    }

    private static int controller() throws Exception {
        return admin.describeCluster().controller().get(30, TimeUnit.SECONDS).id();
    }

    private static TopicDescription describe(String topic) {
        return Topics.describe(admin, topic);
    }

    private static void inTransaction(KafkaProducer<String, String> producer, String topic, String prefix,
                                      boolean commit) {
        producer.beginTransaction();
        sendValues(producer, topic, prefix);
        if (commit) {
            producer.commitTransaction();
        } else {
            producer.flush();
            producer.abortTransaction();
        }
    }

    private static void sendValues(KafkaProducer<String, String> producer, String topic, String prefix) {
        for (int p = 0; p < PARTITIONS; p++) {
            for (String value : values(prefix, p)) {
                producer.send(new ProducerRecord<>(topic, p, null, value));
            }
        }
    }

    private static int epoch(String transactionalId) throws Exception {
        return admin.describeTransactions(List.of(transactionalId)).description(transactionalId)
                .get(30, TimeUnit.SECONDS).producerEpoch();
    }

    /** The finalized transaction.version {@code node} answers ApiVersions with; 0 if none. */
    private static short transactionVersion(ClusterNode node) throws Exception {
        try (RawKafkaConnection connection = new RawKafkaConnection(node.bootstrapServers())) {
            ApiVersionsResponse response = (ApiVersionsResponse) connection.roundTrip(
                    new ApiVersionsRequest.Builder().build());
            var level = response.data().finalizedFeatures().find("transaction.version");
            return level == null ? 0 : level.maxVersionLevel();
        }
    }

    private static List<String> values(String prefix, int partition) {
        return List.of(prefix + "-p" + partition + "-0", prefix + "-p" + partition + "-1");
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static List<String> concat(List<String> a, List<String> b, List<String> c) {
        return concat(concat(a, b), c);
    }

    private KafkaProducer<String, String> producer(String transactionalId) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return keep(new KafkaProducer<>(props));
    }

    private <T extends AutoCloseable> T keep(T client) {
        clients.add(client);
        return client;
    }

    private static void phase(String what) {
        System.out.println(LocalTime.now() + " " + ClusterTransactionsIT.class.getSimpleName() + ": " + what);
    }
}
