package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strand.common.tls.TestPki;
import io.strand.testkit.StrandNode;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP listener with the node's TLS and authentication settings: one node with a SASL_PLAINTEXT
 * listener (PLAIN user {@code admin} in its JAAS line, SCRAM user {@code alice} created with the Admin
 * client), Kafka's StandardAuthorizer with {@code super.users=User:admin;User:ANONYMOUS} (the HTTP API's
 * own clients use the PLAINTEXT listener on 127.0.0.1 as ANONYMOUS), and
 * {@code strand.http.listener=https://127.0.0.1:0} with {@code strand.http.authentication=basic}. A
 * {@code java.net.http} client trusting the test CA: no or wrong credentials get 401 with the Basic
 * challenge; alice without ACLs gets 403 TOPIC_AUTHORIZATION_FAILED and an empty topic list; after
 * Admin.createAcls she lists, produces to and reads her topic; /metrics needs DESCRIBE on the cluster;
 * the health probes need nothing; a client that does not trust the CA fails the handshake.
 *
 * <p>Strand only (the HTTP listener is Strand's). Takes 10–20 s (measured on a busy two-core machine).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class HttpSecurityIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOPIC = "alice-orders";
    private static final String PLAIN_JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required"
            + " username=\"admin\" password=\"admin-secret\" user_admin=\"admin-secret\";";

    @TempDir
    static Path dir;
    private static StrandNode node;
    private static Admin admin;
    private static HttpClient https;
    private static URI base;
    private static String clusterPath;

    @BeforeAll
    static void start() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("pki"));
        TestPki.Identity server = pki.issue("node", "CN=localhost,O=Strand", "localhost", "127.0.0.1");
        int raftPort;
        try (ServerSocket free = new ServerSocket(0)) {
            raftPort = free.getLocalPort();
        }
        node = StrandNode.start(dir.resolve("data"), Map.ofEntries(
                Map.entry("listeners", "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:" + raftPort),
                Map.entry("controller.quorum.voters", "1@127.0.0.1:" + raftPort),
                Map.entry("listener.security.protocol.map",
                        "PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT"),
                Map.entry("inter.broker.listener.name", "PLAINTEXT"),
                Map.entry("listener.name.sasl_plaintext.sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256"),
                Map.entry("listener.name.sasl_plaintext.plain.sasl.jaas.config", PLAIN_JAAS),
                Map.entry("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer"),
                Map.entry("super.users", "User:admin;User:ANONYMOUS"),
                Map.entry("ssl.keystore.type", "PKCS12"),
                Map.entry("ssl.keystore.location", server.keystore("PKCS12").toString()),
                Map.entry("ssl.keystore.password", TestPki.PASSWORD),
                Map.entry("ssl.enabled.protocols", "TLSv1.3"),
                Map.entry("strand.http.listener", "https://127.0.0.1:0"),
                Map.entry("strand.http.authentication", "basic")));
        admin = Admin.create(Map.of("bootstrap.servers",
                "127.0.0.1:" + node.server().clientListeners().get("PLAINTEXT").getPort()));
        admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion("alice",
                new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 4096), "alice-secret"))).all().get(10, TimeUnit.SECONDS);
        admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(10, TimeUnit.SECONDS);
        String clusterId = admin.describeCluster().clusterId().get(10, TimeUnit.SECONDS);
        https = HttpClient.newBuilder().sslContext(trusting(pki.truststore("PKCS12"))).connectTimeout(Duration.ofSeconds(5))
                .build();
        base = URI.create("https://127.0.0.1:" + node.httpAddress().orElseThrow().getPort());
        clusterPath = "/v3/clusters/" + clusterId;
    }

    @AfterAll
    static void stop() {
        if (admin != null) {
            admin.close();
        }
        if (node != null) {
            node.close();
        }
    }

    private static SSLContext trusting(Path truststore) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(truststore)) {
            store.load(in, TestPki.PASSWORD.toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    private record Answer(int status, HttpResponse<String> response, JsonNode json) {
    }

    private static Answer call(String method, String path, String userColonPassword, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (userColonPassword != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    userColonPassword.getBytes(StandardCharsets.UTF_8)));
        }
        HttpResponse<String> response = https.send(request.build(), HttpResponse.BodyHandlers.ofString());
        boolean json = response.headers().firstValue("content-type").orElse("").startsWith("application/json");
        return new Answer(response.statusCode(), response, json && !response.body().isEmpty()
                ? JSON.readTree(response.body()) : null);
    }

    private static Answer get(String path, String credentials) throws Exception {
        return call("GET", path, credentials, null);
    }

    private static List<String> topicNames(Answer list) {
        List<String> names = new ArrayList<>();
        list.json().get("data").forEach(topic -> names.add(topic.get("topic_name").asText()));
        return names;
    }

    @Test
    void noOrWrongCredentialsGet401WithTheBasicChallenge() throws Exception {
        for (String credentials : new String[] {null, "alice:wrong-secret", "admin:alice-secret", "mallory:x"}) {
            for (String path : List.of(clusterPath + "/topics", "/metrics", "/ui", "/v3/openapi.yaml")) {
                Answer answer = get(path, credentials);
                assertThat(answer.status()).as(credentials + " " + path).isEqualTo(401);
                assertThat(answer.response().headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                        challenge -> assertThat(challenge).startsWith("Basic realm=\"strand\""));
            }
        }
    }

    @Test
    void healthProbesNeedNoCredentials() throws Exception {
        assertThat(get("/health/live", null).status()).isEqualTo(200);
        assertThat(get("/health/ready", null).status()).isEqualTo(200);
    }

    @Test
    void aliceIsDeniedUntilAnAclAllowsHerTopic() throws Exception {
        String alice = "alice:alice-secret";
        Answer list = get(clusterPath + "/topics", alice);
        assertThat(list.status()).as(list.response().body()).isEqualTo(200);
        assertThat(topicNames(list)).isEmpty();
        Answer topic = get(clusterPath + "/topics/" + TOPIC, alice);
        assertThat(topic.status()).isEqualTo(403);
        assertThat(topic.json().get("message").asText()).startsWith("TOPIC_AUTHORIZATION_FAILED: User:alice");
        String record = "{\"key\":{\"type\":\"STRING\",\"data\":\"k\"},\"value\":{\"type\":\"JSON\",\"data\":{\"n\":1}}}";
        Answer denied = call("POST", clusterPath + "/topics/" + TOPIC + "/records", alice, record);
        assertThat(denied.status()).isEqualTo(403);
        assertThat(denied.json().get("message").asText()).startsWith("TOPIC_AUTHORIZATION_FAILED");
        assertThat(get(clusterPath + "/brokers", alice).json().get("message").asText())
                .startsWith("CLUSTER_AUTHORIZATION_FAILED");
        assertThat(get("/metrics", alice).status()).isEqualTo(403);

        ResourcePattern orders = new ResourcePattern(ResourceType.TOPIC, TOPIC, PatternType.LITERAL);
        admin.createAcls(List.of(
                new AclBinding(orders, new AccessControlEntry("User:alice", "*", AclOperation.WRITE, AclPermissionType.ALLOW)),
                new AclBinding(orders, new AccessControlEntry("User:alice", "*", AclOperation.READ, AclPermissionType.ALLOW))))
                .all().get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(topicNames(get(clusterPath + "/topics", alice))).containsExactly(TOPIC));

        Answer produced = call("POST", clusterPath + "/topics/" + TOPIC + "/records", alice, record);
        assertThat(produced.status()).as(produced.response().body()).isEqualTo(200);
        assertThat(produced.json().get("offset").asLong()).isZero();
        Answer read = get(clusterPath + "/topics/" + TOPIC + "/partitions/0/records?offset=0", alice);
        assertThat(read.status()).as(read.response().body()).isEqualTo(200);
        assertThat(read.json().get("data")).hasSize(1);
        assertThat(read.json().get("data").get(0).get("value").get("text").asText()).isEqualTo("{\"n\":1}");
    }

    @Test
    void aPlainSuperUserMaySeeEverything() throws Exception {
        String admin = "admin:admin-secret";
        assertThat(get(clusterPath + "/brokers", admin).status()).isEqualTo(200);
        assertThat(topicNames(get(clusterPath + "/topics", admin))).contains(TOPIC);
        Answer metrics = get("/metrics", admin);
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.response().body()).contains("strand_node_ready");
    }

    @Test
    void aClientThatDoesNotTrustTheNodesCaFailsTheHandshake() {
        HttpClient untrusting = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/health/live")).timeout(Duration.ofSeconds(10)).build();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> untrusting.send(request, HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(SSLHandshakeException.class);
    }
}
