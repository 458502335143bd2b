package io.strand.bench;

import java.io.UncheckedIOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Samples a process's resident memory every {@code periodMs} on its own daemon thread and keeps the
 * largest value seen: the "RSS under load" figure, sampled while a load generator runs.
 *
 * <p>Thread-safety: the sampling thread owns the sampling; {@link #maxResidentBytes} may be read from
 * any thread. A process that exits just stops contributing samples. {@link #close} stops the thread
 * and waits for it.
 */
final class RssSampler implements AutoCloseable {

    private final long pid;
    private final AtomicLong maxResidentBytes = new AtomicLong();
    private final ScheduledExecutorService executor;

    RssSampler(long pid, long periodMs) {
        this.pid = pid;
        this.executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "rss-sampler-" + pid);
            thread.setDaemon(true);
            return thread;
        });
        executor.scheduleAtFixedRate(this::sample, 0, periodMs, TimeUnit.MILLISECONDS);
    }

    /** The largest resident set seen so far, in bytes; 0 before the first sample. */
    long maxResidentBytes() {
        return maxResidentBytes.get();
    }

    private void sample() {
        try {
            long residentBytes = ProcStats.residentBytes(pid);
            maxResidentBytes.accumulateAndGet(residentBytes, Math::max);
        } catch (UncheckedIOException | IllegalArgumentException e) {
            // the process is gone or between states; the samples taken so far stand
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
