package io.strand.broker;

import io.strand.storage.LogDirFailureChannel;
import io.strand.storage.LogManager;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one handler of failed log directories (Kafka's {@code LogDirFailureHandler}): drains the log
 * manager's {@link LogDirFailureChannel} on its own thread, {@code strand-log-dir-failure-handler}, and
 * for each failed directory has the log manager close its logs without writing to them again.
 *
 * <p>Then, as Kafka does since 3.7 (KIP-858): while another log directory is online, the node keeps
 * serving: the {@link Listener} (the broker) takes the directory's partitions out of service and
 * names the directory in its next heartbeat, and the controller moves their leaderships and ISR
 * places to other replicas. The node halts (FATAL line, exit 1) when no log directory is left online,
 * or when the failed directory is the metadata log directory ({@code metadata.log.dir}, by default
 * the first log directory): no controlled shutdown is possible then, the controller fences the node
 * when its heartbeats stop and moves its leaderships, and the next start recovers the logs from what
 * is on disk.
 *
 * <p><b>Threads.</b> Its thread is the only caller of {@link LogManager#handleLogDirFailure} and of the
 * listener. It may block on the log manager's monitor and in the listener. {@link #close()} stops it
 * and waits for it.
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

    /** Told of each directory taken offline while the node keeps serving. */
    @FunctionalInterface
    interface Listener {
        /**
         * @param directoryId the directory's id, if the log manager knows it
         * @param partitions  the partitions whose logs were in it, opened or not
         */
        void onLogDirOffline(Path dir, Optional<Uuid> directoryId, Set<TopicPartition> partitions);
    }

    private final LogManager logManager;
    private final Path metadataLogDir;
    private final Halt halt;
    private final Thread thread;
    private volatile Listener listener = (dir, id, partitions) -> { };
    private volatile boolean running = true;

    /**
     * @param metadataLogDir the directory holding the metadata log ({@code metadata.log.dir}); its
     *                       failure halts the node
     */
    LogDirFailureHandler(LogManager logManager, Path metadataLogDir, Halt halt) {
        this.logManager = logManager;
        this.metadataLogDir = metadataLogDir.toAbsolutePath().normalize();
        this.halt = halt;
        this.thread = new Thread(this::run, "strand-log-dir-failure-handler");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Replaces the listener (the broker, once it serves). */
    void setListener(Listener listener) {
        this.listener = listener;
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

    /** Closes the directory's logs, then hands its partitions to the listener, or halts: see the class doc. */
    void onLogDirFailure(Path dir) {
        Optional<Uuid> directoryId = Optional.ofNullable(logManager.directoryIds().get(dir));
        Set<TopicPartition> offline = Set.of();
        try {
            offline = logManager.handleLogDirFailure(dir);
        } catch (RuntimeException e) {
            LOG.error("Closing the logs of failed log directory dir={} failed", dir, e);
        }
        int online = logManager.onlineLogDirs().size();
        if (online == 0) {
            LOG.error("FATAL: halting the node: log directory dir={} is offline and no log directory is left online"
                    + " (offlinePartitions={})", dir, offline.size());
            halt.halt(1);
            return;
        }
        if (dir.toAbsolutePath().normalize().equals(metadataLogDir)) {
            LOG.error("FATAL: halting the node: the metadata log directory dir={} is offline (offlinePartitions={},"
                    + " onlineDirs={})", dir, offline.size(), online);
            halt.halt(1);
            return;
        }
        LOG.error("Log directory dir={} directoryId={} is offline; serving on with onlineDirs={}: offlinePartitions={}",
                dir, directoryId.map(Uuid::toString).orElse("unknown"), online, offline);
        try {
            listener.onLogDirOffline(dir, directoryId, offline);
        } catch (RuntimeException e) {
            LOG.error("Taking the partitions of failed log directory dir={} offline failed", dir, e);
        }
    }

    /**
     * Halts the node for a reason found elsewhere (the controller never acknowledged a failed directory
     * within {@code log.dir.failure.timeout.ms}): a FATAL line, then exit 1.
     */
    void haltNode(String why) {
        LOG.error("FATAL: halting the node: {}", why);
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
