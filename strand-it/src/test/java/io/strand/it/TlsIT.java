package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strand.common.tls.TestPki;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.security.plain.PlainLoginModule;
import org.apache.kafka.common.security.scram.ScramLoginModule;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * TLS on client listeners: one node with a PLAINTEXT listener, an SSL listener (PKCS12 key store, JKS
 * trust store) and a mutual-TLS one ({@code MTLS}, SSL with {@code ssl.client.auth=required}, its key
 * store inline PEM and its trust store a PEM file), each configured per listener. The Java producer, consumer
 * and admin, kcat, confluent-kafka-python and kafkajs produce and read back over both; on MTLS a
 * client without a certificate fails the handshake. Certificates come from a throw-away CA
 * ({@link TestPki}); the broker's names localhost and 127.0.0.1, so clients check the host name too.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TlsIT {

    private static final Path PKI_DIR = tempDir();
    private static final TestPki PKI = TestPki.create(PKI_DIR);
    private static final TestPki.Identity BROKER = PKI.issue("broker", "CN=localhost,O=Strand", "localhost", "127.0.0.1");
    private static final TestPki.Identity CLIENT = PKI.issue("client", "CN=alice,O=Strand");
    private static final int SSL_PORT = freePort();
    private static final int MTLS_PORT = freePort();
    private static final int SASL_SSL_PORT = freePort();
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(45);
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final BrokerUnderTest broker = BrokerUnderTest.strand().withProperties(brokerProperties());

    private static Map<String, String> brokerProperties() {
        int raftPort = freePort();
        Map<String, String> props = new HashMap<>();
        props.put("listeners", "PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:" + SSL_PORT + ",MTLS://127.0.0.1:" + MTLS_PORT
                + ",SECURE://127.0.0.1:" + SASL_SSL_PORT + ",CONTROLLER://127.0.0.1:" + raftPort);
        props.put("listener.security.protocol.map",
                "PLAINTEXT:PLAINTEXT,SSL:SSL,MTLS:SSL,SECURE:SASL_SSL,CONTROLLER:PLAINTEXT");
        props.put("controller.quorum.voters", "1@127.0.0.1:" + raftPort);
        props.put("inter.broker.listener.name", "PLAINTEXT");
        // Each listener its own stores: a PEM store takes no store password, which a global one would give it.
        props.put("listener.name.ssl.ssl.keystore.type", "PKCS12");
        props.put("listener.name.ssl.ssl.keystore.location", BROKER.keystore("PKCS12").toString());
        props.put("listener.name.ssl.ssl.keystore.password", TestPki.PASSWORD);
        props.put("listener.name.ssl.ssl.truststore.location", PKI.truststore("JKS").toString());
        props.put("listener.name.ssl.ssl.truststore.password", TestPki.PASSWORD);
        props.put("listener.name.mtls.ssl.client.auth", "required");
        props.put("listener.name.mtls.ssl.keystore.type", "PEM");
        props.put("listener.name.mtls.ssl.keystore.key", BROKER.keyPem());
        props.put("listener.name.mtls.ssl.keystore.certificate.chain", BROKER.certificateChainPem());
        props.put("listener.name.mtls.ssl.truststore.type", "PEM");
        props.put("listener.name.mtls.ssl.truststore.location", PKI.caPem().toString());
        props.put("listener.name.mtls.ssl.principal.mapping.rules", "RULE:^CN=(.*?),O=Strand$/$1/,DEFAULT");
        // SASL over TLS: the SSL listener's stores, PLAIN users from the JAAS line, SCRAM users from the metadata log.
        props.put("listener.name.secure.ssl.keystore.type", "PKCS12");
        props.put("listener.name.secure.ssl.keystore.location", BROKER.keystore("PKCS12").toString());
        props.put("listener.name.secure.ssl.keystore.password", TestPki.PASSWORD);
        props.put("listener.name.secure.sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256");
        props.put("listener.name.secure.plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required user_alice=\"alice-secret\";");
        return props;
    }

    @AfterEach
    void killLeftoverClients() {
        ChildProcess.killLeftovers();
    }

    @AfterAll
    static void deleteCertificates() throws IOException {
        try (Stream<Path> files = Files.walk(PKI_DIR)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    @Test
    void javaClientsProduceAndConsumeOverTls() throws Exception {
        Map<String, Object> tls = javaTls(SSL_PORT, false);
        roundTripWithJavaClients(tls, "tls-java", 2_000);
    }

    @Test
    void javaClientsProduceAndConsumeOverMutualTls() throws Exception {
        Map<String, Object> mtls = javaTls(MTLS_PORT, true);
        roundTripWithJavaClients(mtls, "mtls-java", 300);
        try (Admin admin = Admin.create(mtls)) {
            assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS))
                    .extracting(node -> node.host() + ":" + node.port()).containsExactly("127.0.0.1:" + MTLS_PORT);
        }
    }

    @Test
    void javaClientsAuthenticateWithSaslOverTls() throws Exception {
        broker.admin().alterUserScramCredentials(List.of(new UserScramCredentialUpsertion("bob",
                new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 4096), "bob-secret"))).all().get(30, TimeUnit.SECONDS);
        roundTripWithJavaClients(saslSsl("PLAIN", PlainLoginModule.class, "alice", "alice-secret"), "sasl-ssl-plain", 300);
        // The credential reaches the broker's image asynchronously: the first logins may still be refused.
        Map<String, Object> scram = saslSsl("SCRAM-SHA-256", ScramLoginModule.class, "bob", "bob-secret");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try (Admin admin = Admin.create(scram)) {
                admin.describeCluster().nodes().get(30, TimeUnit.SECONDS);
                break;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof SaslAuthenticationException) || System.nanoTime() > deadline) {
                    throw e;
                }
            }
        }
        roundTripWithJavaClients(scram, "sasl-ssl-scram", 300);

        Map<String, Object> wrong = saslSsl("PLAIN", PlainLoginModule.class, "alice", "not-her-secret");
        wrong.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        wrong.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        try (Admin admin = Admin.create(wrong)) {
            assertThatThrownBy(() -> admin.describeCluster().nodes().get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(SaslAuthenticationException.class);
        }
    }

    /** Java client settings for the SASL_SSL listener, logging in as {@code user}. */
    private static Map<String, Object> saslSsl(String mechanism, Class<?> loginModule, String user, String password) {
        Map<String, Object> props = javaTls(SASL_SSL_PORT, false);
        props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
        props.put(SaslConfigs.SASL_MECHANISM, mechanism);
        props.put(SaslConfigs.SASL_JAAS_CONFIG, loginModule.getName() + " required username=\"" + user
                + "\" password=\"" + password + "\";");
        return props;
    }

    @Test
    void aClientWithoutCertificateIsRefusedOnTheMutualTlsListener() {
        Map<String, Object> noCertificate = javaTls(MTLS_PORT, false);
        noCertificate.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        noCertificate.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        try (Admin admin = Admin.create(noCertificate)) {
            assertThatThrownBy(() -> admin.describeCluster().nodes().get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(SslAuthenticationException.class);
        }
    }

    @Test
    void kcatProducesAndConsumesOverTlsAndMutualTls() {
        Path kcat = Tools.requireKcat();
        for (boolean mutual : new boolean[] {false, true}) {
            String topic = mutual ? "mtls-kcat" : "tls-kcat";
            createTopic(topic);
            List<String> tls = new ArrayList<>(List.of("-b", "127.0.0.1:" + (mutual ? MTLS_PORT : SSL_PORT),
                    "-X", "security.protocol=ssl", "-X", "ssl.ca.location=" + PKI.caPem()));
            if (mutual) {
                tls.addAll(List.of("-X", "ssl.certificate.location=" + CLIENT.certificateChainFile(),
                        "-X", "ssl.key.location=" + CLIENT.keyFile()));
            }
            String input = IntStream.range(0, 500).mapToObj(i -> "k" + i + ":" + ("v" + i + "-").repeat(100))
                    .reduce("", (a, b) -> a + b + "\n");
            List<String> produce = new ArrayList<>(List.of(kcat.toString()));
            produce.addAll(tls);
            produce.addAll(List.of("-P", "-t", topic, "-p", "0", "-K:"));
            ChildProcess.of(produce).stdin(input).timeout(CLIENT_TIMEOUT).run().assertSuccess();
            List<String> consume = new ArrayList<>(List.of(kcat.toString()));
            consume.addAll(tls);
            consume.addAll(List.of("-C", "-t", topic, "-p", "0", "-o", "beginning", "-c", "500", "-e", "-f", "%o|%k|%s\\n"));
            String out = ChildProcess.of(consume).timeout(CLIENT_TIMEOUT).run().assertSuccess().stdout();
            List<String> lines = out.lines().toList();
            assertThat(lines).hasSize(500);
            assertThat(lines.get(0)).isEqualTo("0|k0|" + "v0-".repeat(100));
            assertThat(lines.get(499)).isEqualTo("499|k499|" + "v499-".repeat(100));
        }
    }

    @Test
    void confluentKafkaPythonProducesAndConsumesOverTlsAndMutualTls() {
        Path python = Tools.requirePython();
        Path script = Path.of(System.getProperty("strand.it.pythonDir", "src/test/python")).resolve("tls_roundtrip.py");
        for (boolean mutual : new boolean[] {false, true}) {
            String topic = mutual ? "mtls-python" : "tls-python";
            createTopic(topic);
            List<String> command = new ArrayList<>(List.of(python.toString(), script.toString(),
                    "127.0.0.1:" + (mutual ? MTLS_PORT : SSL_PORT), topic, "400", PKI.caPem().toString()));
            if (mutual) {
                command.addAll(List.of(CLIENT.certificateChainFile().toString(), CLIENT.keyFile().toString()));
            }
            assertRoundTrip(runForJson(command), 400);
        }
    }

    @Test
    void kafkajsProducesAndConsumesOverTlsAndMutualTls() {
        Path node = Tools.requireNode();
        Path scripts = Tools.requireKafkajs();
        for (boolean mutual : new boolean[] {false, true}) {
            String topic = mutual ? "mtls-js" : "tls-js";
            createTopic(topic);
            List<String> command = new ArrayList<>(List.of(node.toString(), scripts.resolve("tls-roundtrip.js").toString(),
                    "127.0.0.1:" + (mutual ? MTLS_PORT : SSL_PORT), topic, "300", PKI.caPem().toString()));
            if (mutual) {
                command.addAll(List.of(CLIENT.certificateChainFile().toString(), CLIENT.keyFile().toString()));
            }
            assertRoundTrip(runForJson(command), 300);
        }
    }

    private static void assertRoundTrip(JsonNode result, int count) {
        if (result.has("errors")) {
            assertThat(result.get("errors")).as("client errors").isEmpty();
        }
        assertThat(result.get("delivered").asInt()).isEqualTo(count);
        List<String> values = new ArrayList<>();
        result.get("values").forEach(value -> values.add(value.asText()));
        assertThat(values).containsExactlyElementsOf(IntStream.range(0, count).mapToObj(i -> "tls-" + i).toList());
    }

    private static JsonNode runForJson(List<String> command) {
        ChildProcess.Result result = ChildProcess.of(command).timeout(CLIENT_TIMEOUT).run().assertSuccess();
        try {
            return JSON.readTree(result.stdout());
        } catch (IOException e) {
            throw new UncheckedIOException(result.describe("printed no JSON"), e);
        }
    }

    private static void createTopic(String topic) {
        try {
            broker.admin().createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create " + topic, e);
        }
    }

    /** Producer: {@code count} keyed records of about 1 KiB; consumer: reads them all back in order. */
    private static void roundTripWithJavaClients(Map<String, Object> tls, String topic, int count) throws Exception {
        try (Admin admin = Admin.create(tls)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        Map<String, Object> producerProps = new HashMap<>(tls);
        producerProps.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        producerProps.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps)) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, 0, "k" + i, value(i)));
            }
            producer.flush();
        }
        Map<String, Object> consumerProps = new HashMap<>(tls);
        consumerProps.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        consumerProps.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, topic + "-reader");
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, String>> read = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps)) {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            consumer.seekToBeginning(List.of(new TopicPartition(topic, 0)));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (read.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(read::add);
            }
        }
        assertThat(read).hasSize(count);
        for (int i = 0; i < count; i++) {
            assertThat(read.get(i).offset()).isEqualTo(i);
            assertThat(read.get(i).key()).isEqualTo("k" + i);
            assertThat(read.get(i).value()).isEqualTo(value(i));
        }
    }

    private static String value(int i) {
        return ("value-" + i + "-").repeat(100);
    }

    /** Java client settings for the listener on {@code port}, with the client certificate when {@code mutual}. */
    private static Map<String, Object> javaTls(int port, boolean mutual) {
        Map<String, Object> props = new HashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port);
        props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL");
        props.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, PKI.truststore("PKCS12").toString());
        props.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
        props.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, TestPki.PASSWORD);
        if (mutual) {
            props.put(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, CLIENT.keystore("JKS").toString());
            props.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "JKS");
            props.put(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, TestPki.PASSWORD);
        }
        return props;
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("strand-tls-it-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
