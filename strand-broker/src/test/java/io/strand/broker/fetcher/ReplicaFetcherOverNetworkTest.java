package io.strand.broker.fetcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.channel.EventLoopGroup;
import io.strand.broker.BrokerServer;
import io.strand.broker.controller.QuorumControllerChannel;
import io.strand.common.test.ThreadLeakCheck;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.message.BrokerRegistrationRequestData;
import org.apache.kafka.common.message.BrokerRegistrationResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fetcher and its Netty client against a running single node, with the Java producer writing. */
class ReplicaFetcherOverNetworkTest {

    private static final String TOPIC = "replicated";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);
    private static final int RECORDS = 600;

    @TempDir
    Path dataDir;

    private final ThreadLeakCheck threads = ThreadLeakCheck.start();
    private BrokerServer node;
    private InetSocketAddress leaderAddress;

    private int raftPort;

    @BeforeEach
    void startNode() throws Exception {
        raftPort = freePort();
        Map<String, String> props = new LinkedHashMap<>();
        props.put("node.id", "1");
        props.put("listeners", "PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:" + raftPort);
        props.put("controller.quorum.voters", "1@127.0.0.1:" + raftPort);
        props.put("log.dirs", dataDir.toString());
        props.put("offsets.topic.num.partitions", "1");
        node = BrokerServer.start(BrokerServer.config(props), Time.SYSTEM);
        leaderAddress = node.clientAddress();
    }

    @AfterEach
    void stopNode() {
        if (node != null) {
            node.close();
        }
        threads.assertNoNewThreads();
    }

    @Test
    void copiesAPartitionRecordForRecord() throws Exception {
        Uuid topicId = createTopic();
        List<String> produced = produce(0, RECORDS);
        int leaderEpoch = leaderEpoch();
        InMemoryLog follower = new InMemoryLog(TP, topicId);
        // Small fetches, so that copying takes many rounds.
        FetcherConfig config = new FetcherConfig(2, 4_096, 16_384, 100, 1, 100, 10_000);

        try (ReplicaFetcherManager manager = new ReplicaFetcherManager(config, () -> 5L,
                id -> id == 1 ? Optional.of(leaderAddress) : Optional.empty(), Time.SYSTEM)) {
            manager.follow(follower, 1, leaderEpoch);
            await().atMost(Duration.ofSeconds(30)).until(() -> follower.logEndOffset() == RECORDS);
            assertThat(threads.newLiveThreads()).contains("strand-replica-fetcher-1");

            // Records keep coming while it follows.
            produced.addAll(produce(RECORDS, 50));
            await().atMost(Duration.ofSeconds(30)).until(() -> follower.logEndOffset() == RECORDS + 50);
            await().atMost(Duration.ofSeconds(30)).until(() -> follower.highWatermark() == RECORDS + 50);
        }
        assertThat(follower.contents()).hasSize(RECORDS + 50);
        List<String> copied = new ArrayList<>();
        for (String entry : follower.contents()) {
            String[] parts = entry.split(":", 3);
            assertThat(Integer.parseInt(parts[1])).isEqualTo(leaderEpoch);
            copied.add(parts[0] + ":" + parts[2]);
        }
        assertThat(copied).isEqualTo(produced);
    }

    @Test
    void reconnectsAfterTheConnectionIsLost() throws Exception {
        Uuid topicId = createTopic();
        produce(0, 10);
        InMemoryLog follower = new InMemoryLog(TP, topicId);
        FetcherConfig config = new FetcherConfig(2, 1_048_576, 10_485_760, 100, 1, 50, 10_000);
        try (ServerSocket wrong = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            wrong.setSoTimeout(10_000);
            AtomicReference<Optional<InetSocketAddress>> address = new AtomicReference<>(
                    Optional.of((InetSocketAddress) wrong.getLocalSocketAddress()));
            try (ReplicaFetcherManager manager = new ReplicaFetcherManager(config, () -> 5L, id -> address.get(),
                    Time.SYSTEM)) {
                manager.follow(follower, 1, leaderEpoch());
                // The first connection goes to a socket that hangs up; the next, after the backoff, to the leader.
                try (Socket accepted = wrong.accept()) {
                    address.set(Optional.of(leaderAddress));
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> follower.logEndOffset() == 10);
            }
        }
    }

    @Test
    void aConnectionFailsItsRequestWhenTheBrokerHasNoAddressOrIsGone() throws Exception {
        EventLoopGroup network = BrokerConnection.newEventLoopGroup("test-connection", 1);
        try {
            BrokerConnection unknown = new BrokerConnection(9, Optional::empty, "test", network, 0, 5_000);
            assertThatThrownBy(() -> unknown.send(ApiKeys.METADATA, (short) 12, v -> new MetadataRequestData())
                    .get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(NetworkException.class);
            int port = freePort();
            BrokerConnection refused = new BrokerConnection(9,
                    () -> Optional.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)), "test", network,
                    0, 5_000);
            assertThatThrownBy(() -> refused.send(ApiKeys.METADATA, (short) 12, v -> new MetadataRequestData())
                    .get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(NetworkException.class);

            BrokerConnection live = new BrokerConnection(1, () -> Optional.of(leaderAddress), "test", network, 0, 5_000);
            // Strand serves Metadata up to 13; asking for more than any broker serves fails the call only.
            assertThatThrownBy(() -> live.send(ApiKeys.METADATA, (short) 99, v -> new MetadataRequestData())
                    .get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(UnsupportedVersionException.class);
            MetadataResponseData answer = (MetadataResponseData) live.send(ApiKeys.METADATA, (short) 12,
                    v -> new MetadataRequestData().setTopics(null)).get(10, TimeUnit.SECONDS);
            assertThat(answer.brokers()).hasSize(1);
            live.close();
            assertThatThrownBy(() -> live.send(ApiKeys.METADATA, (short) 12, v -> new MetadataRequestData())
                    .get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(org.apache.kafka.common.errors.DisconnectException.class);
        } finally {
            network.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }

    /**
     * The topic, on this node (leader) and broker 2, the follower these tests fetch as: a leader serves
     * fetches only from replicas assigned the partition. Broker 2 is registered through the controller
     * channel and stays fenced (it never heartbeats), so it never joins the ISR.
     */
    private Uuid createTopic() throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        String clusterId;
        try (Admin admin = Admin.create(props)) {
            clusterId = admin.describeCluster().clusterId().get();
        }
        try (QuorumControllerChannel channel = QuorumControllerChannel.open("test-registration",
                Map.of(1, new InetSocketAddress(InetAddress.getLoopbackAddress(), raftPort)), 10_000, 10_000)) {
            BrokerRegistrationRequestData registration = new BrokerRegistrationRequestData()
                    .setBrokerId(2).setIncarnationId(Uuid.randomUuid()).setClusterId(clusterId);
            registration.listeners().add(new BrokerRegistrationRequestData.Listener().setName("PLAINTEXT")
                    .setHost("127.0.0.1").setPort(1).setSecurityProtocol((short) 0));
            BrokerRegistrationResponseData registered = (BrokerRegistrationResponseData) channel
                    .send(ApiKeys.BROKER_REGISTRATION, registration).get(10, TimeUnit.SECONDS);
            assertThat(registered.errorCode()).isZero();
        }
        try (Admin admin = Admin.create(props)) {
            admin.createTopics(List.of(new NewTopic(TOPIC, Map.of(0, List.of(1, 2))))).all().get();
            return admin.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC).topicId();
        }
    }

    /** Produces {@code count} records in batches of varied sizes; returns "offset:value" of each. */
    private List<String> produce(int first, int count) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, "2048");
        List<String> out = new ArrayList<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(),
                new StringSerializer())) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            List<String> values = new ArrayList<>();
            for (int i = first; i < first + count; i++) {
                String value = "value-" + i + "-" + "x".repeat(i % 97);
                values.add(value);
                sent.add(producer.send(new ProducerRecord<>(TOPIC, 0, "key-" + i, value)));
            }
            producer.flush();
            for (int i = 0; i < sent.size(); i++) {
                out.add(sent.get(i).get().offset() + ":" + values.get(i));
            }
        }
        return out;
    }

    /** The partition's leader epoch, asked with Metadata through a {@link BrokerConnection}. */
    private int leaderEpoch() throws Exception {
        EventLoopGroup network = BrokerConnection.newEventLoopGroup("test-metadata", 1);
        try {
            BrokerConnection connection = new BrokerConnection(1, () -> Optional.of(leaderAddress), "test", network,
                    0, 10_000);
            MetadataResponseData answer = (MetadataResponseData) connection.send(ApiKeys.METADATA, (short) 12,
                    v -> new MetadataRequestData().setTopics(List.of(
                            new MetadataRequestData.MetadataRequestTopic().setName(TOPIC))))
                    .get(10, TimeUnit.SECONDS);
            connection.close();
            return answer.topics().find(TOPIC).partitions().get(0).leaderEpoch();
        } finally {
            network.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }

    private String bootstrap() {
        return leaderAddress.getHostString() + ":" + leaderAddress.getPort();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
