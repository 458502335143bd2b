package io.strand.storage;

import io.strand.storage.log.StorageFailureListener;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where every component that meets an I/O error in a log directory reports it (Kafka's
 * {@code LogDirFailureChannel}). Each directory is queued once, at its first failure, with one ERROR
 * line naming the directory and the cause; later failures in the same directory are logged at debug
 * level only. One handler drains the queue with {@link #pollNextOfflineLogDir} and is the only one to
 * act on a failed directory (close its logs, stop its partitions, or halt the node).
 *
 * <p><b>Threads.</b> Thread-safe; {@link #onStorageFailure} never blocks, so it may be called with a
 * log's locks held, from a request, fetcher or background thread.
 */
public final class LogDirFailureChannel implements StorageFailureListener {

    private static final Logger LOG = LoggerFactory.getLogger(LogDirFailureChannel.class);

    private final Set<Path> offlineLogDirs = ConcurrentHashMap.newKeySet();
    private final BlockingQueue<Path> pending = new LinkedBlockingQueue<>();

    @Override
    public void onStorageFailure(Path logDir, String message, Throwable cause) {
        if (offlineLogDirs.add(logDir)) {
            LOG.error("Log directory failed, taking it offline: dir={} reason={}", logDir, message, cause);
            pending.add(logDir);
        } else {
            LOG.debug("Another failure in offline log directory: dir={} reason={}", logDir, message, cause);
        }
    }

    /** Whether {@code logDir} failed (it stays failed until the process restarts). */
    public boolean hasOfflineLogDir(Path logDir) {
        return offlineLogDirs.contains(logDir);
    }

    /** The failed directories so far (a snapshot). */
    public Set<Path> offlineLogDirs() {
        return Set.copyOf(offlineLogDirs);
    }

    /** For the one handler: waits up to {@code timeoutMs} for the next directory that failed, else null. */
    public Path pollNextOfflineLogDir(long timeoutMs) throws InterruptedException {
        return pending.poll(timeoutMs, TimeUnit.MILLISECONDS);
    }
}
