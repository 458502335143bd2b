package io.strand.storage;

import io.strand.storage.log.Scheduler;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Scheduler} on a small pool of daemon threads named {@code strand-log-scheduler-<n>}.
 * Thread-safe. A task that throws is logged and, if periodic, keeps its schedule.
 */
final class ThreadScheduler implements Scheduler {

    private static final Logger LOG = LoggerFactory.getLogger(ThreadScheduler.class);
    private static final long SHUTDOWN_TIMEOUT_MS = 30_000L;

    private final ScheduledThreadPoolExecutor executor;

    ThreadScheduler(int threads) {
        AtomicInteger n = new AtomicInteger();
        executor = new ScheduledThreadPoolExecutor(threads, r -> {
            Thread t = new Thread(r, "strand-log-scheduler-" + n.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
    }

    /** Ignored once the scheduler is shut down. */
    @Override
    public void scheduleOnce(String name, Runnable task, long delayMs) {
        try {
            executor.schedule(guarded(name, task), Math.max(0, delayMs), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("Not scheduling task={}: scheduler is shut down", name);
        }
    }

    /** Ignored once the scheduler is shut down, or if {@code periodMs} is {@link Long#MAX_VALUE}. */
    @Override
    public void schedulePeriodic(String name, Runnable task, long periodMs) {
        if (periodMs == Long.MAX_VALUE) {
            return;
        }
        try {
            executor.scheduleWithFixedDelay(guarded(name, task), periodMs, periodMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("Not scheduling task={}: scheduler is shut down", name);
        }
    }

    @Override
    public void shutdown() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(SHUTDOWN_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                LOG.warn("Background storage tasks did not finish within timeoutMs={}", SHUTDOWN_TIMEOUT_MS);
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static Runnable guarded(String name, Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (Throwable t) {
                LOG.error("Background storage task={} failed", name, t);
            }
        };
    }
}
