package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strand.testkit.StrandNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialsDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.SaslAuthenticateRequest;
import org.apache.kafka.common.requests.SaslAuthenticateResponse;
import org.apache.kafka.common.requests.SaslHandshakeRequest;
import org.apache.kafka.common.requests.SaslHandshakeResponse;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SASL on a SASL_PLAINTEXT listener of one node (beside the PLAINTEXT listener the setup uses): SCRAM
 * users created with {@code kafka-configs} through the PLAINTEXT listener, then the Java producer,
 * consumer and admin authenticating with SCRAM-SHA-256, SCRAM-SHA-512 (with a 3 s session, so the
 * clients re-authenticate on their connections) and PLAIN (users from the JAAS line); wrong passwords
 * refused with SaslAuthenticationException; kafkajs producing and consuming with SCRAM and kcat with PLAIN
 * (its SCRAM as Kafka judges it); and raw
 * sockets: a request before authentication and a frame claiming 2 GB close the connection while the
 * node keeps serving others.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class SaslIT {

    private static final String PLAIN_JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required"
            + " user_admin=\"admin-secret\" user_paula=\"paula-secret\";";
    private static final long REAUTH_MS = 3_000;
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dataDir;
    private static StrandNode node;
    private static String plaintext;
    private static String sasl;

    @BeforeAll
    static void startNodeAndCreateScramUsers() throws Exception {
        int raftPort;
        try (ServerSocket free = new ServerSocket(0)) {
            raftPort = free.getLocalPort();
        }
        node = StrandNode.start(dataDir, Map.of(
                "listeners", "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:" + raftPort,
                "controller.quorum.voters", "1@127.0.0.1:" + raftPort,
                "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name", "PLAINTEXT",
                "listener.name.sasl_plaintext.sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512",
                "listener.name.sasl_plaintext.plain.sasl.jaas.config", PLAIN_JAAS,
                "listener.name.sasl_plaintext.scram-sha-512.connections.max.reauth.ms", Long.toString(REAUTH_MS)));
        plaintext = "127.0.0.1:" + node.server().clientListeners().get("PLAINTEXT").getPort();
        sasl = "127.0.0.1:" + node.server().clientListeners().get("SASL_PLAINTEXT").getPort();
        // One mechanism per call: Kafka refuses two changes of one user in one request.
        configs("--alter", "--entity-type", "users", "--entity-name", "alice",
                "--add-config", "SCRAM-SHA-256=[iterations=4096,password=alice-secret]");
        configs("--alter", "--entity-type", "users", "--entity-name", "alice",
                "--add-config", "SCRAM-SHA-512=[password=alice-secret]");
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    @AfterEach
    void killLeftoverClients() {
        ChildProcess.killLeftovers();
    }

    @Test
    void kafkaConfigsCreatedScramCredentialsThatDescribeLists() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, plaintext))) {
            UserScramCredentialsDescription alice = admin.describeUserScramCredentials(List.of("alice"))
                    .description("alice").get(30, TimeUnit.SECONDS);
            assertThat(alice.credentialInfos()).containsExactlyInAnyOrder(
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 4096),
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096));
            assertThatThrownBy(() -> admin.describeUserScramCredentials(List.of("nobody")).description("nobody")
                    .get(30, TimeUnit.SECONDS)).hasMessageContaining("does not exist");
            if (apiVersions().apiVersion(org.apache.kafka.common.protocol.ApiKeys.DESCRIBE_CLIENT_QUOTAS.id) != null) {
                // kafka-configs --describe of users reads their quotas first (DescribeClientQuotas).
                assertThat(configs("--describe", "--entity-type", "users", "--entity-name", "alice").stdout())
                        .contains("SCRAM credential configs for user-principal 'alice' are")
                        .contains("SCRAM-SHA-256=iterations=4096").contains("SCRAM-SHA-512=iterations=4096");
            }
        }
        configs("--alter", "--entity-type", "users", "--entity-name", "temp",
                "--add-config", "SCRAM-SHA-256=[password=temp-secret]");
        configs("--alter", "--entity-type", "users", "--entity-name", "temp", "--delete-config", "SCRAM-SHA-256");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, plaintext))) {
            assertThat(admin.describeUserScramCredentials().users().get(30, TimeUnit.SECONDS)).containsExactly("alice");
        }
    }

    @Test
    void javaClientsProduceAndConsumeWithScramSha256() throws Exception {
        roundTrip("sasl-scram-256", saslClient("SCRAM-SHA-256", scramJaas("alice", "alice-secret")), 20);
    }

    @Test
    void javaClientsReauthenticateTheirScramSha512SessionsAndKeepWorking() throws Exception {
        // Records sent across more than two session lifetimes on the same connections: a client that did
        // not re-authenticate would be cut off by the broker.
        Map<String, Object> client = saslClient("SCRAM-SHA-512", scramJaas("alice", "alice-secret"));
        Topics.create(plaintext, "sasl-reauth", 1);
        try (KafkaProducer<String, String> producer = producer(client)) {
            long endMs = System.currentTimeMillis() + 2 * REAUTH_MS + 1_000;
            int sent = 0;
            while (System.currentTimeMillis() < endMs) {
                producer.send(new ProducerRecord<>("sasl-reauth", 0, "k" + sent, "v" + sent)).get(10, TimeUnit.SECONDS);
                sent++;
                Thread.sleep(200);
            }
            assertThat(consume(client, "sasl-reauth", sent)).hasSize(sent);
        }
    }

    @Test
    void javaClientsProduceAndConsumeWithPlainUsersOfTheJaasLine() throws Exception {
        roundTrip("sasl-plain", saslClient("PLAIN", plainJaas("paula", "paula-secret")), 5);
    }

    @Test
    void wrongPasswordsAreRefusedWithSaslAuthenticationException() {
        for (Map<String, Object> client : List.of(
                saslClient("SCRAM-SHA-256", scramJaas("alice", "wrong")),
                saslClient("SCRAM-SHA-512", scramJaas("nobody", "x")),
                saslClient("PLAIN", plainJaas("paula", "wrong")))) {
            Map<String, Object> config = new java.util.HashMap<>(client);
            config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, sasl);
            try (Admin admin = Admin.create(config)) {
                assertThatThrownBy(() -> admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class)
                        .cause().isInstanceOf(SaslAuthenticationException.class);
            }
        }
    }

    /**
     * kcat produces and consumes as a PLAIN user. Its SCRAM is refused, by Kafka 4.3.1 as here: the
     * librdkafka of this kcat (2.0.2) sends its own nonce in front of the server's combined nonce in the
     * client-final message, which kafka-clients' SCRAM server (equality since 4.x, RFC 5802) refuses.
     */
    @Test
    void kcatProducesAndConsumesAsAPlainUserAndItsScramNonceIsJudgedAsKafkaJudgesIt() throws Exception {
        Path kcat = Tools.requireKcat();
        Topics.create(plaintext, "sasl-kcat", 1);
        List<String> base = List.of(kcat.toString(), "-b", sasl, "-X", "security.protocol=SASL_PLAINTEXT",
                "-X", "sasl.mechanisms=PLAIN", "-X", "sasl.username=paula", "-X", "sasl.password=paula-secret");
        List<String> produce = new ArrayList<>(base);
        produce.addAll(List.of("-P", "-t", "sasl-kcat", "-p", "0", "-K:"));
        ChildProcess.of(produce).stdin("k1:v1\nk2:v2\n").timeout(TOOL_TIMEOUT).run().assertSuccess();
        List<String> consume = new ArrayList<>(base);
        consume.addAll(List.of("-C", "-t", "sasl-kcat", "-p", "0", "-o", "beginning", "-e", "-q", "-f", "%k=%s\\n"));
        assertThat(ChildProcess.of(consume).timeout(TOOL_TIMEOUT).run().assertSuccess().stdoutLines())
                .containsExactly("k1=v1", "k2=v2");
        ChildProcess.Result wrong = kcatMetadata(kcat, "PLAIN", "paula", "wrong");
        assertThat(wrong.exitCode()).isNotZero();
        assertThat(wrong.stderr()).contains("Authentication failed: Invalid username or password");
        ChildProcess.Result scram = kcatMetadata(kcat, "SCRAM-SHA-256", "alice", "alice-secret");
        if (kcatNonceIsRfcs(kcat)) {
            scram.assertSuccess();
        } else {
            assertThat(scram.stderr()).contains("Authentication failed during authentication due to invalid"
                    + " credentials with SASL mechanism SCRAM-SHA-256");
        }
    }

    private static ChildProcess.Result kcatMetadata(Path kcat, String mechanism, String user, String password) {
        return ChildProcess.of(kcat.toString(), "-b", sasl, "-X", "security.protocol=SASL_PLAINTEXT",
                "-X", "sasl.mechanisms=" + mechanism, "-X", "sasl.username=" + user, "-X", "sasl.password=" + password,
                "-L", "-m", "3").timeout(TOOL_TIMEOUT).run();
    }

    /** Whether this kcat's librdkafka echoes the server's SCRAM nonce as RFC 5802 says (fixed after 2.0.2). */
    private static boolean kcatNonceIsRfcs(Path kcat) {
        String version = ChildProcess.of(kcat.toString(), "-V").timeout(TOOL_TIMEOUT).run().stdout();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("librdkafka (\\d+)\\.(\\d+)\\.(\\d+)")
                .matcher(version);
        return m.find() && (Integer.parseInt(m.group(1)) > 2
                || (Integer.parseInt(m.group(1)) == 2 && Integer.parseInt(m.group(2)) > 0));
    }

    @Test
    void kafkajsProducesAndConsumesWithScram() throws Exception {
        Path nodeJs = Tools.requireNode();
        Path scripts = Tools.requireKafkajs();
        Topics.create(plaintext, "sasl-kafkajs", 1);
        String credentials = "{\"mechanism\":\"scram-sha-512\",\"username\":\"alice\",\"password\":\"alice-secret\"}";
        ChildProcess.of(nodeJs.toString(), "produce.js", sasl, "sasl-kafkajs", "0", "5", "none").workDir(scripts)
                .env("STRAND_IT_KAFKAJS_SASL", credentials).timeout(TOOL_TIMEOUT).run().assertSuccess();
        ChildProcess.Result consumed = ChildProcess.of(nodeJs.toString(), "consume-group.js", sasl, "sasl-kafkajs",
                "sasl-kafkajs-group", "5").workDir(scripts).env("STRAND_IT_KAFKAJS_SASL", credentials)
                .timeout(TOOL_TIMEOUT).run().assertSuccess();
        JsonNode result = json(consumed);
        List<String> values = new ArrayList<>();
        result.get("records").forEach(r -> values.add(r.get("value").asText()));
        assertThat(values).containsExactly("value-0", "value-1", "value-2", "value-3", "value-4");
    }

    @Test
    void requestsBeforeAuthenticationCloseTheConnectionAndOthersAreStillServed() throws Exception {
        try (RawKafkaConnection raw = new RawKafkaConnection(sasl)) {
            raw.sendFrame(new MetadataRequest(new MetadataRequestData(), (short) 12).serializeWithHeader(
                    new org.apache.kafka.common.requests.RequestHeader(
                            org.apache.kafka.common.protocol.ApiKeys.METADATA, (short) 12, "raw", 1)));
            assertThat(raw.isClosedByBroker()).as("Metadata before authentication closes").isTrue();
        }
        try (RawKafkaConnection raw = new RawKafkaConnection(sasl)) {
            raw.sendBytes(ByteBuffer.allocate(4).putInt(Integer.MAX_VALUE).array());
            assertThat(raw.isClosedByBroker()).as("a frame claiming 2 GB closes").isTrue();
        }
        try (RawKafkaConnection raw = new RawKafkaConnection(sasl)) {
            // Over sasl.server.max.receive.size (512 KiB), well under socket.request.max.bytes.
            raw.sendBytes(ByteBuffer.allocate(4).putInt(600 * 1024).array());
            assertThat(raw.isClosedByBroker()).as("a frame over sasl.server.max.receive.size closes").isTrue();
        }
        try (RawKafkaConnection raw = new RawKafkaConnection(sasl)) {
            // The same handshake by hand, then a SCRAM token for a user that does not exist.
            ApiVersionsResponse versions = (ApiVersionsResponse) raw.roundTrip(
                    new ApiVersionsRequest(new ApiVersionsRequestData().setClientSoftwareName("raw")
                            .setClientSoftwareVersion("1"), (short) 3));
            assertThat(versions.data().errorCode()).isZero();
            SaslHandshakeResponse handshake = (SaslHandshakeResponse) raw.roundTrip(new SaslHandshakeRequest.Builder(
                    new SaslHandshakeRequestData().setMechanism("PLAIN")).build((short) 1));
            assertThat(handshake.data().mechanisms()).containsExactly("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512");
            SaslAuthenticateResponse refused = (SaslAuthenticateResponse) raw.roundTrip(
                    new SaslAuthenticateRequest.Builder(new SaslAuthenticateRequestData()
                            .setAuthBytes("\0paula\0nope".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                            .build((short) 2));
            assertThat(Errors.forCode(refused.data().errorCode())).isEqualTo(Errors.SASL_AUTHENTICATION_FAILED);
            assertThat(refused.data().errorMessage()).isEqualTo("Authentication failed: Invalid username or password");
            assertThat(raw.isClosedByBroker()).isTrue();
        }
        roundTrip("sasl-after-hostile", saslClient("SCRAM-SHA-256", scramJaas("alice", "alice-secret")), 3);
    }

    private static ApiVersionsResponse apiVersions() throws IOException {
        try (RawKafkaConnection raw = new RawKafkaConnection(plaintext)) {
            return (ApiVersionsResponse) raw.roundTrip(new ApiVersionsRequest(new ApiVersionsRequestData()
                    .setClientSoftwareName("raw").setClientSoftwareVersion("1"), (short) 3));
        }
    }

    private static String scramJaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    private static String plainJaas(String user, String password) {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    private static Map<String, Object> saslClient(String mechanism, String jaas) {
        return Map.of(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT",
                SaslConfigs.SASL_MECHANISM, mechanism, SaslConfigs.SASL_JAAS_CONFIG, jaas);
    }

    private static KafkaProducer<String, String> producer(Map<String, Object> client) {
        Properties props = new Properties();
        props.putAll(client);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, sasl);
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    private static void roundTrip(String topic, Map<String, Object> client, int count) throws Exception {
        Topics.create(plaintext, topic, 1);
        try (KafkaProducer<String, String> producer = producer(client)) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, 0, "k" + i, "v" + i));
            }
            producer.flush();
        }
        List<ConsumerRecord<String, String>> records = consume(client, topic, count);
        assertThat(records).extracting(ConsumerRecord::value).containsExactlyElementsOf(
                java.util.stream.IntStream.range(0, count).mapToObj(i -> "v" + i).toList());
    }

    private static List<ConsumerRecord<String, String>> consume(Map<String, Object> client, String topic, int count) {
        Properties props = new Properties();
        props.putAll(client);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, sasl);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, topic + "-group");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            consumer.seekToBeginning(List.of(new TopicPartition(topic, 0)));
            long deadline = System.currentTimeMillis() + 30_000;
            while (records.size() < count && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    private static ChildProcess.Result configs(String... args) {
        List<String> command = new ArrayList<>(List.of("--bootstrap-server", plaintext));
        command.addAll(List.of(args));
        return ChildProcess.javaMain("kafka.admin.ConfigCommand", command).timeout(TOOL_TIMEOUT).run().assertSuccess();
    }

    private static JsonNode json(ChildProcess.Result result) {
        try {
            return JSON.readTree(result.stdout());
        } catch (IOException e) {
            throw new UncheckedIOException(result.describe("printed no JSON"), e);
        }
    }
}
