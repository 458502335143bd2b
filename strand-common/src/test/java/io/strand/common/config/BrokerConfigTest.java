package io.strand.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.Test;

class BrokerConfigTest {

    @Test
    void defaultsGiveASingleNodeOnLocalhost() {
        BrokerConfig config = BrokerConfig.defaults();
        assertThat(config.nodeId()).isEqualTo(1);
        assertThat(config.brokerListener()).isEqualTo(new BrokerConfig.Listener("PLAINTEXT", "localhost", 9092));
        assertThat(config.logDirs()).containsExactly(Path.of("./data"));
        assertThat(config.getBoolean(BrokerConfig.AUTO_CREATE_TOPICS_ENABLE)).isTrue();
        assertThat(config.getInt(BrokerConfig.NUM_PARTITIONS)).isEqualTo(1);
        assertThat(config.quorumVoters()).containsExactly(new BrokerConfig.QuorumVoter(1, "localhost", 9093));
    }

    @Test
    void unknownPropertiesAreRejectedByName() {
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("log.retention.hourz", "5")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("log.retention.hourz");
    }

    @Test
    void invalidValuesAreRejectedNamingPropertyAndValue() {
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("num.partitions", "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("num.partitions").hasMessageContaining("0");
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("log.segment.bytes", "lots")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("log.segment.bytes");
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("listeners", "PLAINTEXT://localhost:port")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("listeners");
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("log.cleanup.policy", "shred")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("log.cleanup.policy");
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("controller.quorum.voters", "one@host:1")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("controller.quorum.voters");
    }

    @Test
    void requestPoolNeedsAtLeastOneThread() {
        assertThat(BrokerConfig.defaults().getInt(BrokerConfig.NUM_IO_THREADS)).isEqualTo(8);
        assertThat(BrokerConfig.of(Map.of("num.io.threads", "3")).getInt(BrokerConfig.NUM_IO_THREADS)).isEqualTo(3);
        for (String bad : new String[] {"0", "-1", "many"}) {
            assertThatThrownBy(() -> BrokerConfig.of(Map.of("num.io.threads", bad)))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("num.io.threads").hasMessageContaining(bad);
        }
    }

    @Test
    void listenersTakeTheirSecurityProtocolFromTheMap() {
        BrokerConfig config = BrokerConfig.defaults();
        assertThat(config.securityProtocol("PLAINTEXT")).isEqualTo(SecurityProtocol.PLAINTEXT);
        assertThat(config.securityProtocol("CONTROLLER")).isEqualTo(SecurityProtocol.PLAINTEXT);
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("listener.security.protocol.map",
                "PLAINTEXT:SSL,CONTROLLER:PLAINTEXT")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("listener.security.protocol.map")
                .hasMessageContaining("only PLAINTEXT");
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("listener.security.protocol.map", "PLAINTEXT:CLEARTEXT")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("PLAINTEXT:CLEARTEXT");
    }

    @Test
    void brokerPropertiesConvertIntoTheirTopicConfigsUnit() {
        assertThat(BrokerConfig.toTopicUnit("log.retention.hours", "2")).isEqualTo("7200000");
        assertThat(BrokerConfig.toTopicUnit("log.retention.minutes", "2")).isEqualTo("120000");
        assertThat(BrokerConfig.toTopicUnit("log.retention.ms", "2")).isEqualTo("2");
    }

    @Test
    void advertisedListenersDefaultToTheClientListeners() {
        BrokerConfig config = BrokerConfig.of(Map.of("listeners", "PLAINTEXT://:9092,CONTROLLER://:9093"));
        assertThat(config.advertisedListeners()).containsExactly(new BrokerConfig.Listener("PLAINTEXT", "localhost", 9092));
        BrokerConfig advertised = BrokerConfig.of(Map.of("advertised.listeners", "PLAINTEXT://broker1.example:19092"));
        assertThat(advertised.advertisedListeners()).containsExactly(new BrokerConfig.Listener("PLAINTEXT", "broker1.example", 19092));
    }
}
