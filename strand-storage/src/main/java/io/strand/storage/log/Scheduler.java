package io.strand.storage.log;

/**
 * Where the storage layer runs its background work: retention, flushes, checkpoints and delayed file
 * deletion. Tasks must be thread-safe towards the logs they touch (they take the log's own locks).
 * The log manager runs it on its own threads ({@code io.strand.storage.ThreadScheduler}); tests drive a
 * manual one with the clock.
 */
public interface Scheduler {

    /** Runs {@code task} once, {@code delayMs} from now. */
    void scheduleOnce(String name, Runnable task, long delayMs);

    /** Runs {@code task} every {@code periodMs}, the first time {@code periodMs} from now. */
    void schedulePeriodic(String name, Runnable task, long periodMs);

    /** Stops the scheduler: running tasks finish, pending ones are dropped. */
    void shutdown();
}
