package io.strand.coordinator.group;

import io.strand.coordinator.group.record.CoordinatorRecord;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Timeouts of one shard (member sessions, join and sync phases, pending member ids), keyed so that
 * rescheduling a key replaces its previous deadline. Nothing runs by itself: the shard's thread
 * calls {@link #poll} with the current time, so a test drives every timeout with a hand-set clock.
 * A task computes, like an operation: it returns the records it wants written, and {@link #poll}
 * hands them on to be applied before the next task runs.
 *
 * <p>Not thread-safe: owned by the shard's thread.
 */
final class DeadlineTimer {

    /** What runs at a deadline: returns the records to write (empty for none). */
    @FunctionalInterface
    interface Task {
        List<CoordinatorRecord> run();
    }

    private record Entry(String key, long deadlineMs, long sequence, Task task) implements Comparable<Entry> {
        @Override
        public int compareTo(Entry o) {
            int byDeadline = Long.compare(deadlineMs, o.deadlineMs);
            return byDeadline != 0 ? byDeadline : Long.compare(sequence, o.sequence);
        }
    }

    private final Map<String, Entry> byKey = new HashMap<>();
    private final TreeSet<Entry> byDeadline = new TreeSet<>();
    private long nextSequence;

    void schedule(String key, long deadlineMs, Task task) {
        cancel(key);
        Entry entry = new Entry(key, deadlineMs, nextSequence++, task);
        byKey.put(key, entry);
        byDeadline.add(entry);
    }

    void cancel(String key) {
        Entry previous = byKey.remove(key);
        if (previous != null) {
            byDeadline.remove(previous);
        }
    }

    boolean isScheduled(String key) {
        return byKey.containsKey(key);
    }

    /** The deadline of {@code key}, or -1. */
    long deadlineMs(String key) {
        Entry entry = byKey.get(key);
        return entry == null ? -1 : entry.deadlineMs();
    }

    /**
     * Runs, in deadline order, every task due at {@code nowMs}, including tasks those tasks schedule,
     * handing the records of each to {@code written} before the next runs.
     */
    void poll(long nowMs, Consumer<List<CoordinatorRecord>> written) {
        while (!byDeadline.isEmpty() && byDeadline.first().deadlineMs() <= nowMs) {
            Entry due = byDeadline.pollFirst();
            byKey.remove(due.key());
            List<CoordinatorRecord> records = due.task().run();
            if (!records.isEmpty()) {
                written.accept(records);
            }
        }
    }

    void clear() {
        byKey.clear();
        byDeadline.clear();
    }

    int size() {
        return byKey.size();
    }
}
