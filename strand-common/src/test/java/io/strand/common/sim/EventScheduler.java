package io.strand.common.sim;

import io.strand.common.time.ManualTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;

/**
 * The event loop of a deterministic simulation: a queue of events ordered by due time on a
 * {@link ManualTime}, run one at a time on the calling thread. Running an event first moves the
 * clock to its due time, then runs it, then checks every registered invariant; a failing invariant
 * stops the run with its assertion error. Events due at the same time run in the order they were
 * scheduled, so a run depends only on what the events do (and on the seed of their randomness).
 *
 * <p>As an {@link Executor} it runs tasks "soon": due now, after everything already due now. That
 * is the executor a component under test runs on instead of a thread of its own.
 *
 * <p>Not thread-safe: one thread schedules and runs everything.
 */
public final class EventScheduler implements Executor {

    private final ManualTime time;
    private final PriorityQueue<Event> queue = new PriorityQueue<>();
    private final List<Invariant> invariants = new ArrayList<>();
    private long nextSequence;
    private long eventsRun;

    public EventScheduler(ManualTime time) {
        this.time = Objects.requireNonNull(time);
    }

    /** A check run after every event; it throws {@link AssertionError} when violated. */
    @FunctionalInterface
    public interface Invariant {
        void verify();
    }

    /** A scheduled event; {@link #cancel()} keeps it from running if it has not run yet. */
    public static final class Event implements Comparable<Event> {
        private final long dueMs;
        private final long sequence;
        private final Runnable action;
        private boolean cancelled;

        private Event(long dueMs, long sequence, Runnable action) {
            this.dueMs = dueMs;
            this.sequence = sequence;
            this.action = action;
        }

        public void cancel() {
            cancelled = true;
        }

        public long dueMs() {
            return dueMs;
        }

        @Override
        public int compareTo(Event other) {
            int byTime = Long.compare(dueMs, other.dueMs);
            return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
        }
    }

    public ManualTime time() {
        return time;
    }

    public long nowMs() {
        return time.milliseconds();
    }

    public long eventsRun() {
        return eventsRun;
    }

    public void addInvariant(Invariant invariant) {
        invariants.add(Objects.requireNonNull(invariant));
    }

    /** Runs {@code action} {@code delayMs} from now (0 = after everything already due now). */
    public Event schedule(long delayMs, Runnable action) {
        if (delayMs < 0) {
            throw new IllegalArgumentException("Negative delay: delayMs=" + delayMs);
        }
        Event event = new Event(nowMs() + delayMs, nextSequence++, Objects.requireNonNull(action));
        queue.add(event);
        return event;
    }

    /**
     * Runs {@code action} every {@code periodMs}, first after {@code firstDelayMs}, while
     * {@code action} returns true.
     */
    public void schedulePeriodic(long firstDelayMs, long periodMs, BooleanSupplier action) {
        if (periodMs <= 0) {
            throw new IllegalArgumentException("Period must be positive: periodMs=" + periodMs);
        }
        schedule(firstDelayMs, () -> {
            if (action.getAsBoolean()) {
                schedulePeriodic(periodMs, periodMs, action);
            }
        });
    }

    @Override
    public void execute(Runnable task) {
        schedule(0, task);
    }

    /** Runs the next event; false when there is none. */
    public boolean runNext() {
        Event event = queue.poll();
        while (event != null && event.cancelled) {
            event = queue.poll();
        }
        if (event == null) {
            return false;
        }
        long advanceMs = event.dueMs - nowMs();
        if (advanceMs > 0) {
            time.sleep(advanceMs);
        }
        eventsRun++;
        event.action.run();
        for (Invariant invariant : invariants) {
            invariant.verify();
        }
        return true;
    }

    /** Runs every event due up to {@code endMs}, then moves the clock to {@code endMs}. */
    public void runUntil(long endMs) {
        while (!queue.isEmpty() && queue.peek().dueMs <= endMs) {
            runNext();
        }
        if (endMs > nowMs()) {
            time.sleep(endMs - nowMs());
        }
    }

    /**
     * Runs events until {@code done} holds, checked before each event.
     *
     * @throws AssertionError when it does not hold by {@code deadlineMs} or no event is left
     */
    public void runUntil(BooleanSupplier done, long deadlineMs, String what) {
        while (!done.getAsBoolean()) {
            Event next = queue.peek();
            if (next == null || next.dueMs > deadlineMs) {
                throw new AssertionError("Not reached by deadlineMs=" + deadlineMs + " (nowMs=" + nowMs()
                        + " eventsRun=" + eventsRun + "): " + what);
            }
            runNext();
        }
    }

    /** Scheduled events not yet run or cancelled-and-not-yet-skipped. */
    public int pending() {
        return queue.size();
    }
}
