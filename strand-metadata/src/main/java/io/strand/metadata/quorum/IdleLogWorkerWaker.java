package io.strand.metadata.quorum;

import java.lang.reflect.Field;
import java.util.Map;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.raftlog.RaftLogBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shortens a Ratis server's close by about a second: wakes the Raft log's idle write thread once the
 * log is closed, instead of letting the close wait out that thread's poll.
 *
 * <p>Stopgap for Apache Ratis 3.3.0: {@code SegmentedRaftLogWorker} takes its tasks with a one-second
 * poll and, on close, clears its running flag and waits for its thread to end, so every close of an
 * idle server waits up to a second for that poll to time out (in tests and rolling restarts, a second
 * per node). Nothing is configurable there. This class interrupts the thread only when waking it loses
 * nothing: the log is closed (so no task can be queued any more), the worker's running flag is cleared
 * (so the interrupt ends its loop as a close would, without a warning), and the thread is parked in the
 * queue's poll (so no write or flush is under way that an interrupt could cut). Otherwise, or if a
 * later Ratis changes these internals (read by reflection; a failure is logged at debug and nothing
 * is done), the close takes the time it took before. Threads are known only by name: when two in this
 * JVM share the worker's name (two servers with the same member id, as tests may run), neither is woken.
 *
 * <p>Use: {@link #during} around {@code RaftServer.close()}; the waker thread ends when the close does,
 * or after {@value #GIVE_UP_MS} ms.
 */
final class IdleLogWorkerWaker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(IdleLogWorkerWaker.class);
    static final long GIVE_UP_MS = 3_000;
    private static final long CHECK_EVERY_MS = 2;
    private static final String POLL_CLASS = "org.apache.ratis.util.DataBlockingQueue";

    private final Thread thread;

    private IdleLogWorkerWaker(Thread thread) {
        this.thread = thread;
    }

    /**
     * Starts watching {@code division}'s log while its server closes; a no-op waker when the log is not
     * Ratis' segmented log or its internals are not as expected.
     */
    static IdleLogWorkerWaker during(RaftServer.Division division) {
        Worker worker = Worker.of(division);
        if (worker == null) {
            return new IdleLogWorkerWaker(null);
        }
        Thread waker = new Thread(() -> wakeWhenIdle(worker), "strand-raft-log-waker");
        waker.setDaemon(true);
        waker.start();
        return new IdleLogWorkerWaker(waker);
    }

    private static void wakeWhenIdle(Worker worker) {
        long deadline = System.nanoTime() + GIVE_UP_MS * 1_000_000;
        try {
            while (System.nanoTime() < deadline && !Thread.currentThread().isInterrupted()) {
                if (worker.wakeIfIdleAndClosed()) {
                    return;
                }
                Thread.sleep(CHECK_EVERY_MS);
            }
        } catch (InterruptedException e) {
            // the close is over
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.debug("Cannot wake the Raft log's write thread; the close waits for its poll", e);
        }
    }

    /** Stops watching (the close is over). */
    @Override
    public void close() {
        if (thread != null) {
            thread.interrupt();
        }
    }

    /** The segmented log's write thread, as far as this class needs it. */
    private record Worker(RaftLogBase raftLog, Object worker, Field running, String threadName) {

        static Worker of(RaftServer.Division division) {
            try {
                RaftLog raftLog = division.getRaftLog();
                if (!(raftLog instanceof RaftLogBase base)) {
                    return null;
                }
                Field workerField = raftLog.getClass().getDeclaredField("fileLogWorker");
                workerField.setAccessible(true);
                Object worker = workerField.get(raftLog);
                Field running = worker.getClass().getDeclaredField("running");
                running.setAccessible(true);
                Field name = worker.getClass().getDeclaredField("name");
                name.setAccessible(true);
                return new Worker(base, worker, running, (String) name.get(worker));
            } catch (ReflectiveOperationException | RuntimeException e) {
                log.debug("Raft log internals not as expected; closes wait for the log's poll", e);
                return null;
            }
        }

        /**
         * Interrupts the write thread if the log is closed, the worker stopping and the thread polling.
         * True when done with this worker: woken, or not ours to tell apart (another server in this JVM
         * has a write thread of the same name, as tests with two clusters can; each then waits its poll).
         */
        boolean wakeIfIdleAndClosed() throws ReflectiveOperationException {
            if (raftLog.isOpened() || running.getBoolean(worker)) {
                return false;
            }
            Thread found = null;
            StackTraceElement[] foundStack = null;
            for (Map.Entry<Thread, StackTraceElement[]> entry : Thread.getAllStackTraces().entrySet()) {
                if (entry.getKey().getName().startsWith(threadName)) {
                    if (found != null) {
                        return true;
                    }
                    found = entry.getKey();
                    foundStack = entry.getValue();
                }
            }
            if (found == null) {
                return true; // ended by itself
            }
            if (parkedInPoll(found, foundStack)) {
                found.interrupt();
                return true;
            }
            return false;
        }

        private static boolean parkedInPoll(Thread thread, StackTraceElement[] stack) {
            if (thread.getState() != Thread.State.TIMED_WAITING) {
                return false;
            }
            for (StackTraceElement frame : stack) {
                if (frame.getClassName().equals(POLL_CLASS) && frame.getMethodName().equals("poll")) {
                    return true;
                }
                if (frame.getClassName().startsWith("org.apache.ratis.server.raftlog.segmented.SegmentedRaftLogWorker$")
                        || frame.getMethodName().equals("execute")) {
                    return false; // running a task
                }
            }
            return false;
        }
    }
}
