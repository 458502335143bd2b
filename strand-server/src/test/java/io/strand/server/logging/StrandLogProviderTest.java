package io.strand.server.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.event.Level;

class StrandLogProviderTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final long clockMs = Instant.parse("2026-03-04T05:06:07.089Z").toEpochMilli();

    private String written() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private Logger logger(String name, Map<String, String> properties, ZoneId zone) {
        LogLineWriter writer = new LogLineWriter(new PrintStream(bytes, true, StandardCharsets.UTF_8), zone,
                () -> clockMs);
        return new StrandLogger(name, new LogLevels(properties::get).threshold(name), writer);
    }

    @Test
    void writesLocalTimeThreadLevelSimpleNameAndFormattedMessage() {
        Logger log = logger("io.strand.broker.BrokerServer", Map.of(), ZoneOffset.ofHours(2));

        log.info("Node {} serving on {}", 1, "127.0.0.1:9092");

        assertThat(written()).isEqualTo("2026-03-04T07:06:07.089 [" + Thread.currentThread().getName()
                + "] INFO BrokerServer - Node 1 serving on 127.0.0.1:9092" + System.lineSeparator());
    }

    @Test
    void writesTheStackTraceOfAThrowableAfterTheLine() {
        Logger log = logger("x.Y", Map.of(), ZoneOffset.UTC);

        log.warn("failed: {}", "append", new IllegalStateException("disk full"));

        assertThat(written()).startsWith("2026-03-04T05:06:07.089 [")
                .contains("] WARN Y - failed: append" + System.lineSeparator()
                        + "java.lang.IllegalStateException: disk full")
                .contains("at io.strand.server.logging.StrandLogProviderTest");
    }

    @Test
    void levelsComeFromTheLongestPrefixThenTheDefaultThenTheBuiltIns() {
        Map<String, String> props = Map.of(
                LogLevels.DEFAULT_LEVEL, "warn",
                LogLevels.LOGGER_PREFIX + "io.strand", "debug",
                LogLevels.LOGGER_PREFIX + "io.strand.storage", "off");
        LogLevels levels = new LogLevels(props::get);

        assertThat(levels.threshold("io.strand.broker.BrokerServer")).isEqualTo(Level.DEBUG.toInt());
        assertThat(levels.threshold("io.strand.storage.LogManager")).isEqualTo(LogLevels.OFF);
        assertThat(levels.threshold("com.example.Other")).isEqualTo(Level.WARN.toInt());

        LogLevels builtIn = new LogLevels(name -> null);
        assertThat(builtIn.threshold("io.strand.broker.BrokerServer")).isEqualTo(Level.INFO.toInt());
        assertThat(builtIn.threshold("org.apache.ratis.server.RaftServer")).isEqualTo(Level.WARN.toInt());
        assertThat(builtIn.threshold("org.apache.kafka.clients.NetworkClient")).isEqualTo(Level.WARN.toInt());
    }

    @Test
    void writesNothingBelowTheThreshold() {
        Logger log = logger("io.strand.X", Map.of(LogLevels.LOGGER_PREFIX + "io.strand", "warn"), ZoneOffset.UTC);

        log.info("quiet");
        log.debug("quieter");

        assertThat(log.isInfoEnabled()).isFalse();
        assertThat(log.isWarnEnabled()).isTrue();
        assertThat(written()).isEmpty();
    }
}
