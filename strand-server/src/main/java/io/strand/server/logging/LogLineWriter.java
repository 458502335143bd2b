package io.strand.server.logging;

import java.io.PrintStream;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.function.LongSupplier;
import org.slf4j.event.Level;

/**
 * Writes log events as lines {@code 2026-11-23T18:13:31.374 [thread] LEVEL Logger - message}: local
 * time to the millisecond, the logger's simple name, then the throwable's stack trace if any. Each
 * event is written whole under the stream's lock, so lines of concurrent threads do not interleave.
 *
 * <p>The timestamp is formatted by hand from {@link LocalDateTime}: {@code SimpleDateFormat} would
 * bring up calendar and locale data, ~25 ms of a node's start.
 *
 * <p>Thread-safe.
 */
final class LogLineWriter {

    private final PrintStream out;
    private final ZoneId zone;
    private final LongSupplier clockMs;

    LogLineWriter(PrintStream out, ZoneId zone, LongSupplier clockMs) {
        this.out = out;
        this.zone = zone;
        this.clockMs = clockMs;
    }

    void write(Level level, String loggerName, String message, Throwable throwable) {
        StringBuilder line = new StringBuilder(64 + message.length());
        appendTimestamp(line, clockMs.getAsLong());
        line.append(" [").append(Thread.currentThread().getName()).append("] ").append(level).append(' ')
                .append(loggerName, loggerName.lastIndexOf('.') + 1, loggerName.length())
                .append(" - ").append(message);
        synchronized (out) {
            out.println(line);
            if (throwable != null) {
                throwable.printStackTrace(out);
            }
            out.flush();
        }
    }

    private void appendTimestamp(StringBuilder line, long epochMs) {
        LocalDateTime t = LocalDateTime.ofInstant(Instant.ofEpochMilli(epochMs), zone);
        pad(line, t.getYear(), 4).append('-');
        pad(line, t.getMonthValue(), 2).append('-');
        pad(line, t.getDayOfMonth(), 2).append('T');
        pad(line, t.getHour(), 2).append(':');
        pad(line, t.getMinute(), 2).append(':');
        pad(line, t.getSecond(), 2).append('.');
        pad(line, t.getNano() / 1_000_000, 3);
    }

    private static StringBuilder pad(StringBuilder line, int value, int digits) {
        String text = Integer.toString(value);
        for (int i = text.length(); i < digits; i++) {
            line.append('0');
        }
        return line.append(text);
    }
}
