package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.strand.testkit.ClusterNode;
import io.strand.testkit.StrandCluster;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metadata quorum behind a SASL_PLAINTEXT controller listener with PLAIN, as a Kafka KRaft cluster
 * configures it ({@code sasl.mechanism.controller.protocol=PLAIN}, the listener's
 * {@code plain.sasl.jaas.config} with the nodes' username and password and the users the voters accept):
 * three combined nodes and a broker-only node, which reaches the voters with the same settings of the
 * listener it names in {@code controller.listener.names} (observer fetches, registration, heartbeats).
 * Everything the cluster does goes through the quorum, so its working means the quorum runs through the
 * SASL tunnel; the active controller is then killed and the other two elect a new one. From outside, the
 * controller port answers a wrong password with SASL_AUTHENTICATION_FAILED and closes the connection,
 * closes one that speaks anything but the SASL handshake, and accepts the right password.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ControllerSaslIT {

    private static final String PASSWORD = "controller-secret";

    @TempDir
    static Path dir;
    private static StrandCluster cluster;
    private static Admin admin;

    @BeforeAll
    static void startCluster() {
        assumeFalse("kafka".equals(System.getProperty(BrokerUnderTest.BROKER_PROPERTY)), "a Strand cluster only");
        cluster = StrandCluster.builder(dir.resolve("cluster")).nodes(4).roles(4, "broker")
                .property("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:SASL_PLAINTEXT")
                .property("sasl.mechanism.controller.protocol", "PLAIN")
                .property("listener.name.controller.sasl.enabled.mechanisms", "PLAIN")
                .property("listener.name.controller.plain.sasl.jaas.config",
                        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"controller\""
                                + " password=\"" + PASSWORD + "\" user_controller=\"" + PASSWORD + "\";")
                // A killed node is fenced within seconds, so new topics go to the live ones.
                .property("broker.session.timeout.ms", "4000")
                .property("broker.heartbeat.interval.ms", "500")
                .start();
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500));
    }

    @AfterAll
    static void stopCluster() {
        if (admin != null) {
            admin.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void theQuorumRunsBehindSaslSurvivesItsControllerAndRefusesWrongPasswords() throws Exception {
        // The answering broker lists a node once its own metadata has it unfenced, after the node's ready line.
        await("every node registered").atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(admin.describeCluster().nodes().get(10, TimeUnit.SECONDS)).extracting(Node::id)
                        .as("the broker-only node registered through SASL").containsExactlyInAnyOrder(1, 2, 3, 4));
        await("the broker-only node observes the quorum").atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(admin.describeMetadataQuorum().quorumInfo().get(10, TimeUnit.SECONDS).observers())
                        .extracting(QuorumInfo.ReplicaState::replicaId).contains(4));
        roundTrip("before-kill", (short) 4);

        ClusterNode anyNode = cluster.node(1);
        assertThat(authenticate(anyNode, "controller", PASSWORD)).isEqualTo("accepted");
        assertThat(authenticate(anyNode, "controller", "wrong")).startsWith("refused: SASL_AUTHENTICATION_FAILED");
        assertThat(authenticate(anyNode, "stranger", PASSWORD)).startsWith("refused: SASL_AUTHENTICATION_FAILED");
        assertThat(withoutSasl(anyNode)).as("bytes that are not a SASL handshake").isEqualTo("closed");

        int oldController = admin.describeCluster().controller().get(30, TimeUnit.SECONDS).id();
        cluster.node(oldController).kill9();
        await("a new controller").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                admin.describeCluster().controller().get(10, TimeUnit.SECONDS).id() != oldController);
        await("the killed node fenced").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).size() == 3);
        roundTrip("after-kill", (short) 3);
    }

    /** Creates {@code topic}, produces 50 records with acks=all and reads them back. */
    private static void roundTrip(String topic, short replicas) throws Exception {
        roundTrip(admin, cluster, topic, replicas);
    }

    /** Creates {@code topic} with {@code admin}, produces 50 records with acks=all and reads them back. */
    static void roundTrip(Admin admin, StrandCluster cluster, String topic, short replicas) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, 1, replicas))).all().get(60, TimeUnit.SECONDS);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000), new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 50; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i));
            }
            producer.flush();
        }
        List<String> keys = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()),
                new StringDeserializer(), new StringDeserializer())) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (keys.size() < 50 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    keys.add(record.key());
                }
            }
        }
        assertThat(keys).as(topic).hasSize(50).startsWith("k0").endsWith("k49");
    }

    /**
     * SaslHandshake v1 (PLAIN) and SaslAuthenticate v2 on {@code node}'s controller port, as a Kafka client
     * sends them: "accepted" when the answer has no error and the connection then stays open waiting for
     * the client, "refused: ERROR message" with the error answered, after which the server must close.
     */
    private static String authenticate(ClusterNode node, String user, String password) throws Exception {
        return authenticate(new Socket(node.host(), node.controllerPort()), user, password);
    }

    /** As {@link #authenticate(ClusterNode, String, String)} on a socket already open (a TLS one for SASL_SSL). */
    static String authenticate(Socket connected, String user, String password) throws Exception {
        try (Socket socket = connected) {
            socket.setSoTimeout(5_000);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            DataInputStream in = new DataInputStream(socket.getInputStream());
            SaslHandshakeResponseData handshake = (SaslHandshakeResponseData) call(out, in,
                    new RequestHeader(ApiKeys.SASL_HANDSHAKE, (short) 1, "it", 1),
                    new SaslHandshakeRequestData().setMechanism("PLAIN"));
            assertThat(handshake.errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(handshake.mechanisms()).containsExactly("PLAIN");
            byte[] token = ("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8);
            SaslAuthenticateResponseData answer = (SaslAuthenticateResponseData) call(out, in,
                    new RequestHeader(ApiKeys.SASL_AUTHENTICATE, (short) 2, "it", 2),
                    new SaslAuthenticateRequestData().setAuthBytes(token));
            if (answer.errorCode() != Errors.NONE.code()) {
                assertThat(in.read()).as("closed after the refusal").isEqualTo(-1);
                return "refused: " + Errors.forCode(answer.errorCode()) + " " + answer.errorMessage();
            }
            socket.setSoTimeout(500);
            try {
                return in.read() < 0 ? "closed after authenticating" : "unexpected bytes";
            } catch (SocketTimeoutException e) {
                return "accepted";
            }
        }
    }

    private static ApiMessage call(DataOutputStream out, DataInputStream in, RequestHeader header, ApiMessage body)
            throws IOException {
        ByteBuffer request = RequestUtils.serialize(header.data(), header.headerVersion(), body, header.apiVersion());
        out.writeInt(request.remaining());
        out.write(request.array(), request.arrayOffset() + request.position(), request.remaining());
        out.flush();
        byte[] response = new byte[in.readInt()];
        in.readFully(response);
        return AbstractResponse.parseResponse(ByteBuffer.wrap(response), header).data();
    }

    /** Sends what is not a Kafka SASL request (a Ratis-sized frame of zeros): "closed" when the server hangs up. */
    static String withoutSasl(ClusterNode node) throws Exception {
        try (Socket socket = new Socket(node.host(), node.controllerPort())) {
            socket.setSoTimeout(5_000);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeInt(16);
            out.write(new byte[16]);
            out.flush();
            try {
                return socket.getInputStream().read() < 0 ? "closed" : "answered";
            } catch (EOFException | java.net.SocketException e) {
                return "closed";
            }
        }
    }
}
