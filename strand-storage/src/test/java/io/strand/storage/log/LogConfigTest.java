package io.strand.storage.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.common.config.TopicConfigs;
import io.strand.storage.LogFixture;
import io.strand.storage.LogManagerConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.junit.jupiter.api.Test;

class LogConfigTest {

    @Test
    void defaultsAreKafkas() {
        LogConfig c = LogConfig.defaults();

        assertThat(c.segmentBytes()).isEqualTo(1_073_741_824);
        assertThat(c.retentionMs()).isEqualTo(604_800_000L);
        assertThat(c.retentionBytes()).isEqualTo(-1L);
        assertThat(c.maxMessageBytes()).isEqualTo(1_048_588);
        assertThat(c.timestampType()).isEqualTo(TimestampType.CREATE_TIME);
        assertThat(c.deletePolicy()).isTrue();
        assertThat(c.compactPolicy()).isFalse();
        assertThat(c.targetCompressionOrNull()).isNull();
        assertThat(c.flushIntervalMessages()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void readsTheEffectiveTopicConfig() {
        Map<String, Object> effective = TopicConfigs.effective(Map.of("log.retention.ms", "1000"),
                Map.of("cleanup.policy", "compact,delete", "compression.type", "lz4",
                        "message.timestamp.type", "LogAppendTime", "segment.bytes", "2097152"));

        LogConfig c = LogConfig.from(effective);

        assertThat(c.deletePolicy()).isTrue();
        assertThat(c.compactPolicy()).isTrue();
        assertThat(c.targetCompressionOrNull()).isEqualTo(CompressionType.LZ4);
        assertThat(c.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
        assertThat(c.segmentBytes()).isEqualTo(2_097_152);
    }

    @Test
    void rejectsBadValuesNamingTheProperty() {
        assertThatThrownBy(() -> LogFixture.config("compression.type", "brotli"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("compression.type");
        assertThatThrownBy(() -> LogFixture.config("segment.bytes", 0))
                .isInstanceOf(ConfigException.class).hasMessageContaining("segment.bytes");
        assertThatThrownBy(() -> new LogManagerConfig(List.of(), 1, 1, 1, 1))
                .isInstanceOf(ConfigException.class).hasMessageContaining("log.dirs");
        assertThatThrownBy(() -> new LogManagerConfig(List.of(Path.of("a")), 0, 1, 1, 1))
                .isInstanceOf(ConfigException.class).hasMessageContaining("log.retention.check.interval.ms");
    }

    @Test
    void readsTheCompactionSettings() {
        LogConfig c = LogFixture.config("delete.retention.ms", 5L, "min.cleanable.dirty.ratio", "0.25",
                "min.compaction.lag.ms", 7L, "max.compaction.lag.ms", 9L);

        assertThat(c.deleteRetentionMs()).isEqualTo(5L);
        assertThat(c.minCleanableDirtyRatio()).isEqualTo(0.25);
        assertThat(c.minCompactionLagMs()).isEqualTo(7L);
        assertThat(c.maxCompactionLagMs()).isEqualTo(9L);
        assertThat(LogConfig.defaults().deleteRetentionMs()).isEqualTo(86_400_000L);
        assertThat(LogConfig.defaults().minCleanableDirtyRatio()).isEqualTo(0.5);
        assertThatThrownBy(() -> LogFixture.config("min.cleanable.dirty.ratio", 1.5))
                .isInstanceOf(ConfigException.class).hasMessageContaining("min.cleanable.dirty.ratio");
    }

    @Test
    void cleanerSettingsDefaultToKafkasAndAreValidated() {
        LogManagerConfig c = new LogManagerConfig(List.of(Path.of("a")), 1, 1, 1, 1);

        assertThat(c.cleanerEnable()).isTrue();
        assertThat(c.cleanerDedupeBufferBytes()).isEqualTo(128L * 1024 * 1024);
        assertThat(c.cleanerIoMaxBytesPerSecond()).isEqualTo(Double.MAX_VALUE);
        assertThat(c.cleanerBackoffMs()).isEqualTo(15_000L);
        assertThatThrownBy(() -> c.withCleaner(true, 10, Double.MAX_VALUE, 1))
                .isInstanceOf(ConfigException.class).hasMessageContaining("log.cleaner.dedupe.buffer.size");
        assertThatThrownBy(() -> c.withCleaner(true, 1 << 20, 0, 1))
                .isInstanceOf(ConfigException.class).hasMessageContaining("log.cleaner.io.max.bytes.per.second");
    }
}
