package io.strand.storage.checkpoint;

import io.strand.storage.file.CorruptFileException;
import io.strand.storage.file.LogFileNames;
import io.strand.storage.file.StorageFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.Uuid;

/**
 * The {@code partition.metadata} file of a partition directory: which topic id the directory belongs
 * to, so a topic deleted and re-created under the same name is never confused with the old one.
 * Kafka's text format:
 * <pre>
 * version: 0
 * topic_id: AAAAAAAAAAAAAAAAAAAAAQ
 * </pre>
 * Written atomically when the directory is created. Stateless.
 */
public final class PartitionMetadataFile {

    private static final String VERSION_LINE = "version: 0";
    private static final String TOPIC_ID_PREFIX = "topic_id: ";

    private PartitionMetadataFile() {
    }

    public static void write(Path partitionDir, Uuid topicId) throws IOException {
        String text = VERSION_LINE + "\n" + TOPIC_ID_PREFIX + topicId + "\n";
        StorageFiles.writeAtomically(partitionDir.resolve(LogFileNames.PARTITION_METADATA),
                ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** The stored topic id; empty if there is no file. */
    public static Optional<Uuid> read(Path partitionDir) throws IOException {
        Path file = partitionDir.resolve(LogFileNames.PARTITION_METADATA);
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (lines.size() < 2 || !lines.get(0).trim().equals(VERSION_LINE)
                || !lines.get(1).startsWith(TOPIC_ID_PREFIX)) {
            throw new CorruptFileException(file, "lines=" + lines);
        }
        try {
            return Optional.of(Uuid.fromString(lines.get(1).substring(TOPIC_ID_PREFIX.length()).trim()));
        } catch (IllegalArgumentException e) {
            throw new CorruptFileException(file, "topicId=" + lines.get(1));
        }
    }
}
