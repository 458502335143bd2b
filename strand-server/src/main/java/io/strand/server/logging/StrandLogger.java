package io.strand.server.logging;

import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/**
 * A logger of {@link StrandLogProvider}: writes events at or above its threshold through the shared
 * {@link LogLineWriter}; markers are ignored. Immutable and thread-safe.
 */
final class StrandLogger extends LegacyAbstractLogger {

    private static final long serialVersionUID = 1L;

    private final int threshold;
    private final transient LogLineWriter writer;

    StrandLogger(String name, int threshold, LogLineWriter writer) {
        this.name = name;
        this.threshold = threshold;
        this.writer = writer;
    }

    private boolean enabled(Level level) {
        return level.toInt() >= threshold;
    }

    @Override
    public boolean isTraceEnabled() {
        return enabled(Level.TRACE);
    }

    @Override
    public boolean isDebugEnabled() {
        return enabled(Level.DEBUG);
    }

    @Override
    public boolean isInfoEnabled() {
        return enabled(Level.INFO);
    }

    @Override
    public boolean isWarnEnabled() {
        return enabled(Level.WARN);
    }

    @Override
    public boolean isErrorEnabled() {
        return enabled(Level.ERROR);
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String messagePattern,
                                               Object[] arguments, Throwable throwable) {
        writer.write(level, name, MessageFormatter.basicArrayFormat(messagePattern, arguments), throwable);
    }
}
