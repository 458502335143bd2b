package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.strand.common.tls.TestPki;
import io.strand.testkit.ClusterNode;
import io.strand.testkit.StrandCluster;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metadata quorum behind a SASL_SSL controller listener with PLAIN: a combined node and a broker-only
 * node (which registers, observes and serves produce and fetch only through the quorum), the controller
 * listener's TLS from its own {@code listener.name.controller.ssl.*} stores. From outside, the controller
 * port answers the SASL handshake only inside TLS, refuses a wrong password, and closes a connection that
 * skips TLS.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ControllerSaslSslIT {

    private static final String PASSWORD = "controller-secret";

    @TempDir
    static Path dir;
    private static TestPki pki;
    private static StrandCluster cluster;
    private static Admin admin;

    @BeforeAll
    static void startCluster() {
        assumeFalse("kafka".equals(System.getProperty(BrokerUnderTest.BROKER_PROPERTY)), "a Strand cluster only");
        pki = TestPki.create(dir.resolve("pki"));
        TestPki.Identity node = pki.issue("node", "CN=node,O=Strand", "localhost", "127.0.0.1");
        String prefix = "listener.name.controller.";
        cluster = StrandCluster.builder(dir.resolve("cluster")).nodes(2).roles(2, "broker")
                .property("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:SASL_SSL")
                .property("sasl.mechanism.controller.protocol", "PLAIN")
                .property(prefix + "sasl.enabled.mechanisms", "PLAIN")
                .property(prefix + "plain.sasl.jaas.config",
                        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"controller\""
                                + " password=\"" + PASSWORD + "\" user_controller=\"" + PASSWORD + "\";")
                .property(prefix + "ssl.keystore.type", "PKCS12")
                .property(prefix + "ssl.keystore.location", node.keystore("PKCS12").toString())
                .property(prefix + "ssl.keystore.password", TestPki.PASSWORD)
                .property(prefix + "ssl.truststore.location", pki.truststore("JKS").toString())
                .property(prefix + "ssl.truststore.password", TestPki.PASSWORD)
                .start();
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000));
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
    void theQuorumRunsBehindSaslOverTls() throws Exception {
        // The answering broker lists a node once its own metadata has it unfenced, after the node's ready line.
        await("every node registered").atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(admin.describeCluster().nodes().get(10, TimeUnit.SECONDS)).extracting(Node::id)
                        .as("the broker-only node registered through SASL_SSL").containsExactlyInAnyOrder(1, 2));
        ControllerSaslIT.roundTrip(admin, cluster, "over-sasl-ssl", (short) 2);

        ClusterNode controller = cluster.node(1);
        assertThat(ControllerSaslIT.authenticate(tls(controller), "controller", PASSWORD)).isEqualTo("accepted");
        assertThat(ControllerSaslIT.authenticate(tls(controller), "controller", "wrong"))
                .startsWith("refused: SASL_AUTHENTICATION_FAILED");
        assertThat(ControllerSaslIT.withoutSasl(controller)).as("a SASL frame without TLS").isEqualTo("closed");
    }

    /** A TLS connection to the node's controller port, trusting the cluster's CA. */
    private static Socket tls(ClusterNode node) throws Exception {
        KeyStore trust = KeyStore.getInstance("JKS");
        try (InputStream in = Files.newInputStream(pki.truststore("JKS"))) {
            trust.load(in, TestPki.PASSWORD.toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context.getSocketFactory().createSocket(node.host(), node.controllerPort());
    }
}
