package io.strand.broker;

import io.strand.storage.LogDirFailureChannel;
import io.strand.storage.LogManager;
import java.nio.file.Path;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one handler of failed log directories (Kafka's {@code LogDirFailureHandler}): drains the log
 * manager's {@link LogDirFailureChannel} on its own thread, {@code strand-log-dir-failure-handler}, and
 * for each failed directory has the log manager close its logs without writing to them again.
 *
 * <p>Stopgap until a broker can keep serving with some of its {@code log.dirs} offline (directory ids,
 * {@code OfflineLogDirs} in the broker heartbeat, the controller moving the directory's partitions
 * away): any failed directory halts the node, as Kafka in KRaft mode did before 3.7. A halt is what a
 * node with no directory left must do in any case: no controlled shutdown is possible, the controller
 * fences the node when its heartbeats stop and moves its leaderships, and the next start recovers the
 * logs from what is on disk.
 *
 * <p><b>Threads.</b> Its thread is the only caller of {@link LogManager#handleLogDirFailure}. It may
 * block on the log manager's monitor. {@link #close()} stops it and waits for it.
 */
final class LogDirFailureHandler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LogDirFailureHandler.class);
    private static final long POLL_MS = 200L;

    /** Ends the process at once: no shutdown hooks, no flushes, no checkpoints. */
    @FunctionalInterface
    interface Halt {
        void halt(int status);

        /** The JVM's {@link Runtime#halt}. */
        Halt RUNTIME = status -> Runtime.getRuntime().halt(status);
    }

    private final LogManager logManager;
    private final Halt halt;
    private final Thread thread;
    private volatile boolean running = true;

    LogDirFailureHandler(LogManager logManager, Halt halt) {
        this.logManager = logManager;
        this.halt = halt;
        this.thread = new Thread(this::run, "strand-log-dir-failure-handler");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void run() {
        LogDirFailureChannel channel = logManager.logDirFailureChannel();
        try {
            while (running) {
                Path dir = channel.pollNextOfflineLogDir(POLL_MS);
                if (dir != null) {
                    onLogDirFailure(dir);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Closes the directory's logs, then halts: see the class doc for why every failure halts for now. */
    void onLogDirFailure(Path dir) {
        Set<TopicPartition> offline = Set.of();
        try {
            offline = logManager.handleLogDirFailure(dir);
        } catch (RuntimeException e) {
            LOG.error("Closing the logs of failed log directory dir={} failed", dir, e);
        }
        int online = logManager.onlineLogDirs().size();
        LOG.error("FATAL: halting the node: log directory dir={} is offline (offlinePartitions={}, onlineDirs={});"
                + " a node cannot yet serve with one of its log.dirs offline", dir, offline.size(), online);
        halt.halt(1);
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(10_000L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
