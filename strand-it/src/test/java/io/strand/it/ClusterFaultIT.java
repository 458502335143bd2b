package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.strand.testkit.ClusterNode;
import io.strand.testkit.LogAudit;
import io.strand.testkit.ProducerLoad;
import io.strand.testkit.SendLog;
import io.strand.testkit.StrandCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults of whole processes in a three-node cluster (each node a combined broker and controller,
 * see {@link StrandCluster}): the leader of a partition killed with SIGKILL under acks=all load,
 * the active controller killed while topics are created, every node killed at once, the leader of a
 * share-partition killed that also holds its share-group state (the share coordinator). Each test
 * under producer load records every send's outcome ({@link SendLog}) and ends with {@link LogAudit} over a full read,
 * and, where replicas matter, compares the segment files of every (running) node: each replica must
 * come to hold the same records at the same offsets as the read.
 *
 * <p>One cluster for the class; each test has topics of its own and leaves every node running. The
 * controller fences a broker silent for {@value #SESSION_TIMEOUT_MS} ms.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class ClusterFaultIT {

    private static final int SESSION_TIMEOUT_MS = 3_000;
    /** How the nodes' log lines begin: a diagnosis picks the lines since a moment by comparing text. */
    private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS");
    private static final short PRODUCE_VERSION = 12;
    private static final Duration AWAIT = Duration.ofSeconds(90);
    private static final int MAX_PENDING_SENDS = 1_000;
    /** Paced so that three JVMs and the producers leave the machine room to fail over. */
    private static final int SENDS_PER_SECOND = 2_000;
    private static final String SHARE_STATE_TOPIC = "__share_group_state";
    /** Kafka's 50 would only lengthen the topic's creation. */
    private static final int SHARE_STATE_PARTITIONS = 3;

    @TempDir
    static Path dir;
    private static StrandCluster cluster;
    private static Admin admin;
    private final List<ProducerLoad> loads = new ArrayList<>();

    @BeforeAll
    static void startCluster() {
        // the cluster is Strand's own: nothing to compare against Apache Kafka here
        assumeFalse("kafka".equals(System.getProperty(BrokerUnderTest.BROKER_PROPERTY)),
                "a Strand cluster only");
        cluster = StrandCluster.builder(dir).nodes(3)
                .property("broker.session.timeout.ms", Integer.toString(SESSION_TIMEOUT_MS))
                .property("broker.heartbeat.interval.ms", "500")
                .property("share.coordinator.state.topic.num.partitions", Integer.toString(SHARE_STATE_PARTITIONS))
                .jvmOptions(List.of("-Xmx512m", "-Dorg.slf4j.simpleLogger.showDateTime=true",
                        "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS",
                        "-Dorg.slf4j.simpleLogger.log.org.apache.ratis=info"))
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
            cluster.copyNodeLogs(Path.of("target", "cluster-fault-logs"));
            cluster.close();
        }
    }

    /** Every broker registered and unfenced, so that each test can create topics with three replicas. */
    @BeforeEach
    void awaitThreeBrokers() {
        await("three brokers in the cluster").atMost(AWAIT).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).size() == 3);
    }

    /** Stops the producers and starts any node a failed test left dead, so that the next test has three. */
    @AfterEach
    void stopLoadsAndHeal() {
        loads.forEach(ProducerLoad::close);
        CompletableFuture.allOf(cluster.nodes().stream().filter(node -> !node.isAlive())
                .map(node -> CompletableFuture.runAsync(node::restart))
                .toArray(CompletableFuture[]::new)).join();
    }

    @Test
    void leaderKilledUnderIdempotentAcksAllLoadLosesNoAcknowledgedRecordOnAnyReplica() throws Exception {
        String topic = "leader-killed";
        int partitions = 3;
        createTopic(topic, partitions);
        ProducerLoad load = startIdempotentLoad("leader-killed-idempotent", topic, partitions);
        awaitAcked(load, 2_000);

        // A partition led by a broker that is not the active controller: killing the controller is a
        // scenario of its own (controllerKilledWhileTopicsAreCreatedAndRecordsProducedLosesNothing).
        int controller = admin.describeCluster().controller().get(30, TimeUnit.SECONDS).id();
        int victim = -1;
        int oldLeader = -1;
        for (int p = 0; p < partitions && victim < 0; p++) {
            int leader = describe(topic).partitions().get(p).leader().id();
            if (leader != controller) {
                victim = p;
                oldLeader = leader;
            }
        }
        assertThat(victim).as("a partition led by a broker other than the controller").isNotNegative();
        int victimPartition = victim;
        long lastSeqBeforeKill = load.log.begun() - 1;
        cluster.node(oldLeader).kill9();

        int newLeader = awaitLeaderOtherThan(topic, victimPartition, oldLeader);
        assertThat(newLeader).isNotEqualTo(oldLeader);
        // a send begun after the kill, to the failed-over partition, acknowledged: the new leader serves acks=all
        await("an acks=all send to the failed-over partition begun after the kill is acknowledged").atMost(AWAIT)
                .pollInterval(Duration.ofMillis(50))
                .until(() -> load.log.sends().stream().anyMatch(send -> send.seq > lastSeqBeforeKill
                        && send.partition == victimPartition && send.outcome() == SendLog.Outcome.ACKED));

        cluster.node(oldLeader).restart();
        awaitFullIsr(topic, partitions);
        awaitAcked(load, load.log.acked() + 1_000);
        load.stop();

        assertNoSendFailed(load.log);
        LogAudit audit = LogAudit.readWithJavaConsumer(cluster.bootstrapServers(), topic, partitions, AWAIT);
        audit.check(List.of(load.log));
        assertThat(audit.records()).isGreaterThanOrEqualTo((int) load.log.acked());
        assertEveryReplicaHolds(topic, partitions, audit);
    }

    @Test
    void controllerKilledWhileTopicsAreCreatedAndRecordsProducedLosesNothing() throws Exception {
        String topic = "controller-killed";
        int partitions = 3;
        createTopic(topic, partitions);
        ProducerLoad load = startIdempotentLoad("controller-killed-idempotent", topic, partitions);
        awaitAcked(load, 1_000);

        int oldController = admin.describeCluster().controller().get(30, TimeUnit.SECONDS).id();
        CompletableFuture<Void> createdDuringKill = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 5; i++) {
                // Two replicas: the killed node is fenced within seconds, and three would not fit then.
                createTopic("created-around-controller-kill-" + i, 1, (short) 2);
            }
        });
        cluster.node(oldController).kill9();
        createdDuringKill.get(3, TimeUnit.MINUTES);

        await("a new controller").atMost(AWAIT).pollInterval(Duration.ofMillis(200)).until(() ->
                admin.describeCluster().controller().get(10, TimeUnit.SECONDS).id() != oldController);
        createTopic("created-after-controller-kill", 2, (short) 2);
        long ackedAfterKill = load.log.acked();
        awaitAcked(load, ackedAfterKill + 1_000);

        cluster.node(oldController).restart();
        awaitFullIsr(topic, partitions);
        load.stop();

        assertNoSendFailed(load.log);
        Map<String, TopicDescription> topics = admin.describeTopics(List.of(
                "created-around-controller-kill-0", "created-around-controller-kill-4",
                "created-after-controller-kill")).allTopicNames().get(30, TimeUnit.SECONDS);
        assertThat(topics).hasSize(3);
        LogAudit audit = LogAudit.readWithJavaConsumer(cluster.bootstrapServers(), topic, partitions, AWAIT);
        audit.check(List.of(load.log));
        assertEveryReplicaHolds(topic, partitions, audit);
    }

    @Test
    void everyNodeKilledRightAfterTopicsAreCreatedKeepsTopicsAndAcknowledgedRecords() throws Exception {
        List<String> topics = List.of("full-restart-a", "full-restart-b", "full-restart-c");
        int partitions = 2;
        SendLog log = new SendLog("full-restart", true);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000), new StringSerializer(), new StringSerializer())) {
            for (String topic : topics) {
                createTopic(topic, partitions);
            }
            // one SendLog over several topics: partition p of topic t is recorded as t * partitions + p
            for (int i = 0; i < 60; i++) {
                int t = i % topics.size();
                int p = (i / topics.size()) % partitions;
                SendLog.Send send = log.begin(t * partitions + p);
                long offset = producer.send(new ProducerRecord<>(topics.get(t), p, null, send.value)).get().offset();
                log.complete(send, offset, null);
            }
        }
        cluster.nodes().forEach(ClusterNode::kill9);
        restartAll();

        Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames()
                .get(60, TimeUnit.SECONDS);
        assertThat(described.keySet()).containsExactlyInAnyOrderElementsOf(topics);
        for (String topic : topics) {
            assertThat(described.get(topic).partitions()).hasSize(partitions)
                    .allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
            awaitFullIsr(topic, partitions);
        }
        for (int t = 0; t < topics.size(); t++) {
            LogAudit audit = LogAudit.readWithJavaConsumer(cluster.bootstrapServers(), topics.get(t), partitions,
                    AWAIT);
            for (SendLog.Send send : log.sends()) {
                if (send.partition / partitions == t) {
                    int p = send.partition % partitions;
                    assertThat(audit.values(p)).as("%s-%d", topics.get(t), p).hasSizeGreaterThan(
                            (int) send.offset());
                    assertThat(audit.values(p).get((int) send.offset()))
                            .as("acknowledged %s at %s-%d@%d", send.value, topics.get(t), p, send.offset())
                            .isEqualTo(send.value);
                }
            }
            assertThat(audit.records()).isEqualTo(20);
        }
    }

    @Test
    void leaderPausedPastItsSessionAcknowledgesNothingInItsStaleEpochAndRejoinsAsFollower() throws Exception {
        leaderPausedPastItsSession("leader-paused", false);
    }

    /** As the test above, with the paused leader's node also the active controller and Raft leader. */
    @Test
    void controllerAndLeaderPausedPastItsSessionAcknowledgesNothingInItsStaleEpochAndRejoinsAsFollower()
            throws Exception {
        leaderPausedPastItsSession("controller-paused", true);
    }

    private void leaderPausedPastItsSession(String topic, boolean leaderIsController) throws Exception {
        int controller = admin.describeCluster().controller().get(30, TimeUnit.SECONDS).id();
        List<Integer> replicas = new ArrayList<>();
        if (leaderIsController) {
            replicas.add(controller);
        }
        admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).stream().map(Node::id)
                .filter(id -> id != controller).sorted().forEach(replicas::add);
        if (!leaderIsController) {
            replicas.add(controller);
        }
        admin.createTopics(List.of(new NewTopic(topic, Map.of(0, replicas))
                .configs(Map.of("min.insync.replicas", "2")))).all().get(60, TimeUnit.SECONDS);
        await("the preferred leader of " + topic).atMost(AWAIT).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> describe(topic).partitions().get(0).leader().id() == replicas.get(0));
        ProducerLoad load = startIdempotentLoad(topic + "-idempotent", topic, 1);
        awaitAcked(load, 500);

        int oldLeader = describe(topic).partitions().get(0).leader().id();
        ClusterNode paused = cluster.node(oldLeader);
        SendLog stale = new SendLog(topic + "-stale", false);
        SendLog.Send staleSend = stale.begin(0);
        try (RawKafkaConnection toOldLeader = new RawKafkaConnection(paused.bootstrapServers(), 120_000)) {
            toOldLeader.roundTrip(new ApiVersionsRequest.Builder().build());
            paused.pause();
            try {
                long lastSeqBeforePause = load.log.begun() - 1;
                awaitLeaderOtherThan(topic, 0, oldLeader);
                await("an acks=all send begun after the pause is acknowledged by the new leader").atMost(AWAIT)
                        .pollInterval(Duration.ofMillis(50))
                        .until(() -> load.log.sends().stream().anyMatch(send -> send.seq > lastSeqBeforePause
                                && send.outcome() == SendLog.Outcome.ACKED));

                // queued in the socket while the old leader is stopped; it reads it first thing when it runs again
                RequestHeader header = new RequestHeader(ApiKeys.PRODUCE, PRODUCE_VERSION, "stale-producer", 2);
                toOldLeader.sendFrame(staleProduce(topic, staleSend.value).serializeWithHeader(header));
                paused.resume();
                ProduceResponse response = (ProduceResponse) AbstractResponse.parseResponse(
                        ByteBuffer.wrap(toOldLeader.readFrame()), header);
                ProduceResponseData.PartitionProduceResponse answer =
                        response.data().responses().iterator().next().partitionResponses().get(0);
                Errors error = Errors.forCode(answer.errorCode());
                stale.complete(staleSend, error == Errors.NONE ? answer.baseOffset() : -1,
                        error == Errors.NONE ? null : error.exception());
                System.out.printf("%s: the paused old leader %d answered an acks=all produce with %s%n",
                        getClass().getSimpleName(), oldLeader, error);
            } finally {
                paused.resume(); // SIGCONT to a running process does nothing: resumed also after a failure
            }
        }

        awaitFullIsr(topic, 1);
        awaitAcked(load, load.log.acked() + 500);
        load.stop();

        assertNoSendFailed(load.log);
        LogAudit audit = LogAudit.readWithJavaConsumer(cluster.bootstrapServers(), topic, 1, AWAIT);
        // a success from the stale leader would have to be in the log at its offset: the audit checks it
        audit.check(List.of(load.log, stale));
        assertThat(staleSend.outcome()).as("the stale leader's answer to acks=all: %s", staleSend.error())
                .isEqualTo(SendLog.Outcome.FAILED);
        assertEveryReplicaHolds(topic, 1, audit);
    }

    @Test
    void replicasBehindAndAheadOfTheNewLeaderTruncateToItsLog() throws Exception {
        String topic = "truncated-replicas";
        createTopic(topic, 1);
        TopicPartitionInfo info = describe(topic).partitions().get(0);
        int leader = info.leader().id();
        int behind = info.replicas().stream().mapToInt(node -> node.id()).filter(id -> id != leader).findFirst()
                .orElseThrow();
        // one request at a time: acks=1 answers as soon as the leader has appended, before any follower has
        ProducerLoad load = ProducerLoad.start("truncated-acks-1", cluster.bootstrapServers(), topic, 1, Map.of(
                ProducerConfig.ACKS_CONFIG, "1",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false,
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1), MAX_PENDING_SENDS, SENDS_PER_SECOND);
        loads.add(load);
        awaitAcked(load, 1_000);
        cluster.node(behind).kill9();
        await("node " + behind + " out of the ISR").atMost(AWAIT).pollInterval(Duration.ofMillis(100))
                .ignoreExceptions().until(() -> describe(topic).partitions().get(0).isr().stream()
                        .noneMatch(node -> node.id() == behind));
        awaitAcked(load, load.log.acked() + 3_000);
        // the surviving follower must be in the ISR, or no replica may lead once the leader is gone
        int survivor = info.replicas().stream().mapToInt(node -> node.id())
                .filter(id -> id != leader && id != behind).findFirst().orElseThrow();
        await("node " + survivor + " in the ISR").atMost(AWAIT).pollInterval(Duration.ofMillis(100))
                .ignoreExceptions().until(() -> describe(topic).partitions().get(0).isr().stream()
                        .anyMatch(node -> node.id() == survivor));
        await("acks=1 produce requests in flight to the leader").atMost(AWAIT).pollInterval(Duration.ofMillis(1))
                .until(() -> load.requestsInFlight() > 0);
        cluster.node(leader).kill9();
        // the remaining node alone is no quorum: the replica that was behind comes back first
        cluster.node(behind).restart();
        awaitLeaderOtherThan(topic, 0, leader);
        cluster.node(leader).restart();
        awaitFullIsr(topic, 1);
        awaitAcked(load, load.log.acked() + 1_000);
        load.stop();

        // acks=1 may lose what only the killed leader had: no audit of acknowledgements, only of the replicas
        LogAudit audit = LogAudit.readWithJavaConsumer(cluster.bootstrapServers(), topic, 1, AWAIT);
        System.out.printf("%s: %s, %d records in the log%n", getClass().getSimpleName(), load.log, audit.records());
        assertEveryReplicaHolds(topic, 1, audit);
    }

    @Test
    void committedGroupOffsetsSurviveTheCoordinatorsBrokerKilled() throws Exception {
        committedGroupOffsetsSurviveTheCoordinatorsBrokerKilled("group-offsets", false);
    }

    private void committedGroupOffsetsSurviveTheCoordinatorsBrokerKilled(String topic, boolean coordinatorIsController)
            throws Exception {
        createTopic(topic, 2);
        Map<TopicPartition, OffsetAndMetadata> committed = Map.of(
                new TopicPartition(topic, 0), new OffsetAndMetadata(17, "zero"),
                new TopicPartition(topic, 1), new OffsetAndMetadata(42, "one"));
        String group = groupCoordinated(topic + "-coordinator-killed-", coordinatorIsController, committed);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(committed.keySet());
            consumer.commitSync(committed, Duration.ofSeconds(60));
        }
        int coordinator = admin.describeConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS).get(group)
                .coordinator().id();
        // An earlier test's restarts may have left the offsets partition's ISR at its leader alone (a fenced
        // broker leaves every ISR); the commit was acknowledged by that ISR, so only once the followers are
        // back in it do they hold the offsets, and losing the leader is survivable (as in Kafka).
        long isrWaitStart = System.nanoTime();
        awaitPartitionInFullIsr(Topic.GROUP_METADATA_TOPIC_NAME, offsetsPartition(group));
        System.out.printf("%s: the offsets partition of %s had its full ISR after %d ms%n", getClass().getSimpleName(),
                group, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - isrWaitStart));
        String killedAt = LocalDateTime.now().format(LOG_TIME);
        cluster.node(coordinator).kill9();
        try {
            Object[] lastAnswer = {"none"};
            try {
                await("the offsets of " + group + " from a new coordinator").atMost(AWAIT)
                        .pollInterval(Duration.ofMillis(200)).until(() -> {
                            try {
                                Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                                        .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
                                lastAnswer[0] = offsets;
                                return offsets.equals(committed);
                            } catch (ExecutionException | TimeoutException e) {
                                lastAnswer[0] = e;
                                return false;
                            }
                        });
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("the last answer to OffsetFetch after node " + coordinator + " was killed: "
                        + lastAnswer[0] + "\n" + offsetsPartitionDiagnosis(group, killedAt), e);
            }
            int newCoordinator = admin.describeConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS)
                    .get(group).coordinator().id();
            assertThat(newCoordinator).isNotEqualTo(coordinator);
        } finally {
            // every test leaves every node running, also after a failure
            cluster.node(coordinator).restart();
        }
    }

    /**
     * A share group's delivery state survives the SIGKILL of the node that leads both the share-partition and the
     * {@code __share_group_state} partition holding its state (its share coordinator): a member accepts five
     * records, releases two and still holds three when the node dies; another member then gets, from the new
     * leader that loaded the state from the new share coordinator, exactly the five not accepted and a record
     * produced after the kill. The released ones come with delivery count 2 (one delivery written), the held ones
     * with 1 (acquisitions are not written, as in Kafka).
     */
    @Test
    void shareGroupStateWrittenThroughAKilledLeaderAndShareCoordinatorIsLoadedByTheirSuccessors() throws Exception {
        String topic = "share-leader-killed";
        int victim = nonControllerLeadingAShareStatePartition();
        int controller = admin.describeCluster().controller().get(30, TimeUnit.SECONDS).id();
        List<Integer> replicas = new ArrayList<>(List.of(victim));
        cluster.nodes().stream().map(ClusterNode::nodeId).filter(id -> id != victim).forEach(replicas::add);
        admin.createTopics(List.of(new NewTopic(topic, Map.of(0, replicas))
                .configs(Map.of("min.insync.replicas", "2")))).all().get(60, TimeUnit.SECONDS);
        await("the preferred leader and full ISR of " + topic).atMost(AWAIT).pollInterval(Duration.ofMillis(100))
                .ignoreExceptions().until(() -> {
                    TopicPartitionInfo info = describe(topic).partitions().get(0);
                    return info.leader().id() == victim && info.isr().size() == 3;
                });
        String group = shareGroupCoordinatedBy(victim, topic);
        System.out.printf("%s: share-partition %s-0 of group %s and its state led by node %d (controller %d)%n",
                getClass().getSimpleName(), topic, group, victim, controller);

        long startNs = System.nanoTime();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                // the ten records go out as one batch at the flush: one fetch acquires them all
                ProducerConfig.LINGER_MS_CONFIG, 60_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 90_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000), new StringSerializer(), new StringSerializer());
             KafkaShareConsumer<String, String> first = ShareRecords.explicitConsumer(cluster.bootstrapServers(),
                     group)) {
            first.subscribe(List.of(topic));
            ShareRecords.warmUpAccepting(producer, topic, 0, first);
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(topic, 0, "k" + i, "r" + i));
            }
            producer.flush();
            List<ConsumerRecord<String, String>> polled = ShareRecords.pollUnacknowledged(first);
            assertThat(polled).extracting(ConsumerRecord::value)
                    .containsExactly("r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9");
            assertThat(polled).allSatisfy(r -> assertThat(r.deliveryCount()).contains((short) 1));
            for (ConsumerRecord<String, String> r : polled.subList(0, 7)) {
                first.acknowledge(r, r.value().compareTo("r5") < 0 ? AcknowledgeType.ACCEPT : AcknowledgeType.RELEASE);
            }
            // r7-r9 stay acquired: only the acceptances and releases are written, with acks=all, to the state
            assertThat(first.commitSync(Duration.ofSeconds(30))).as("acknowledgement errors").isNotEmpty().allSatisfy(
                    (partition, error) -> assertThat(error).as("%s", partition).isEmpty());

            long killNs = System.nanoTime();
            cluster.node(victim).kill9();
            try {
                // at once, before a new leader is known: its session was on the dead node
                closeQuietly(first);
                int newLeader = awaitLeaderOtherThan(topic, 0, victim);
                Future<RecordMetadata> after = producer.send(new ProducerRecord<>(topic, 0, "after", "after"));
                producer.flush();
                after.get(60, TimeUnit.SECONDS);
                try (KafkaShareConsumer<String, String> second = ShareRecords.explicitConsumer(
                        cluster.bootstrapServers(), group)) {
                    second.subscribe(List.of(topic));
                    Map<String, Short> delivered = ShareRecords.pollAcknowledging(second, 6,
                            value -> AcknowledgeType.ACCEPT);
                    assertThat(delivered).containsExactlyInAnyOrderEntriesOf(Map.of(
                            "r5", (short) 2, "r6", (short) 2,
                            "r7", (short) 1, "r8", (short) 1, "r9", (short) 1, "after", (short) 1));
                }
                long deliveredMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killNs);
                String stateKey = Coordinators.shareKey(group, describe(topic).topicId().toString(), 0);
                int shareCoordinator = Coordinators.find(cluster.node(newLeader).bootstrapServers(),
                        CoordinatorType.SHARE, List.of(stateKey)).get(stateKey);
                assertThat(shareCoordinator).as("the share coordinator of %s after the kill", stateKey)
                        .isNotIn(victim, Coordinators.NONE);
                System.out.printf("%s: node %d killed; %s-0 then led by node %d, its state by node %d; the next member"
                                + " had the records %d ms after the kill, %d ms after the first member began%n",
                        getClass().getSimpleName(), victim, topic, newLeader, shareCoordinator, deliveredMs,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs));
            } finally {
                cluster.node(victim).restart();
            }
        }
    }

    /**
     * A broker other than the active controller that leads a partition of {@code __share_group_state}, created
     * first if need be (FindCoordinator with key type SHARE creates it) and waited for with full ISRs.
     */
    private static int nonControllerLeadingAShareStatePartition() throws Exception {
        String probe = Coordinators.shareKey("probe", Uuid.randomUuid().toString(), 0);
        await(SHARE_STATE_TOPIC + " created").atMost(AWAIT).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> Coordinators.find(cluster.node(1).bootstrapServers(), CoordinatorType.SHARE,
                        List.of(probe)).get(probe) != Coordinators.NONE);
        awaitFullIsr(SHARE_STATE_TOPIC, SHARE_STATE_PARTITIONS);
        int controller = admin.describeCluster().controller().get(30, TimeUnit.SECONDS).id();
        List<TopicPartitionInfo> partitions = describe(SHARE_STATE_TOPIC).partitions();
        return partitions.stream().map(p -> p.leader().id()).filter(id -> id != controller).findFirst()
                .orElseThrow(() -> new AssertionError("every partition of " + SHARE_STATE_TOPIC
                        + " is led by the controller " + controller + ": " + partitions));
    }

    /**
     * A share group, named after {@code topic} and a number, whose state of {@code topic}-0 is kept by the share
     * coordinator on {@code node}, and preferably whose group coordinator is elsewhere (a member joins the new
     * group coordinator only after the failover of its {@code __consumer_offsets} partition too).
     */
    private static String shareGroupCoordinatedBy(int node, String topic) throws Exception {
        String topicId = describe(topic).topicId().toString();
        List<String> groups = IntStream.range(0, 60).mapToObj(i -> topic + "-" + i).toList();
        String bootstrap = cluster.node(node).bootstrapServers();
        Map<String, Integer> shareCoordinators = Coordinators.find(bootstrap, CoordinatorType.SHARE,
                groups.stream().map(g -> Coordinators.shareKey(g, topicId, 0)).toList());
        Map<String, Integer> groupCoordinators = Coordinators.find(bootstrap, CoordinatorType.GROUP, groups);
        List<String> onNode = groups.stream()
                .filter(g -> shareCoordinators.get(Coordinators.shareKey(g, topicId, 0)) == node).toList();
        return onNode.stream().filter(g -> groupCoordinators.get(g) != node).findFirst()
                .or(() -> onNode.stream().findFirst())
                .orElseThrow(() -> new AssertionError("none of " + groups.size() + " share groups has its state of "
                        + topic + "-0 on node " + node + ": " + shareCoordinators));
    }

    /** Closes a share consumer whose session's node was killed: the session cannot be closed there, nor need be. */
    private static void closeQuietly(KafkaShareConsumer<String, String> consumer) {
        try {
            consumer.close(Duration.ofSeconds(2));
        } catch (KafkaException e) {
            System.out.printf("closing a share consumer after its leader was killed: %s%n", e);
        }
    }

    /**
     * What the surviving nodes say about {@code group}'s {@code __consumer_offsets} partition: its leader and
     * ISR as described now, and the lines of each live node's log since {@code since} (a log time of day) that
     * name the partition — its ISR changes and its coordinator shard's loads, failures and unloads.
     */
    private static String offsetsPartitionDiagnosis(String group, String since) {
        int partition = -1;
        StringBuilder out = new StringBuilder();
        try {
            List<TopicPartitionInfo> partitions = describe(Topic.GROUP_METADATA_TOPIC_NAME).partitions();
            partition = offsetsPartition(group);
            out.append("__consumer_offsets-").append(partition).append(": ").append(partitions.get(partition));
        } catch (Exception e) {
            return "__consumer_offsets not described: " + e;
        }
        String topicPartition = Topic.GROUP_METADATA_TOPIC_NAME + "-" + partition + " ";
        String shard = "group-coordinator partition " + partition + " ";
        String loaded = "group-coordinator shard of partition " + partition + " ";
        for (ClusterNode node : cluster.nodes()) {
            if (!node.isAlive()) {
                continue;
            }
            out.append("\nnode ").append(node.nodeId()).append(" since ").append(since).append(':');
            try (Stream<String> lines = Files.lines(node.logFile())) {
                lines.filter(line -> line.compareTo(since) >= 0)
                        .filter(line -> line.contains(topicPartition) || line.contains(shard) || line.contains(loaded))
                        .limit(40)
                        .forEach(line -> out.append("\n  ").append(line));
            } catch (IOException | UncheckedIOException e) {
                out.append(" log not read: ").append(e);
            }
        }
        return out.toString();
    }

    // ---- helpers

    /** Copies each node's log to {@code target/cluster-fault-logs} before the cluster's files are deleted. */
    private ProducerLoad startIdempotentLoad(String name, String topic, int partitions) {
        ProducerLoad load = ProducerLoad.start(name, cluster.bootstrapServers(), topic, partitions, Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5), MAX_PENDING_SENDS, SENDS_PER_SECOND);
        loads.add(load);
        return load;
    }

    /** A produce request (v12, acks=all) of one record with {@code value} to partition 0 of {@code topic}. */
    private static ProduceRequest staleProduce(String topic, String value) {
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord(System.currentTimeMillis(), null, value.getBytes(StandardCharsets.UTF_8)));
        ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(10_000);
        ProduceRequestData.TopicProduceData topicData = new ProduceRequestData.TopicProduceData().setName(topic);
        topicData.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records));
        data.topicData().add(topicData);
        return new ProduceRequest.Builder(PRODUCE_VERSION, PRODUCE_VERSION, data).build(PRODUCE_VERSION);
    }

    private static void awaitAcked(ProducerLoad load, long acked) {
        await(load.log + " reaches " + acked + " acknowledgements").atMost(AWAIT).pollInterval(Duration.ofMillis(20))
                .until(() -> load.log.acked() >= acked);
    }

    private static void assertNoSendFailed(SendLog log) {
        assertThat(log.pending()).as("pending sends of %s after flush", log).isZero();
        assertThat(log.failed()).as("failed sends of %s, first: %s", log, log.sends().stream()
                .filter(send -> send.error() != null).findFirst().map(send -> send.value + ": " + send.error())
                .orElse("none")).isZero();
    }

    /**
     * A group named {@code prefix} and a number whose coordinator is the active controller's broker
     * ({@code byTheController}) or another one, made to exist with {@code offsets}.
     */
    private static String groupCoordinated(String prefix, boolean byTheController,
                                           Map<TopicPartition, OffsetAndMetadata> offsets) throws Exception {
        // Earlier kills may have left every leadership on the survivors: back to the preferred replicas,
        // which placement spread over all brokers.
        admin.electLeaders(ElectionType.PREFERRED, null).partitions().get(60, TimeUnit.SECONDS);
        int controller = admin.describeCluster().controller().get(30, TimeUnit.SECONDS).id();
        for (int i = 0; i < 100; i++) {
            String group = prefix + i;
            // Offsets make the group exist, so that DescribeGroups names its coordinator.
            admin.alterConsumerGroupOffsets(group, offsets).all().get(30, TimeUnit.SECONDS);
            int coordinator = admin.describeConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS)
                    .get(group).coordinator().id();
            if ((coordinator == controller) == byTheController) {
                return group;
            }
        }
        throw new AssertionError("none of 100 group ids is coordinated " + (byTheController ? "by" : "other than by")
                + " the controller, broker " + controller);
    }

    /** Creates {@code topic} with replication factor 3 and min.insync.replicas 2, and waits for its leaders. */
    private static void createTopic(String topic, int partitions) {
        createTopic(topic, partitions, (short) 3);
    }

    private static void createTopic(String topic, int partitions, short replicationFactor) {
        try {
            admin.createTopics(List.of(new NewTopic(topic, partitions, replicationFactor)
                    .configs(Map.of("min.insync.replicas", "2")))).all().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("cannot create " + topic, e);
        }
        await("leaders of " + topic).atMost(AWAIT).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> describe(topic).partitions().stream().allMatch(p -> p.leader() != null));
    }

    private static TopicDescription describe(String topic) {
        return Topics.describe(admin, topic);
    }

    /** Waits for a leader other than {@code oldLeader}; on a timeout, says what the partition looked like last. */
    private static int awaitLeaderOtherThan(String topic, int partition, int oldLeader) {
        int[] leader = {-1};
        Object[] last = {"no answer"};
        try {
            await(topic + "-" + partition + " led by another node than " + oldLeader).atMost(AWAIT)
                    .pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
                        TopicPartitionInfo info = describe(topic).partitions().get(partition);
                        last[0] = info;
                        leader[0] = info.leader() == null ? -1 : info.leader().id();
                        return leader[0] != -1 && leader[0] != oldLeader;
                    });
        } catch (ConditionTimeoutException e) {
            Object controller;
            try {
                controller = admin.describeCluster().controller().get(10, TimeUnit.SECONDS);
            } catch (Exception describeFailed) {
                controller = describeFailed;
            }
            throw new AssertionError("no leader other than " + oldLeader + " for " + topic + "-" + partition
                    + "; last described " + last[0] + ", controller " + controller, e);
        }
        return leader[0];
    }

    /** The partition of {@code __consumer_offsets} that holds {@code group}'s offsets. */
    private static int offsetsPartition(String group) throws Exception {
        return Utils.abs(group.hashCode()) % describe(Topic.GROUP_METADATA_TOPIC_NAME).partitions().size();
    }

    /** Waits until partition {@code partition} of {@code topic} has all three replicas in its ISR. */
    private static void awaitPartitionInFullIsr(String topic, int partition) {
        await("ISR of 3 on " + topic + "-" + partition).atMost(AWAIT).pollInterval(Duration.ofMillis(200))
                .ignoreExceptions().until(() -> describe(topic).partitions().get(partition).isr().size() == 3);
    }

    /** Waits until every partition of {@code topic} has all three replicas in its ISR. */
    private static void awaitFullIsr(String topic, int partitions) {
        await("ISR of 3 on every partition of " + topic).atMost(AWAIT).pollInterval(Duration.ofMillis(200))
                .ignoreExceptions().until(() -> {
                    List<TopicPartitionInfo> infos = describe(topic).partitions();
                    return infos.size() == partitions && infos.stream().allMatch(p -> p.isr().size() == 3);
                });
    }

    /** Starts every node again at once (one alone cannot serve without a quorum) and waits until all serve. */
    private static void restartAll() {
        CompletableFuture.allOf(cluster.nodes().stream()
                .map(node -> CompletableFuture.runAsync(node::restart))
                .toArray(CompletableFuture[]::new)).join();
    }

    /**
     * Asserts each replica holds exactly what {@code audit} read (the same values at the same offsets),
     * read from each node's segment files while the nodes run. The load has stopped, so nothing more is
     * written to {@code topic}; a follower may still be fetching the last records or truncating to the
     * leader's log, so the comparison is repeated (for up to {@link #AWAIT}) until every replica agrees,
     * and a timeout names the last difference. The nodes run on: no restart between tests.
     */
    private static void assertEveryReplicaHolds(String topic, int partitions, LogAudit audit) {
        await("every replica of " + topic + " holds what was read").atMost(AWAIT).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> {
                    for (ClusterNode node : cluster.nodes()) {
                        for (int p = 0; p < partitions; p++) {
                            List<String> values;
                            try {
                                values = replicaValues(node, topic, p);
                            } catch (IOException e) {
                                throw new AssertionError(topic + "-" + p + " on node " + node.nodeId()
                                        + " not read: " + e, e);
                            }
                            assertThat(values).as("%s-%d on node %d", topic, p, node.nodeId())
                                    .isEqualTo(audit.values(p));
                        }
                    }
                });
    }

    /** The values in {@code node}'s log of a partition, read from its segment files, checking offsets run from 0. */
    private static List<String> replicaValues(ClusterNode node, String topic, int partition) throws IOException {
        Path partitionDir = node.dir().resolve("logs").resolve(topic + "-" + partition);
        List<Path> segments;
        try (Stream<Path> files = Files.list(partitionDir)) {
            segments = files.filter(f -> f.getFileName().toString().endsWith(".log")).sorted().toList();
        }
        List<String> values = new ArrayList<>();
        for (Path segment : segments) {
            MemoryRecords records = MemoryRecords.readableRecords(ByteBuffer.wrap(Files.readAllBytes(segment)));
            for (RecordBatch batch : records.batches()) {
                for (Record record : batch) {
                    assertThat(record.offset()).as("offset in %s of node %d", segment, node.nodeId())
                            .isEqualTo(values.size());
                    values.add(StandardCharsets.UTF_8.decode(record.value()).toString());
                }
            }
        }
        return values;
    }
}
