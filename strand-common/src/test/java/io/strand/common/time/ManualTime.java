package io.strand.common.time;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.utils.Time;

/**
 * A clock that moves only when a test moves it, for deterministic tests of time-driven logic
 * (retention, segment roll, session eviction, timeouts). Test code only: it ships in strand-common's
 * test-jar. Thread-safe.
 *
 * <ul>
 *   <li>Starts at {@link #DEFAULT_START_MS} (a fixed instant in 2023) or the given milliseconds;
 *       {@link #nanoseconds()} is the same instant in nanoseconds, so both readings move together.</li>
 *   <li>{@link #advance} and {@link #sleep} move it forward at once; nothing ever waits.</li>
 *   <li>{@link #waitObject} returns if the condition already holds; otherwise no other thread could
 *       make it hold while time stands still, so it moves the clock to the deadline and throws
 *       kafka-clients' {@code TimeoutException}, as a real wait would end.</li>
 * </ul>
 */
public final class ManualTime implements Time {

    /** Where {@link #ManualTime()} starts: 2023-11-14T22:13:20Z. */
    public static final long DEFAULT_START_MS = 1_700_000_000_000L;

    private final AtomicLong nowNs;

    public ManualTime() {
        this(DEFAULT_START_MS);
    }

    public ManualTime(long startMs) {
        this.nowNs = new AtomicLong(TimeUnit.MILLISECONDS.toNanos(startMs));
    }

    /** Moves the clock forward by {@code ms}. */
    public void advance(long ms) {
        nowNs.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
    }

    @Override
    public long milliseconds() {
        return TimeUnit.NANOSECONDS.toMillis(nowNs.get());
    }

    @Override
    public long nanoseconds() {
        return nowNs.get();
    }

    /** Same as {@link #advance}: returns at once with the clock {@code ms} later. */
    @Override
    public void sleep(long ms) {
        advance(ms);
    }

    @Override
    public void waitObject(Object obj, Supplier<Boolean> condition, long deadlineMs) {
        if (condition.get()) {
            return;
        }
        nowNs.getAndUpdate(ns -> Math.max(ns, TimeUnit.MILLISECONDS.toNanos(deadlineMs)));
        throw new TimeoutException("Condition not met by deadlineMs=" + deadlineMs);
    }
}
