package io.strand.server.logging;

import java.time.ZoneId;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The slf4j backend a node logs through: one line per event on standard error (see
 * {@link LogLineWriter}), levels from slf4j-simple's system properties (see {@link LogLevels}). It
 * replaces slf4j-simple in the server because that one formats timestamps with
 * {@code SimpleDateFormat}, whose set-up was ~25 ms of the main thread's start. No MDC.
 *
 * <p>Named by {@code StrandMain} through {@code slf4j.provider}, so slf4j does not scan the class
 * path for providers. Thread-safe after {@link #initialize()}.
 */
public final class StrandLogProvider implements SLF4JServiceProvider, ILoggerFactory {

    private final IMarkerFactory markers = new BasicMarkerFactory();
    private final MDCAdapter mdc = new NOPMDCAdapter();
    private final ConcurrentMap<String, Logger> loggers = new ConcurrentHashMap<>();
    private LogLevels levels;
    private LogLineWriter writer;

    @Override
    public void initialize() {
        levels = new LogLevels(System::getProperty);
        writer = new LogLineWriter(System.err, ZoneId.systemDefault(), System::currentTimeMillis);
    }

    @Override
    public Logger getLogger(String name) {
        return loggers.computeIfAbsent(name, n -> new StrandLogger(n, levels.threshold(n), writer));
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
        return this;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }
}
