package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.testkit.StrandNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.SubscriptionPattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ACLs end to end on one Strand node with Kafka's StandardAuthorizer configured and
 * {@code super.users=User:admin}: its ADMIN listener's connections are {@code User:admin}, its CLIENT
 * listener's {@code User:alice} ({@link ListenerPrincipalBuilder}, set per listener). Alice is denied
 * (TOPIC_AUTHORIZATION_FAILED to the Java producer, GROUP_AUTHORIZATION_FAILED to a consumer group,
 * CLUSTER_AUTHORIZATION_FAILED to an admin call, her Metadata without the topic), allowed after
 * {@code kafka-acls --add}, denied again after {@code kafka-acls --remove}. The tool runs in a child
 * JVM as {@code bin/kafka-acls.sh} runs it, on the ADMIN listener. A KIP-848 consumer of hers that
 * subscribes to the broker-side regex {@code .*} is assigned only the topics she may describe. Her
 * acks=0 produce to a topic she may not write, or with a transactional id she may not write, closes
 * the connection (raw socket: no response can carry the error).
 *
 * <p>Strand only: Kafka's reference broker is started without listener principal builders. Takes
 * 18–34 s (measured on a busy two-core machine), most of it kafka-acls' JVM starts; the regex and raw-socket
 * cases add about 1–2 s.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class AclIT {

    private static final String ACL_COMMAND = "org.apache.kafka.tools.AclCommand";
    private static final String TOPIC = "acl-topic";
    private static final String GROUP = "acl-group";
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(45);

    @TempDir
    static Path dataDir;

    private static StrandNode node;
    private static String adminServers;
    private static String aliceServers;
    private static Admin admin;
    private final List<AutoCloseable> clients = new ArrayList<>();

    @BeforeAll
    static void startNode() throws Exception {
        int raftPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            raftPort = socket.getLocalPort();
        }
        String builder = ListenerPrincipalBuilder.class.getName();
        node = StrandNode.start(dataDir, Map.of(
                "listeners", "ADMIN://127.0.0.1:0,CLIENT://127.0.0.1:0,CONTROLLER://127.0.0.1:" + raftPort,
                "controller.quorum.voters", "1@127.0.0.1:" + raftPort,
                "listener.security.protocol.map", "ADMIN:PLAINTEXT,CLIENT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name", "ADMIN",
                "listener.name.admin.principal.builder.class", builder,
                "listener.name.client.principal.builder.class", builder,
                "authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                "super.users", "User:admin",
                "group.initial.rebalance.delay.ms", "0"));
        Map<String, InetSocketAddress> listeners = node.server().clientListeners();
        adminServers = "127.0.0.1:" + listeners.get("ADMIN").getPort();
        aliceServers = "127.0.0.1:" + listeners.get("CLIENT").getPort();
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, adminServers));
        admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
    }

    @AfterAll
    static void stopNode() {
        if (admin != null) {
            admin.close();
        }
        if (node != null) {
            node.close();
        }
    }

    @AfterEach
    void closeClients() throws Exception {
        for (AutoCloseable client : clients) {
            client.close();
        }
        clients.clear();
        ChildProcess.killLeftovers();
    }

    @Test
    void producerIsDeniedThenAllowedByKafkaAclsThenDeniedAgain() throws Exception {
        assertThatThrownBy(() -> aliceProducer().send(new ProducerRecord<>(TOPIC, "k", "denied")).get())
                .hasCauseInstanceOf(TopicAuthorizationException.class);

        acls("--add", "--allow-principal", "User:alice", "--operation", "Write", "--topic", TOPIC);
        assertThat(aliceProducer().send(new ProducerRecord<>(TOPIC, "k", "allowed")).get().offset()).isNotNegative();

        acls("--remove", "--force", "--allow-principal", "User:alice", "--operation", "Write", "--topic", TOPIC);
        assertThatThrownBy(() -> aliceProducer().send(new ProducerRecord<>(TOPIC, "k", "denied again")).get())
                .hasCauseInstanceOf(TopicAuthorizationException.class);
    }

    @Test
    void consumerGroupIsDeniedThenAllowedByKafkaAclsThenDeniedAgain() throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps(adminServers))) {
            producer.send(new ProducerRecord<>(TOPIC, "k", "for the group")).get();
        }
        acls("--add", "--allow-principal", "User:alice", "--operation", "Read", "--topic", TOPIC);
        try {
            KafkaConsumer<String, String> denied = aliceConsumer();
            assertThatThrownBy(() -> denied.poll(Duration.ofSeconds(10))).isInstanceOf(GroupAuthorizationException.class);

            acls("--add", "--allow-principal", "User:alice", "--operation", "Read", "--group", GROUP);
            KafkaConsumer<String, String> allowed = aliceConsumer();
            ConsumerRecords<String, String> records = ConsumerRecords.empty();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (records.isEmpty() && System.nanoTime() < deadline) {
                records = allowed.poll(Duration.ofMillis(500));
            }
            assertThat(records.count()).isPositive();
            allowed.commitSync();

            acls("--remove", "--force", "--allow-principal", "User:alice", "--operation", "Read", "--group", GROUP);
            KafkaConsumer<String, String> deniedAgain = aliceConsumer();
            assertThatThrownBy(() -> deniedAgain.poll(Duration.ofSeconds(10)))
                    .isInstanceOf(GroupAuthorizationException.class);
        } finally {
            acls("--remove", "--force", "--allow-principal", "User:alice", "--operation", "Read", "--topic", TOPIC);
        }
    }

    @Test
    void clusterOperationIsDeniedThenAllowedByKafkaAclsThenDeniedAgain() throws Exception {
        Admin alice = aliceAdmin();
        assertThatThrownBy(() -> alice.describeAcls(AclBindingFilter.ANY).values().get())
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(ClusterAuthorizationException.class);

        acls("--add", "--allow-principal", "User:alice", "--operation", "Describe", "--cluster");
        assertThat(alice.describeAcls(AclBindingFilter.ANY).values().get()).isNotEmpty();

        acls("--remove", "--force", "--allow-principal", "User:alice", "--operation", "Describe", "--cluster");
        assertThatThrownBy(() -> alice.describeAcls(AclBindingFilter.ANY).values().get())
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(ClusterAuthorizationException.class);
    }

    @Test
    void metadataHidesTopicsThePrincipalMayNotDescribe() throws Exception {
        Admin alice = aliceAdmin();
        assertThat(admin.listTopics().names().get()).contains(TOPIC);
        assertThat(alice.listTopics().names().get()).doesNotContain(TOPIC);
        assertThatThrownBy(() -> alice.describeTopics(List.of(TOPIC)).allTopicNames().get())
                .hasCauseInstanceOf(TopicAuthorizationException.class);

        acls("--add", "--allow-principal", "User:alice", "--operation", "Describe", "--topic", TOPIC);
        try {
            assertThat(alice.listTopics().names().get()).contains(TOPIC);
        } finally {
            acls("--remove", "--force", "--allow-principal", "User:alice", "--operation", "Describe", "--topic", TOPIC);
        }
    }

    @Test
    void regexSubscriptionIsAssignedOnlyTopicsThePrincipalMayDescribe() throws Exception {
        String group = "acl-regex-group";
        admin.createTopics(List.of(new NewTopic("a-1", 1, (short) 1), new NewTopic("a-2", 1, (short) 1),
                new NewTopic("b-1", 1, (short) 1))).all().get();
        List<AclBinding> bindings = List.of(
                allowAlice(new ResourcePattern(ResourceType.TOPIC, "a-", PatternType.PREFIXED), AclOperation.READ),
                allowAlice(new ResourcePattern(ResourceType.GROUP, group, PatternType.LITERAL), AclOperation.READ));
        admin.createAcls(bindings).all().get();
        try {
            long applied = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!admin.describeAcls(AclBindingFilter.ANY).values().get().containsAll(bindings)
                    && System.nanoTime() < applied) {
                Thread.onSpinWait();
            }
            Properties props = consumerProps(group);
            props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
                consumer.subscribe(new SubscriptionPattern(".*"));
                Set<TopicPartition> expected = Set.of(new TopicPartition("a-1", 0), new TopicPartition("a-2", 0));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!consumer.assignment().equals(expected) && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(200));
                    assertThat(consumer.assignment()).isSubsetOf(expected);
                }
                assertThat(consumer.assignment()).isEqualTo(expected);
            }
        } finally {
            admin.deleteAcls(bindings.stream().map(AclBinding::toFilter).toList()).all().get();
        }
    }

    @Test
    void deniedAcksZeroProduceClosesTheConnection() throws Exception {
        for (String transactionalId : new String[] {null, "acl-tx"}) {
            try (RawKafkaConnection connection = new RawKafkaConnection(aliceServers)) {
                // acks=1 first: the refusal is answered, so the frames are well formed.
                ProduceResponse answered = (ProduceResponse) connection.roundTrip(produce((short) 1, transactionalId));
                Errors expected = transactionalId == null ? Errors.TOPIC_AUTHORIZATION_FAILED
                        : Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
                assertThat(answered.errorCounts()).containsOnlyKeys(expected);

                connection.send(produce((short) 0, transactionalId));
                assertThat(connection.isClosedByBroker()).as("transactionalId=%s", transactionalId).isTrue();
            }
        }
    }

    private static ProduceRequest produce(short acks, String transactionalId) {
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("v".getBytes()));
        ProduceRequestData data = new ProduceRequestData().setAcks(acks).setTimeoutMs(5_000)
                .setTransactionalId(transactionalId);
        data.topicData().add(new ProduceRequestData.TopicProduceData().setName(TOPIC).setPartitionData(List.of(
                new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records))));
        return new ProduceRequest(data, (short) 9);
    }

    private static AclBinding allowAlice(ResourcePattern resource, AclOperation operation) {
        return new AclBinding(resource, new AccessControlEntry("User:alice", "*", operation, AclPermissionType.ALLOW));
    }

    private KafkaProducer<String, String> aliceProducer() {
        Properties props = producerProps(aliceServers);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        KafkaProducer<String, String> producer = new KafkaProducer<>(props);
        clients.add(producer);
        return producer;
    }

    private static Properties producerProps(String servers) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "10000");
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        return props;
    }

    private KafkaConsumer<String, String> aliceConsumer() {
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps(GROUP));
        clients.add(consumer);
        consumer.subscribe(List.of(TOPIC));
        return consumer;
    }

    private static Properties consumerProps(String group) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, aliceServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        return props;
    }

    private Admin aliceAdmin() {
        Admin alice = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, aliceServers));
        clients.add(alice);
        return alice;
    }

    /** kafka-acls on the ADMIN listener (a super user), which must succeed. */
    private static ChildProcess.Result acls(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("--bootstrap-server", adminServers));
        command.addAll(List.of(args));
        return ChildProcess.javaMain(ACL_COMMAND, command).timeout(TOOL_TIMEOUT).run().assertSuccess();
    }
}
