package io.strand.storage.checkpoint;

import io.strand.storage.file.CorruptFileException;
import io.strand.storage.file.StorageFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A small text checkpoint in Kafka's format, replaced atomically (see
 * {@link StorageFiles#writeAtomically}). Stateless.
 *
 * <pre>
 * line 0      version          "0"
 * line 1      entry count      "2"
 * line 2..    one entry a line  fields separated by one space, e.g. "my-topic 0 1234"
 * </pre>
 *
 * A crash leaves the previous complete version; a file that does not follow the format is reported
 * with a {@link CorruptFileException}.
 */
public final class CheckpointFile {

    static final int VERSION = 0;

    private CheckpointFile() {
    }

    public static void write(Path file, List<String> entries) throws IOException {
        StringBuilder sb = new StringBuilder().append(VERSION).append('\n').append(entries.size()).append('\n');
        for (String entry : entries) {
            sb.append(entry).append('\n');
        }
        StorageFiles.writeAtomically(file, ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /** The entries, each split into its fields; empty if the file does not exist. */
    public static Optional<List<String[]>> read(Path file, int fieldsPerEntry) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (lines.size() < 2) {
            throw new CorruptFileException(file, "lines=" + lines.size() + " expected at least 2");
        }
        if (!lines.get(0).trim().equals(Integer.toString(VERSION))) {
            throw new CorruptFileException(file, "version=" + lines.get(0) + " expected=" + VERSION);
        }
        int count;
        try {
            count = Integer.parseInt(lines.get(1).trim());
        } catch (NumberFormatException e) {
            throw new CorruptFileException(file, "count=" + lines.get(1));
        }
        if (count < 0 || lines.size() - 2 < count) {
            throw new CorruptFileException(file, "count=" + count + " lines=" + (lines.size() - 2));
        }
        List<String[]> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String[] fields = lines.get(i + 2).trim().split(" ");
            if (fields.length != fieldsPerEntry) {
                throw new CorruptFileException(file, "line=" + (i + 2) + " fields=" + fields.length
                        + " expected=" + fieldsPerEntry);
            }
            entries.add(fields);
        }
        return Optional.of(entries);
    }
}
