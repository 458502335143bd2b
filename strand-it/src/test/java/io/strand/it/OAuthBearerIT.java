package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strand.testkit.StrandNode;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * OAUTHBEARER on a SASL_PLAINTEXT listener validating JWTs as Kafka's {@code OAuthBearerValidatorCallbackHandler}
 * does, against a JWKS file made here from a fresh RSA key: the Java producer and consumer read their signed
 * token from a file ({@code sasl.oauthbearer.token.endpoint.url=file:}, Kafka 4's file login) and keep working
 * across re-authentications (a 2 s session) as the token's subject, {@code User:alice}, whom the ACLs
 * allow (a well signed token of another subject sees none of the topics); an expired token, one signed by another key and one for another
 * audience are refused with SaslAuthenticationException; kafkajs produces and consumes with the token; and on a
 * second listener in Kafka's unsecured development mode (no validator class) kcat logs in with librdkafka's
 * unsecured token.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class OAuthBearerIT {

    private static final String LOGIN_MODULE = "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule";
    private static final String ALLOWED_URLS = "org.apache.kafka.sasl.oauthbearer.allowed.urls";
    private static final String ALLOWED_FILES = "org.apache.kafka.sasl.oauthbearer.allowed.files";
    private static final String ISSUER = "https://issuer.strand.test";
    private static final long REAUTH_MS = 2_000;
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;
    private static final Map<String, String> propertiesBefore = new HashMap<>();
    private static RsaJsonWebKey key;
    private static Path tokenFile;
    private static StrandNode node;
    private static String plaintext;
    private static String oauth;
    private static String dev;

    @BeforeAll
    static void startNodeWithAJwks() throws Exception {
        key = RsaJwkGenerator.generateJwk(2048);
        key.setKeyId("strand-it");
        Path jwks = dir.resolve("jwks.json");
        Files.writeString(jwks, new JsonWebKeySet(key).toJson());
        tokenFile = dir.resolve("token.jwt");
        Files.writeString(tokenFile, jwt(key, "alice", "strand", 600));
        // Kafka 4 reads OAuth URLs and files only when the JVM allows them; broker and clients share this JVM.
        setProperty(ALLOWED_URLS, jwks.toUri() + "," + tokenFile.toUri());
        setProperty(ALLOWED_FILES, tokenFile.toString());
        int raftPort;
        try (ServerSocket free = new ServerSocket(0)) {
            raftPort = free.getLocalPort();
        }
        Map<String, String> props = new HashMap<>(Map.of(
                "listeners", "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0,DEV://127.0.0.1:0,CONTROLLER://127.0.0.1:"
                        + raftPort,
                "controller.quorum.voters", "1@127.0.0.1:" + raftPort,
                "listener.security.protocol.map",
                "PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,DEV:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name", "PLAINTEXT",
                "sasl.enabled.mechanisms", "OAUTHBEARER",
                "listener.name.sasl_plaintext.oauthbearer.sasl.server.callback.handler.class",
                "org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler",
                "listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config", LOGIN_MODULE + " required;",
                "listener.name.sasl_plaintext.sasl.oauthbearer.jwks.endpoint.url", jwks.toUri().toString(),
                "listener.name.sasl_plaintext.sasl.oauthbearer.expected.audience", "strand",
                "listener.name.sasl_plaintext.sasl.oauthbearer.expected.issuer", ISSUER));
        props.put("listener.name.sasl_plaintext.oauthbearer.connections.max.reauth.ms", Long.toString(REAUTH_MS));
        props.put("listener.name.dev.oauthbearer.sasl.jaas.config", LOGIN_MODULE + " required;");
        // Principals are checked by the ACLs: PLAINTEXT (User:ANONYMOUS) administers, the token's subjects use.
        props.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        props.put("super.users", "User:ANONYMOUS");
        node = StrandNode.start(dir.resolve("data"), props);
        plaintext = "127.0.0.1:" + node.server().clientListeners().get("PLAINTEXT").getPort();
        oauth = "127.0.0.1:" + node.server().clientListeners().get("SASL_PLAINTEXT").getPort();
        dev = "127.0.0.1:" + node.server().clientListeners().get("DEV").getPort();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, plaintext))) {
            admin.createAcls(List.of(allow("User:alice", ResourceType.TOPIC), allow("User:alice", ResourceType.GROUP),
                    allow("User:dev", ResourceType.TOPIC))).all().get(30, TimeUnit.SECONDS);
        }
    }

    /** Everything on the topics (or groups) whose names start with {@code oauth-}. */
    private static AclBinding allow(String principal, ResourceType type) {
        return new AclBinding(new ResourcePattern(type, "oauth-", PatternType.PREFIXED),
                new AccessControlEntry(principal, "*", AclOperation.ALL, AclPermissionType.ALLOW));
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
        }
        propertiesBefore.forEach((name, value) -> {
            if (value == null) {
                System.clearProperty(name);
            } else {
                System.setProperty(name, value);
            }
        });
    }

    @AfterEach
    void killLeftoverClients() {
        ChildProcess.killLeftovers();
    }

    private static void setProperty(String name, String value) {
        propertiesBefore.put(name, System.getProperty(name));
        System.setProperty(name, value);
    }

    /** A JWT from {@link #ISSUER} for {@code subject}, signed by {@code signer}, expiring in {@code expiresInSeconds}. */
    private static String jwt(RsaJsonWebKey signer, String subject, String audience, long expiresInSeconds)
            throws Exception {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(ISSUER);
        claims.setAudience(audience);
        claims.setSubject(subject);
        long nowSeconds = System.currentTimeMillis() / 1000;
        claims.setIssuedAt(NumericDate.fromSeconds(nowSeconds - Math.max(0, -expiresInSeconds) - 60));
        claims.setExpirationTime(NumericDate.fromSeconds(nowSeconds + expiresInSeconds));
        claims.setStringClaim("scope", "produce consume");
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(signer.getPrivateKey());
        jws.setKeyIdHeaderValue(signer.getKeyId());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        return jws.getCompactSerialization();
    }

    /** Kafka 4's own client login reading the token from a file. */
    private static Map<String, Object> fileTokenClient() {
        return Map.of(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT",
                SaslConfigs.SASL_MECHANISM, "OAUTHBEARER",
                SaslConfigs.SASL_JAAS_CONFIG, LOGIN_MODULE + " required;",
                SaslConfigs.SASL_LOGIN_CALLBACK_HANDLER_CLASS,
                "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler",
                SaslConfigs.SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL, tokenFile.toUri().toString());
    }

    /** A login sending {@code token} unchecked. */
    private static Map<String, Object> staticTokenClient(String token) {
        return Map.of(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT",
                SaslConfigs.SASL_MECHANISM, "OAUTHBEARER",
                SaslConfigs.SASL_JAAS_CONFIG, LOGIN_MODULE + " required token=\"" + token + "\";",
                SaslConfigs.SASL_LOGIN_CALLBACK_HANDLER_CLASS, StaticTokenLoginCallbackHandler.class.getName());
    }

    @Test
    void javaClientsWithATokenFileProduceAndConsumeAcrossReauthentications() throws Exception {
        Topics.create(plaintext, "oauth-java", 1);
        Properties producerProps = new Properties();
        producerProps.putAll(fileTokenClient());
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, oauth);
        int sent = 0;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps, new StringSerializer(),
                new StringSerializer())) {
            // Records sent over more than two sessions on the same connection: without re-authenticating with
            // its token the producer would be cut off.
            long endMs = System.currentTimeMillis() + 2 * REAUTH_MS + 500;
            while (System.currentTimeMillis() < endMs) {
                producer.send(new ProducerRecord<>("oauth-java", 0, "k" + sent, "v" + sent)).get(10, TimeUnit.SECONDS);
                sent++;
                Thread.sleep(200);
            }
        }
        Properties consumerProps = new Properties();
        consumerProps.putAll(fileTokenClient());
        consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, oauth);
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(),
                new StringDeserializer())) {
            TopicPartition partition = new TopicPartition("oauth-java", 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long deadline = System.currentTimeMillis() + 30_000;
            while (records.size() < sent && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        assertThat(records).hasSize(sent);
        assertThat(records.get(sent - 1).value()).isEqualTo("v" + (sent - 1));
    }

    @Test
    void expiredForeignAndMisaddressedTokensAreRefusedWithSaslAuthenticationException() throws Exception {
        RsaJsonWebKey otherKey = RsaJwkGenerator.generateJwk(2048);
        otherKey.setKeyId(key.getKeyId());
        for (String token : List.of(jwt(key, "alice", "strand", -120), jwt(otherKey, "alice", "strand", 600),
                jwt(key, "alice", "elsewhere", 600))) {
            Map<String, Object> config = new HashMap<>(staticTokenClient(token));
            config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, oauth);
            try (Admin admin = Admin.create(config)) {
                assertThatThrownBy(() -> admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class)
                        .cause().isInstanceOf(SaslAuthenticationException.class);
            }
        }
        // The same login with a good token is served.
        Map<String, Object> config = new HashMap<>(staticTokenClient(jwt(key, "alice", "strand", 600)));
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, oauth);
        try (Admin admin = Admin.create(config)) {
            assertThat(admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS)).isNotEmpty();
        }
    }

    @Test
    void theTokensSubjectIsThePrincipal() throws Exception {
        Topics.create(plaintext, "oauth-principal", 1);
        for (String subject : List.of("alice", "mallory")) {
            Map<String, Object> config = new HashMap<>(staticTokenClient(jwt(key, subject, "strand", 600)));
            config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, oauth);
            try (Admin admin = Admin.create(config)) {
                java.util.Set<String> visible = admin.listTopics().names().get(30, TimeUnit.SECONDS);
                if (subject.equals("alice")) {
                    assertThat(visible).contains("oauth-principal");
                } else {
                    assertThat(visible).doesNotContain("oauth-principal");
                }
            }
        }
    }

    @Test
    void kafkajsProducesAndConsumesWithABearerToken() throws Exception {
        Path nodeJs = Tools.requireNode();
        Path scripts = Tools.requireKafkajs();
        Topics.create(plaintext, "oauth-kafkajs", 1);
        String credentials = "{\"mechanism\":\"oauthbearer\",\"token\":\"" + jwt(key, "alice", "strand", 600) + "\"}";
        ChildProcess.of(nodeJs.toString(), "produce.js", oauth, "oauth-kafkajs", "0", "3", "none").workDir(scripts)
                .env("STRAND_IT_KAFKAJS_SASL", credentials).timeout(TOOL_TIMEOUT).run().assertSuccess();
        ChildProcess.Result consumed = ChildProcess.of(nodeJs.toString(), "consume-group.js", oauth, "oauth-kafkajs",
                "oauth-kafkajs-group", "3").workDir(scripts).env("STRAND_IT_KAFKAJS_SASL", credentials)
                .timeout(TOOL_TIMEOUT).run().assertSuccess();
        JsonNode result = new ObjectMapper().readTree(consumed.stdout());
        List<String> values = new ArrayList<>();
        result.get("records").forEach(r -> values.add(r.get("value").asText()));
        assertThat(values).containsExactly("value-0", "value-1", "value-2");
    }

    @Test
    void kcatLogsInWithAnUnsecuredTokenOnTheDevelopmentListener() {
        Path kcat = Tools.requireKcat();
        Topics.create(plaintext, "oauth-kcat", 1);
        List<String> base = List.of(kcat.toString(), "-b", dev, "-X", "security.protocol=SASL_PLAINTEXT",
                "-X", "sasl.mechanisms=OAUTHBEARER", "-X", "enable.sasl.oauthbearer.unsecure.jwt=true",
                "-X", "sasl.oauthbearer.config=principal=dev");
        List<String> produce = new ArrayList<>(base);
        produce.addAll(List.of("-P", "-t", "oauth-kcat", "-p", "0", "-K:"));
        ChildProcess.of(produce).stdin("k1:v1\n").timeout(TOOL_TIMEOUT).run().assertSuccess();
        List<String> consume = new ArrayList<>(base);
        consume.addAll(List.of("-C", "-t", "oauth-kcat", "-p", "0", "-o", "beginning", "-e", "-q", "-f", "%k=%s\\n"));
        assertThat(ChildProcess.of(consume).timeout(TOOL_TIMEOUT).run().assertSuccess().stdoutLines())
                .containsExactly("k1=v1");
        // The signed listener does not take an unsigned token.
        List<String> refused = new ArrayList<>(base);
        refused.set(2, oauth);
        refused.addAll(List.of("-L", "-m", "3"));
        assertThat(ChildProcess.of(refused).timeout(TOOL_TIMEOUT).run().exitCode()).isNotZero();
    }
}
