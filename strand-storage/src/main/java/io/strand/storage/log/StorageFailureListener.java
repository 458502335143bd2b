package io.strand.storage.log;

import java.nio.file.Path;

/**
 * Told when a file operation of a log failed with an I/O error ({@code IOException}, or the
 * {@code InternalError} the JVM raises when a memory-mapped index page cannot be backed, as on a full
 * disk). The log dir as a whole is then suspect: the listener takes it offline. Called on the thread
 * whose operation failed, possibly with the log's locks held, so it must only record the failure and
 * return (see {@link io.strand.storage.LogDirFailureChannel}).
 */
@FunctionalInterface
public interface StorageFailureListener {

    /**
     * @param logDir the log directory (an entry of {@code log.dirs}) holding the failed file
     * @param message what failed, with its context ({@code partition=…})
     * @param cause the I/O error
     */
    void onStorageFailure(Path logDir, String message, Throwable cause);
}
