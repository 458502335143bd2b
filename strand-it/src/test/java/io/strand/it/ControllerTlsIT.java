package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.strand.common.tls.TestPki;
import io.strand.testkit.ClusterNode;
import io.strand.testkit.StrandCluster;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
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
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metadata quorum over mutual TLS: three combined nodes whose controller listener is SSL with
 * {@code ssl.client.auth=required} (its own {@code listener.name.controller.ssl.*} stores; client
 * listeners stay PLAINTEXT), and a broker-only node that reaches them with the same settings of the
 * listener it names in {@code controller.listener.names} (observer fetches, registration, heartbeats).
 * The voters elect and the brokers register, create topics and serve produce and fetch only through the
 * quorum, so all of that working means it runs over TLS; the active controller is then killed and the
 * other two voters elect a new one and create a topic. What the controller port does with
 * a connection is checked from outside: a TLS client with a certificate of the cluster's CA is
 * accepted, one with another CA's certificate or none is refused during the handshake (at once, not left
 * hanging), so a node with an untrusted certificate cannot join the quorum or reach the controller.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ControllerTlsIT {

    @TempDir
    static Path dir;
    private static TestPki pki;
    private static TestPki.Identity nodeIdentity;
    private static StrandCluster cluster;
    private static Admin admin;

    @BeforeAll
    static void startCluster() {
        assumeFalse("kafka".equals(System.getProperty(BrokerUnderTest.BROKER_PROPERTY)), "a Strand cluster only");
        pki = TestPki.create(dir.resolve("pki"));
        nodeIdentity = pki.issue("node", "CN=node,O=Strand", "localhost", "127.0.0.1");
        String prefix = "listener.name.controller.";
        cluster = StrandCluster.builder(dir.resolve("cluster")).nodes(4).roles(4, "broker")
                .property("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:SSL")
                .property(prefix + "ssl.keystore.type", "PKCS12")
                .property(prefix + "ssl.keystore.location", nodeIdentity.keystore("PKCS12").toString())
                .property(prefix + "ssl.keystore.password", TestPki.PASSWORD)
                .property(prefix + "ssl.truststore.location", pki.truststore("JKS").toString())
                .property(prefix + "ssl.truststore.password", TestPki.PASSWORD)
                .property(prefix + "ssl.client.auth", "required")
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
    void theQuorumRunsOverMutualTlsSurvivesItsControllerAndRefusesUntrustedPeers() throws Exception {
        // The answering broker lists a node once its own metadata has it unfenced, after the node's ready line.
        await("every node registered").atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(admin.describeCluster().nodes().get(10, TimeUnit.SECONDS)).extracting(Node::id)
                        .as("the broker-only node registered over TLS").containsExactlyInAnyOrder(1, 2, 3, 4));
        await("the broker-only node observes the quorum").atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(admin.describeMetadataQuorum().quorumInfo().get(10, TimeUnit.SECONDS).observers())
                        .extracting(QuorumInfo.ReplicaState::replicaId).contains(4));
        roundTrip("before-kill", (short) 4);

        ClusterNode anyNode = cluster.node(1);
        assertThat(handshake(anyNode, nodeIdentity.keystore("PKCS12"))).as("a certificate of the cluster's CA")
                .isEqualTo("accepted");
        TestPki.Identity stranger = TestPki.create(dir.resolve("other-pki"))
                .issue("stranger", "CN=stranger,O=Elsewhere", "localhost", "127.0.0.1");
        assertThat(handshake(anyNode, stranger.keystore("PKCS12"))).as("a certificate of another CA")
                .startsWith("refused");
        assertThat(handshake(anyNode, null)).as("no certificate").startsWith("refused");

        int oldController = admin.describeCluster().controller().get(30, TimeUnit.SECONDS).id();
        cluster.node(oldController).kill9();
        await("a new controller").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                admin.describeCluster().controller().get(10, TimeUnit.SECONDS).id() != oldController);
        // Three replicas: the other three brokers, once the killed one is fenced.
        await("the killed node fenced").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).size() == 3);
        roundTrip("after-kill", (short) 3);
    }

    /** Creates {@code topic}, produces 50 records with acks=all and reads them back. */
    private static void roundTrip(String topic, short replicas) throws Exception {
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
     * A TLS handshake with {@code node}'s controller port, presenting the key store (null: no
     * certificate) and offering HTTP/2 as gRPC clients do: "accepted" when the handshake completes and the
     * server then waits for the client (as for any gRPC client), "refused: ..." when the server ends the
     * connection, for a handshake it failed, within a few seconds either way.
     */
    private static String handshake(ClusterNode node, Path keystore) throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        KeyStore trust = KeyStore.getInstance("JKS");
        try (InputStream in = java.nio.file.Files.newInputStream(pki.truststore("JKS"))) {
            trust.load(in, TestPki.PASSWORD.toCharArray());
        }
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (keystore != null) {
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = java.nio.file.Files.newInputStream(keystore)) {
                keys.load(in, TestPki.PASSWORD.toCharArray());
            }
            kmf.init(keys, TestPki.PASSWORD.toCharArray());
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(node.host(), node.controllerPort())) {
            socket.setSoTimeout(3_000);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setApplicationProtocols(new String[] {"h2"});
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            X509Certificate server = (X509Certificate) socket.getSession().getPeerCertificates()[0];
            assertThat(server.getSubjectX500Principal().getName()).isEqualTo("CN=node,O=Strand");
            // With TLS 1.3 the server checks the client's certificate after the client's handshake ends:
            // a refusal arrives as an alert on the first read.
            int read = socket.getInputStream().read();
            return read < 0 ? "refused: connection closed" : "accepted";
        } catch (SocketTimeoutException e) {
            return "accepted";
        } catch (SSLException | java.net.SocketException e) {
            return "refused: " + e;
        } catch (IOException e) {
            return "refused: " + e;
        }
    }
}
