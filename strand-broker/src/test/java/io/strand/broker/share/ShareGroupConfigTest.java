package io.strand.broker.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class ShareGroupConfigTest {

    @Test
    void kafkasDefaults() {
        ShareGroupConfig config = ShareGroupConfig.defaults();

        assertThat(config.recordLockDurationMs()).isEqualTo(30_000);
        assertThat(config.deliveryCountLimit()).isEqualTo(5);
        assertThat(config.partitionMaxRecordLocks()).isEqualTo(2000);
        assertThat(config.maxShareSessions()).isEqualTo(2000);
    }

    @Test
    void boundsAreKafkas() {
        assertThatThrownBy(() -> ShareGroupConfig.from(Map.of(ShareGroupConfig.DELIVERY_COUNT_LIMIT, "11")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(ShareGroupConfig.DELIVERY_COUNT_LIMIT);
        assertThatThrownBy(() -> ShareGroupConfig.from(Map.of(ShareGroupConfig.RECORD_LOCK_DURATION_MS, "5000")))
                .as("below the minimum lock duration (15 s)").isInstanceOf(ConfigException.class)
                .hasMessageContaining(ShareGroupConfig.MIN_RECORD_LOCK_DURATION_MS);
        assertThat(ShareGroupConfig.from(Map.of(ShareGroupConfig.RECORD_LOCK_DURATION_MS, "5000",
                ShareGroupConfig.MIN_RECORD_LOCK_DURATION_MS, "1000")).recordLockDurationMs()).isEqualTo(5000);
    }

    @Test
    void refusesWhatIsNotImplemented() {
        assertThatThrownBy(() -> ShareGroupConfig.from(Map.of("group.share.dlq.enabled", "true")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("group.share.dlq.enabled")
                .hasMessageContaining("does not support");
        assertThat(ShareGroupConfig.from(Map.of("group.share.dlq.enabled", "false"))).isNotNull();
        assertThatThrownBy(() -> ShareGroupConfig.from(Map.of("group.share.persister.class.name", "my.Persister")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("group.share.persister.class.name");
    }
}
