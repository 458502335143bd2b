package io.strand.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaLauncherTest {

    private static final List<String> SHARED = List.of("-Xms128m", "-Xmx1g");

    @Test
    void startsKafkaWithTheSharedOptionsAndNoArchiveOfItsOwn() {
        KafkaLauncher kafka = new KafkaLauncher("lib/*", SHARED, Map.of());

        assertThat(kafka.brokerJvmOptions()).isEqualTo(SHARED);
        assertThat(kafka.classDataArchive()).isEmpty();
    }

    @Test
    void addsBrokerOptionsAfterTheSharedOnesAndNamesTheArchive() {
        KafkaLauncher kafka = new KafkaLauncher("lib/*", SHARED, Map.of())
                .withBrokerJvmOptions(List.of("-XX:SharedArchiveFile=/tmp/kafka-appcds.jsa", "-Xlog:cds=off"));

        assertThat(kafka.brokerJvmOptions()).containsExactly("-Xms128m", "-Xmx1g",
                "-XX:SharedArchiveFile=/tmp/kafka-appcds.jsa", "-Xlog:cds=off");
        assertThat(kafka.classDataArchive()).contains(Path.of("/tmp/kafka-appcds.jsa"));
    }

    @Test
    void addsAnAdvertisedSslListenerServingTheRunsKeyStore() {
        KafkaLauncher kafka = new KafkaLauncher("lib/*", SHARED, Map.of("num.partitions", "6"));
        Path dir = Path.of("/tmp/bench");
        TlsKeys keys = new TlsKeys(dir.resolve("server.p12"), dir.resolve("trust.p12"), dir.resolve("client.properties"),
                dir.resolve("server.pem"));

        Map<String, String> config = kafka.sslConfig(dir, 9092, 9094, 9093, keys);

        assertThat(config).containsEntry("listeners",
                        "PLAINTEXT://127.0.0.1:9092,SSL://127.0.0.1:9094,CONTROLLER://127.0.0.1:9093")
                .containsEntry("advertised.listeners", "PLAINTEXT://127.0.0.1:9092,SSL://127.0.0.1:9094")
                .containsEntry("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SSL:SSL,CONTROLLER:PLAINTEXT")
                .containsEntry("inter.broker.listener.name", "PLAINTEXT")
                .containsEntry("ssl.keystore.location", "/tmp/bench/server.p12")
                .containsEntry("ssl.keystore.type", "PKCS12")
                .containsEntry("num.partitions", "6");
    }
}
