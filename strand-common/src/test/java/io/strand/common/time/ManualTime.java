package io.strand.common.time;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.common.utils.Time;

/**
 * A clock that moves only when told to, for deterministic tests of time-driven logic (retention,
 * segment roll, session eviction, timeouts). {@link #sleep} advances it instead of waiting.
 * Thread-safe.
 */
public final class ManualTime implements Time {

    private final AtomicLong nowNs;

    public ManualTime() {
        this(1_700_000_000_000L);
    }

    public ManualTime(long startMs) {
        this.nowNs = new AtomicLong(TimeUnit.MILLISECONDS.toNanos(startMs));
    }

    @Override
    public long milliseconds() {
        return TimeUnit.NANOSECONDS.toMillis(nowNs.get());
    }

    @Override
    public long nanoseconds() {
        return nowNs.get();
    }

    @Override
    public void sleep(long ms) {
        nowNs.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
    }

    @Override
    public void waitObject(Object obj, Supplier<Boolean> condition, long deadlineMs) {
        throw new UnsupportedOperationException("ManualTime cannot wait; advance it with sleep()");
    }
}
