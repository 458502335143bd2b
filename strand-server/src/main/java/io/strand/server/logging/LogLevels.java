package io.strand.server.logging;

import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.slf4j.event.Level;

/**
 * The threshold of each logger, from slf4j-simple's property names so existing settings keep
 * working: {@value #LOGGER_PREFIX}{@code <name>} for a logger and the loggers below it (the longest
 * dotted prefix wins), {@value #DEFAULT_LEVEL} otherwise; values {@code trace}, {@code debug},
 * {@code info}, {@code warn}, {@code error} or {@code off}. A property not set falls back to the
 * built-in defaults: {@code info}, with Ratis' and kafka-clients' chatty loggers at {@code warn}
 * (Ratis' log appenders, which warn on every retry to a voter that is down, at {@code error}).
 *
 * <p>Immutable and thread-safe; properties are read when a logger is created.
 */
final class LogLevels {

    static final String LOGGER_PREFIX = "org.slf4j.simpleLogger.log.";
    static final String DEFAULT_LEVEL = "org.slf4j.simpleLogger.defaultLogLevel";
    /** Above every level: the logger writes nothing. */
    static final int OFF = Integer.MAX_VALUE;

    private static final Map<String, String> BUILT_IN = Map.of(
            DEFAULT_LEVEL, "info",
            LOGGER_PREFIX + "org.apache.ratis", "warn",
            // A voter that is down makes the leader's appender warn, with a stack trace, on every retry
            // (tens a second); the quorum's own leader-change lines say what matters.
            LOGGER_PREFIX + "org.apache.ratis.server.leader", "error",
            LOGGER_PREFIX + "org.apache.kafka", "warn");

    private final UnaryOperator<String> properties;

    /** {@code properties}: property name to value, or null when not set (e.g. System::getProperty). */
    LogLevels(UnaryOperator<String> properties) {
        this.properties = properties;
    }

    /** The lowest {@link Level#toInt()} that {@code loggerName} writes, or {@link #OFF}. */
    int threshold(String loggerName) {
        String name = loggerName;
        while (true) {
            String value = lookup(LOGGER_PREFIX + name);
            if (value != null) {
                return parse(value);
            }
            int dot = name.lastIndexOf('.');
            if (dot < 0) {
                return parse(lookup(DEFAULT_LEVEL));
            }
            name = name.substring(0, dot);
        }
    }

    private String lookup(String property) {
        String value = properties.apply(property);
        return value != null ? value : BUILT_IN.get(property);
    }

    private static int parse(String value) {
        String level = value.trim().toUpperCase(Locale.ROOT);
        if (level.equals("OFF")) {
            return OFF;
        }
        try {
            return Level.valueOf(level).toInt();
        } catch (IllegalArgumentException e) {
            return Level.INFO.toInt();
        }
    }
}
