package io.strand.storage.file;

import java.nio.file.Path;

/**
 * A storage file (index, checkpoint, producer snapshot, partition metadata) whose bytes do not make
 * sense. Internal: the loader answers it by rebuilding or ignoring the file, never by failing a
 * client request. The message names the file and what was wrong, as {@code key=value} pairs.
 */
public final class CorruptFileException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public CorruptFileException(Path file, String reason) {
        super("Corrupt file=" + file + " reason=" + reason);
    }
}
