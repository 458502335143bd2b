package io.strand.storage;

import io.strand.common.time.ManualTime;
import io.strand.storage.log.Scheduler;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A {@link Scheduler} whose tasks run only in {@link #runDueTasks()}, on the test's thread, when the
 * {@link ManualTime} has reached them. Thread-safe.
 */
public final class ManualScheduler implements Scheduler {

    private record Task(String name, Runnable task, long dueMs, long periodMs, long seq) {
    }

    private final ManualTime time;
    private final PriorityQueue<Task> queue =
            new PriorityQueue<>(Comparator.comparingLong(Task::dueMs).thenComparingLong(Task::seq));
    private long seq;
    private boolean shutdown;

    public ManualScheduler(ManualTime time) {
        this.time = time;
    }

    @Override
    public synchronized void scheduleOnce(String name, Runnable task, long delayMs) {
        add(name, task, delayMs, 0L);
    }

    @Override
    public synchronized void schedulePeriodic(String name, Runnable task, long periodMs) {
        if (periodMs != Long.MAX_VALUE) {
            add(name, task, periodMs, periodMs);
        }
    }

    private void add(String name, Runnable task, long delayMs, long periodMs) {
        if (!shutdown) {
            queue.add(new Task(name, task, time.milliseconds() + delayMs, periodMs, seq++));
        }
    }

    /** Runs every task due by now (including ones they schedule for now); returns how many ran. */
    public int runDueTasks() {
        int ran = 0;
        while (true) {
            Task t;
            synchronized (this) {
                t = queue.peek();
                if (t == null || t.dueMs() > time.milliseconds()) {
                    return ran;
                }
                queue.poll();
                if (t.periodMs() > 0) {
                    add(t.name(), t.task(), t.periodMs(), t.periodMs());
                }
            }
            t.task().run();
            ran++;
        }
    }

    public synchronized List<String> pendingTaskNames() {
        List<String> names = new ArrayList<>();
        queue.forEach(t -> names.add(t.name()));
        return names;
    }

    @Override
    public synchronized void shutdown() {
        shutdown = true;
        queue.clear();
    }
}
