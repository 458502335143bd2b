package io.strand.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the storage property tests put the directories of their tries: on a memory filesystem
 * ({@code /dev/shm}) where the machine has one, else in the default temporary directory.
 *
 * <p>Those tests run hundreds of tries, each of which opens, restarts and "kills" a log manager whose
 * checkpoints and markers are written with fsync. Their crashes are simulated in-process (the files as
 * the process left them, page cache included), so durability takes no part in what they check, and on
 * a disk the fsyncs were most of their time; on a memory filesystem an fsync returns at once. Each test
 * deletes its directories after every try. Stateless.
 */
public final class PropertyTestDirs {

    private static final Path MEMORY = Path.of("/dev/shm");

    private PropertyTestDirs() {
    }

    /** A new empty directory named {@code prefix...}, on the memory filesystem if there is one. */
    public static Path create(String prefix) throws IOException {
        if (Files.isDirectory(MEMORY) && Files.isWritable(MEMORY)) {
            try {
                return Files.createTempDirectory(MEMORY, prefix);
            } catch (IOException e) {
                // not usable after all (a read-only or full mount): the default place does
            }
        }
        return Files.createTempDirectory(prefix);
    }
}
