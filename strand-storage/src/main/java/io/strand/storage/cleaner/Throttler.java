package io.strand.storage.cleaner;

import org.apache.kafka.common.utils.Time;

/**
 * Keeps the cleaner's I/O at or below {@code log.cleaner.io.max.bytes.per.second}: the caller reports the
 * bytes it read or wrote, and is put to sleep (on the injected clock) whenever the bytes since
 * {@link #start()} are ahead of what the rate allows for the time passed. A rate of
 * {@link Double#MAX_VALUE} never sleeps.
 *
 * <p><b>Threads.</b> Not thread-safe: owned by the cleaner thread.
 */
final class Throttler {

    /** Shorter sleeps are deferred until the debt grows; sleeping for a few ms is mostly overhead. */
    static final long MIN_SLEEP_MS = 10L;

    private final double bytesPerSecond;
    private final Time time;
    private long startMs;
    private long bytesSinceStart;

    Throttler(double bytesPerSecond, Time time) {
        this.bytesPerSecond = bytesPerSecond;
        this.time = time;
        start();
    }

    /** Starts a new measuring window. */
    void start() {
        startMs = time.milliseconds();
        bytesSinceStart = 0L;
    }

    /** Accounts for {@code bytes} of I/O and sleeps if the rate is exceeded. */
    void maybeThrottle(long bytes) {
        if (bytesPerSecond == Double.MAX_VALUE) {
            return;
        }
        bytesSinceStart += bytes;
        long allowedAtMs = startMs + (long) Math.ceil(bytesSinceStart * 1000.0 / bytesPerSecond);
        long sleepMs = allowedAtMs - time.milliseconds();
        if (sleepMs >= MIN_SLEEP_MS) {
            time.sleep(sleepMs);
        }
    }
}
