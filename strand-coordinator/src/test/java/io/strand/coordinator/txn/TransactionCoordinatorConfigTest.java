package io.strand.coordinator.txn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class TransactionCoordinatorConfigTest {

    @Test
    void defaultsAreKafkas() {
        TransactionCoordinatorConfig config = TransactionCoordinatorConfig.defaults();

        assertThat(config).isEqualTo(new TransactionCoordinatorConfig(50, (short) 3, 104_857_600, 2, 900_000,
                604_800_000L, 10_000L, 3_600_000L));
    }

    @Test
    void readsKafkasPropertyNamesAndIgnoresOthers() {
        TransactionCoordinatorConfig config = TransactionCoordinatorConfig.from(Map.of(
                "transaction.state.log.num.partitions", "5", "transaction.max.timeout.ms", "1000",
                "transactional.id.expiration.ms", "2000",
                "transaction.abort.timed.out.transaction.cleanup.interval.ms", "300",
                "transaction.remove.expired.transaction.cleanup.interval.ms", "400", "unrelated", "x"));

        assertThat(config.stateLogPartitions()).isEqualTo(5);
        assertThat(config.isValidTimeout(1000)).isTrue();
        assertThat(config.isValidTimeout(1001)).isFalse();
        assertThat(config.isValidTimeout(0)).isFalse();
        assertThat(config.transactionalIdExpirationMs()).isEqualTo(2000L);
        assertThat(config.abortTimedOutIntervalMs()).isEqualTo(300L);
        assertThat(config.removeExpiredIntervalMs()).isEqualTo(400L);
    }

    @Test
    void aBadValueIsRefusedNamingTheProperty() {
        assertThatThrownBy(() -> TransactionCoordinatorConfig.from(Map.of("transaction.max.timeout.ms", "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("transaction.max.timeout.ms");
    }
}
