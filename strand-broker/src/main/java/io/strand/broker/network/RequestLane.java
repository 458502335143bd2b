package io.strand.broker.network;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/**
 * One connection's requests on the request pool: runs the tasks it is given one at a time, in the
 * order given, on pool threads. At most one task of the lane is queued or running on the pool at a
 * time; it runs the lane's tasks back to back (no hand-off between two pipelined requests of one
 * client) and, after {@value #MAX_TASKS_PER_TURN} of them, goes to the back of the pool's queue so
 * that other connections get their turn.
 *
 * <p>Thread-safe: tasks are submitted on the connection's event loop and run on pool threads; the
 * queue is guarded by the lane's monitor, which is never held while a task runs.
 */
final class RequestLane {

    static final int MAX_TASKS_PER_TURN = 16;

    private final Executor pool;
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    /** True while a turn of this lane is queued or running on the pool. */
    private boolean scheduled;

    RequestLane(Executor pool) {
        this.pool = pool;
    }

    /** True if no task is queued or running: a task run elsewhere now cannot overtake one of the lane's. */
    synchronized boolean isIdle() {
        return !scheduled && tasks.isEmpty();
    }

    /**
     * Runs {@code task} after every task submitted before it. The task must not throw: a task that
     * does ends its lane's turn with the lane still marked scheduled, and the lane runs nothing more.
     *
     * @throws java.util.concurrent.RejectedExecutionException if the pool is closed; the task is dropped
     */
    void submit(Runnable task) {
        synchronized (this) {
            tasks.addLast(task);
            if (scheduled) {
                return;
            }
            scheduled = true;
        }
        schedule();
    }

    private void schedule() {
        try {
            pool.execute(this::runTurn);
        } catch (RuntimeException e) {
            synchronized (this) {
                scheduled = false;
                tasks.clear();
            }
            throw e;
        }
    }

    private void runTurn() {
        for (int i = 0; i < MAX_TASKS_PER_TURN; i++) {
            Runnable next;
            synchronized (this) {
                next = tasks.pollFirst();
                if (next == null) {
                    scheduled = false;
                    return;
                }
            }
            next.run();
        }
        synchronized (this) {
            if (tasks.isEmpty()) {
                scheduled = false;
                return;
            }
        }
        try {
            schedule();
        } catch (RuntimeException e) {
            // The pool is closing with the server: the connection goes with it.
        }
    }
}
