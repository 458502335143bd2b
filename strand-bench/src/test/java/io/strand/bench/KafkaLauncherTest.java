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
}
