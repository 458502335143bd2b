package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strand.testkit.ClusterNode;
import io.strand.testkit.StrandCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Apache Kafka's Java clients and its {@code kafka-topics} tool against a {@link StrandCluster} of
 * three combined nodes: replication factor 3 with {@code min.insync.replicas=2}, acks=all while nodes
 * are stopped and restarted, consumer groups of both protocols, and the leaders and ISRs the tool
 * describes.
 *
 * <p>One cluster serves every test (the class's own topics keep them apart). Tests that stop nodes
 * restart them before they end and wait for every ISR to be full again, so the next test starts from
 * three live nodes; they run last.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicatedClientsIT {

    private static final int NODES = 3;
    private static final int PARTITIONS = 6;
    private static final Duration CONVERGE = Duration.ofSeconds(60);
    private static final String TOPIC_COMMAND = "org.apache.kafka.tools.TopicCommand";
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(45);
    private static final String MIN_ISR_TOPIC = "replicated-min-isr";
    private static final String MIN_ISR_3_TOPIC = "replicated-min-isr-3";

    @TempDir
    static Path dir;

    private static StrandCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = StrandCluster.builder(dir).nodes(NODES).start();
        // Created before any node stops: see forwardedAdminRequestRightAfterANodeRestartIsAnswered.
        createReplicatedTopic(MIN_ISR_TOPIC, 2);
        createReplicatedTopic(MIN_ISR_3_TOPIC, 3);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @AfterEach
    void killLeftoverClients() {
        ChildProcess.killLeftovers();
    }

    @Test
    @Order(1)
    void everyAcknowledgedRecordIsReadBackThroughANodeThatDoesNotLeadAllPartitionsAndEveryReplicaHasIt()
            throws Exception {
        String topic = "replicated-java";
        createReplicatedTopic(topic);
        Map<String, String> produced = produce(cluster.bootstrapServers(), topic, 0, 300);

        Map<Integer, TopicPartitionInfo> partitions = awaitFullIsrs(topic);
        ClusterNode reader = cluster.nodes().stream()
                .filter(node -> partitions.values().stream().anyMatch(p -> p.leader().id() != node.nodeId()))
                .findFirst().orElseThrow();
        Map<String, String> consumed = readAll(reader.bootstrapServers(), topic, produced.size());
        assertThat(consumed).isEqualTo(produced);

        // Each leader's log end (answered by that leader) adds up to every record, and each ISR holds all three.
        Map<TopicPartition, Long> ends = logEnds(topic);
        assertThat(ends.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(produced.size());
        assertThat(partitions.values()).allSatisfy(p -> assertThat(p.isr()).hasSize(NODES));
    }

    @Test
    @Order(2)
    void classicGroupOfTwoConsumesEverythingAndANewMemberResumesFromTheCommittedOffsets() throws Exception {
        groupConsumesAndANewMemberResumes("replicated-classic", "classic");
    }

    @Test
    @Order(3)
    void consumerProtocolGroupOfTwoConsumesEverythingAndANewMemberResumesFromTheCommittedOffsets()
            throws Exception {
        groupConsumesAndANewMemberResumes("replicated-kip848", "consumer");
    }

    @Test
    @Order(4)
    void offsetsTopicIsReplicatedToEveryNode() throws Exception {
        // groups of the tests before created it; a group of its own makes the test stand alone
        readAllInGroup(cluster.bootstrapServers(), createReplicatedTopicWith("replicated-offsets", 1), "offsets-check",
                "classic");
        try (Admin admin = admin()) {
            TopicDescription offsets = admin.describeTopics(List.of("__consumer_offsets")).allTopicNames()
                    .get(30, TimeUnit.SECONDS).get("__consumer_offsets");
            assertThat(offsets.partitions()).isNotEmpty().allSatisfy(p -> assertThat(p.replicas()).hasSize(NODES));
        }
    }

    @Test
    @Order(5)
    void kafkaTopicsDescribesLeaderReplicasAndIsrAndLeadersMoveOffAStoppedNode() throws Exception {
        String topic = "replicated-cli";
        createReplicatedTopic(topic);
        awaitFullIsrs(topic);

        List<Map<String, String>> described = describePartitions(topic, cluster.node(1).bootstrapServers());
        assertThat(described).hasSize(PARTITIONS);
        for (Map<String, String> partition : described) {
            assertThat(partition.get("Leader")).as("leader in %s", partition).matches("[1-3]");
            assertThat(partition.get("Replicas").split(",")).containsExactlyInAnyOrder("1", "2", "3");
            assertThat(partition.get("Isr").split(",")).containsExactlyInAnyOrder("1", "2", "3");
        }
        String stopped = described.stream().map(p -> p.get("Leader")).filter(leader -> !leader.equals("1"))
                .findFirst().orElse("2");
        ClusterNode node = cluster.node(Integer.parseInt(stopped));

        node.stop();
        try {
            await("leaders off node " + stopped).atMost(CONVERGE).pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> assertThat(describePartitions(topic, survivor(node).bootstrapServers()))
                            .hasSize(PARTITIONS)
                            .allSatisfy(p -> {
                                assertThat(p.get("Leader")).isNotIn(stopped, "none", "-1");
                                assertThat(p.get("Isr").split(",")).doesNotContain(stopped);
                            }));
        } finally {
            node.restart();
        }
        awaitFullIsrs(topic);
    }

    @Test
    @Order(7)
    void acksAllSucceedsWithOneNodeStoppedAndFailsBelowMinInsyncReplicas() throws Exception {
        String topic = MIN_ISR_TOPIC;
        Map<String, String> before = produce(cluster.bootstrapServers(), topic, 0, 60);
        awaitFullIsrs(topic);

        ClusterNode first = cluster.node(3);
        ClusterNode second = cluster.node(2);
        ClusterNode last = cluster.node(1);
        first.stop();
        Map<String, String> whileOneStopped;
        try {
            awaitIsrsWithout(topic, first.nodeId());
            // ISR 2 >= min.insync.replicas 2: every acks=all write is acknowledged
            whileOneStopped = produce(last.bootstrapServers() + "," + second.bootstrapServers(), topic, 60, 60);

            second.stop();
            // The metadata quorum (3 voters) has lost its majority, so no ISR can shrink to the last node:
            // an acks=all write is not acknowledged, rejected as below min.insync.replicas or timed out.
            Throwable failure = produceOneExpectingFailure(last.bootstrapServers(), topic);
            assertThat(failure).isInstanceOfAny(NotEnoughReplicasException.class, TimeoutException.class);
        } finally {
            if (!second.isAlive()) {
                second.restart();
            }
            first.restart();
        }

        Map<Integer, TopicPartitionInfo> partitions = awaitFullIsrs(topic);
        assertThat(partitions.values()).allSatisfy(p -> assertThat(p.isr()).hasSize(NODES));
        Map<String, String> acknowledged = new LinkedHashMap<>(before);
        acknowledged.putAll(whileOneStopped);
        // every acknowledged record is there; the unacknowledged one may be too (it was not promised lost)
        Map<String, String> consumed = readAll(first.bootstrapServers(), topic, acknowledged.size());
        assertThat(consumed).containsAllEntriesOf(acknowledged);
        // the returned replicas caught up: each leader's log end is what the reader saw, and both are in every ISR
        assertThat(logEnds(topic).values().stream().mapToLong(Long::longValue).sum())
                .isGreaterThanOrEqualTo(acknowledged.size());
    }

    @Test
    @Order(6)
    void aTopicWhoseIsrIsBelowItsMinInsyncReplicasRejectsAcksAllWithNotEnoughReplicas() throws Exception {
        String topic = MIN_ISR_3_TOPIC;
        awaitFullIsrs(topic);
        ClusterNode stopped = cluster.node(2);
        stopped.stop();
        try {
            awaitIsrsWithout(topic, stopped.nodeId());
            Throwable failure = produceOneExpectingFailure(survivor(stopped).bootstrapServers(), topic);
            assertThat(failure).isInstanceOf(NotEnoughReplicasException.class);
        } finally {
            stopped.restart();
        }
        awaitFullIsrs(topic);
    }

    @Test
    @Order(8)
    void forwardedAdminRequestRightAfterANodeRestartIsAnswered() throws Exception {
        for (ClusterNode node : cluster.nodes()) {
            node.stop();
            node.restart();
            awaitFullIsrs(MIN_ISR_TOPIC);
            String topic = "replicated-after-restart-" + node.nodeId();
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    cluster.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) NODES))).all().get(60, TimeUnit.SECONDS);
            }
        }
    }

    private static void groupConsumesAndANewMemberResumes(String topic, String protocol) throws Exception {
        createReplicatedTopic(topic);
        Map<String, String> first = produce(cluster.bootstrapServers(), topic, 0, 120);
        String group = topic + "-group";

        Map<String, String> consumed = readAllInGroup(cluster.bootstrapServers(), topic, group, protocol);
        assertThat(consumed).isEqualTo(first);
        try (Admin admin = admin()) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            Map<TopicPartition, Long> committedOffsets = committed.entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
            assertThat(committedOffsets).as("committed offsets at each log end").isEqualTo(nonEmpty(logEnds(topic)));
        }

        Map<String, String> second = produce(cluster.bootstrapServers(), topic, 120, 30);
        Properties props = consumerProperties(cluster.node(3).bootstrapServers(), group, protocol);
        Map<String, String> resumed = new HashMap<>();
        try (KafkaConsumer<String, String> member = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            member.subscribe(List.of(topic));
            await("the new member reads what was produced after the commit").atMost(CONVERGE).until(() -> {
                for (ConsumerRecord<String, String> record : member.poll(Duration.ofMillis(200))) {
                    assertThat(resumed.put(record.key(), record.value())).as("read twice: %s", record).isNull();
                }
                return resumed.size() >= second.size();
            });
        }
        assertThat(resumed).isEqualTo(second);
    }

    /**
     * Two members of {@code group} poll in turn until together they have read every record of the
     * topic and each holds partitions; each commits its position after every poll. Both close.
     */
    private static Map<String, String> readAllInGroup(String bootstrap, String topic, String group, String protocol)
            throws Exception {
        Map<TopicPartition, Long> ends = logEnds(topic);
        long total = ends.values().stream().mapToLong(Long::longValue).sum();
        Map<String, String> read = new HashMap<>();
        Properties props = consumerProperties(bootstrap, group, protocol);
        try (KafkaConsumer<String, String> a = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer());
                KafkaConsumer<String, String> b = new KafkaConsumer<>(props, new StringDeserializer(),
                        new StringDeserializer())) {
            a.subscribe(List.of(topic));
            b.subscribe(List.of(topic));
            List<KafkaConsumer<String, String>> members = List.of(a, b);
            await("group " + group + " reads " + total + " records").atMost(CONVERGE).until(() -> {
                for (KafkaConsumer<String, String> member : members) {
                    for (ConsumerRecord<String, String> record : member.poll(Duration.ofMillis(100))) {
                        read.put(record.key(), record.value());
                    }
                    try {
                        member.commitSync();
                    } catch (CommitFailedException | RebalanceInProgressException e) {
                        // a rebalance moved on (a newer member epoch or generation): the next round commits
                    }
                }
                boolean bothAssigned = !ends.isEmpty() && !a.assignment().isEmpty() && !b.assignment().isEmpty();
                return read.size() >= total && bothAssigned && atEnd(members, ends);
            });
        }
        return read;
    }

    /** Whether the members' positions, over their assignments, cover every partition at its log end. */
    private static boolean atEnd(List<KafkaConsumer<String, String>> members, Map<TopicPartition, Long> ends) {
        Set<TopicPartition> covered = new HashSet<>();
        for (KafkaConsumer<String, String> member : members) {
            for (TopicPartition tp : member.assignment()) {
                if (member.position(tp) != ends.get(tp)) {
                    return false;
                }
                covered.add(tp);
            }
        }
        return covered.equals(ends.keySet());
    }

    private static Properties consumerProperties(String bootstrap, String group, String protocol) {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        props.put("group.id", group);
        props.put("group.protocol", protocol);
        props.put("enable.auto.commit", "false");
        props.put("auto.offset.reset", "earliest");
        return props;
    }

    private static Map<TopicPartition, Long> nonEmpty(Map<TopicPartition, Long> ends) {
        return ends.entrySet().stream().filter(e -> e.getValue() > 0)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    private static String createReplicatedTopicWith(String topic, int records) {
        createReplicatedTopic(topic);
        produce(cluster.bootstrapServers(), topic, 0, records);
        return topic;
    }

    private static void createReplicatedTopic(String topic) {
        createReplicatedTopic(topic, 2);
    }

    private static void createReplicatedTopic(String topic, int minInsyncReplicas) {
        try (Admin admin = admin()) {
            Topics.createReplicated(admin, topic, PARTITIONS, NODES,
                    Map.of("min.insync.replicas", Integer.toString(minInsyncReplicas)), CONVERGE);
        }
    }

    /**
     * Produces records {@code from} to {@code from + count - 1} (key {@code key-i}, value
     * {@code value-i}) with an idempotent acks=all producer, and returns them once each is acknowledged.
     */
    private static Map<String, String> produce(String bootstrap, String topic, int from, int count) {
        Map<String, String> sent = new LinkedHashMap<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProperties(bootstrap),
                new StringSerializer(), new StringSerializer())) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (int i = from; i < from + count; i++) {
                acks.add(producer.send(new ProducerRecord<>(topic, "key-" + i, "value-" + i)));
                sent.put("key-" + i, "value-" + i);
            }
            for (Future<RecordMetadata> ack : acks) {
                ack.get(90, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new AssertionError("acks=all produce to " + topic + " failed", e);
        }
        return sent;
    }

    /** Sends one record with acks=all through {@code bootstrap}, expects it not acknowledged and returns why. */
    private static Throwable produceOneExpectingFailure(String bootstrap, String topic) throws Exception {
        Properties props = producerProperties(bootstrap);
        // NOT_ENOUGH_REPLICAS is retriable: without retries its error surfaces instead of the batch's expiry
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        props.put(ProducerConfig.RETRIES_CONFIG, "0");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000");
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(),
                new StringSerializer())) {
            Future<RecordMetadata> ack = producer.send(new ProducerRecord<>(topic, "unacknowledged", "lost?"));
            try {
                RecordMetadata metadata = ack.get(60, TimeUnit.SECONDS);
                throw new AssertionError("acks=all was acknowledged below min.insync.replicas: " + metadata);
            } catch (ExecutionException e) {
                return e.getCause();
            }
        }
    }

    private static Properties producerProperties(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        return props;
    }

    /** Reads every partition of {@code topic} from the start through {@code bootstrap} until {@code count} keys. */
    private static Map<String, String> readAll(String bootstrap, String topic, int count) {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        Map<String, String> read = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                partitions.add(new TopicPartition(topic, p));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await("read " + count + " records of " + topic + " through " + bootstrap).atMost(CONVERGE).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> read.put(record.key(), record.value()));
                return read.size() >= count;
            });
        }
        return read;
    }

    /** Each partition's log end offset, as its leader answers ListOffsets. */
    private static Map<TopicPartition, Long> logEnds(String topic) throws Exception {
        try (Admin admin = admin()) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < PARTITIONS; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            return admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        }
    }

    /** Waits until every partition of {@code topic} has a leader and all three nodes in its ISR. */
    private static Map<Integer, TopicPartitionInfo> awaitFullIsrs(String topic) {
        return awaitPartitions(topic, "every ISR of " + topic + " holds all " + NODES + " nodes",
                p -> p.leader() != null && p.isr().size() == NODES);
    }

    private static void awaitIsrsWithout(String topic, int nodeId) {
        awaitPartitions(topic, "node " + nodeId + " out of every ISR of " + topic,
                p -> p.leader() != null && p.leader().id() != nodeId
                        && p.isr().stream().noneMatch(n -> n.id() == nodeId));
    }

    private static Map<Integer, TopicPartitionInfo> awaitPartitions(String topic, String what,
            java.util.function.Predicate<TopicPartitionInfo> condition) {
        Map<Integer, TopicPartitionInfo> seen = new HashMap<>();
        await(what).atMost(CONVERGE).pollInterval(Duration.ofMillis(300)).ignoreExceptions().until(() -> {
            try (Admin admin = admin()) {
                TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                        .get(10, TimeUnit.SECONDS).get(topic);
                seen.clear();
                description.partitions().forEach(p -> seen.put(p.partition(), p));
                return seen.size() == PARTITIONS && seen.values().stream().allMatch(condition);
            }
        });
        return Map.copyOf(seen);
    }

    /** An admin client bootstrapped from every node that runs. */
    private static Admin admin() {
        String bootstrap = cluster.nodes().stream().filter(ClusterNode::isAlive).map(ClusterNode::bootstrapServers)
                .collect(Collectors.joining(","));
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000));
    }

    private static ClusterNode survivor(ClusterNode stopped) {
        return cluster.nodes().stream().filter(n -> n != stopped && n.isAlive()).findFirst().orElseThrow();
    }

    /** kafka-topics --describe through {@code bootstrap}: one field map per partition line. */
    private static List<Map<String, String>> describePartitions(String topic, String bootstrap) {
        List<String> lines = ChildProcess.javaMain(TOPIC_COMMAND,
                        List.of("--bootstrap-server", bootstrap, "--describe", "--topic", topic))
                .timeout(TOOL_TIMEOUT).run().assertSuccess().stdoutLines();
        List<Map<String, String>> partitions = new ArrayList<>();
        for (String line : lines) {
            Map<String, String> fields = fields(line);
            if (fields.containsKey("Partition")) {
                partitions.add(fields);
            }
        }
        return partitions;
    }

    private static Map<String, String> fields(String line) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String field : line.strip().split("\t")) {
            String[] nameAndValue = field.split(":", 2);
            fields.put(nameAndValue[0].strip(), nameAndValue.length > 1 ? nameAndValue[1].strip() : "");
        }
        return fields;
    }
}
