package io.strand.storage.checkpoint;

import io.strand.common.DirectoryId;
import io.strand.storage.file.CorruptFileException;
import io.strand.storage.file.StorageFiles;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.common.Uuid;

/**
 * The {@code meta.properties} file at the top of a log directory (or the metadata directory): the
 * directory's id, a random {@link Uuid} written the first time the directory is used and kept for its
 * life, by which the broker registration, heartbeats and replica assignments name the directory
 * (Kafka's {@code directory.id}, KIP-858). Java properties text:
 * <pre>
 * version=1
 * directory.id=7Cq3bZ0MQWWq4wJiQ1Zt2g
 * </pre>
 * Other keys are kept as they are when the file is read. Written atomically. Stateless.
 */
public final class DirectoryMetaFile {

    public static final String FILE_NAME = "meta.properties";
    static final String VERSION_KEY = "version";
    static final String DIRECTORY_ID_KEY = "directory.id";
    static final String VERSION = "1";

    private DirectoryMetaFile() {
    }

    /**
     * The id stored in {@code dir}, or a new random one (never one of {@link DirectoryId}'s reserved
     * ids) written there first when the directory has none yet.
     *
     * @throws CorruptFileException if the file is there but its id cannot be read
     */
    public static Uuid loadOrCreate(Path dir) throws IOException {
        Optional<Uuid> stored = read(dir);
        if (stored.isPresent()) {
            return stored.get();
        }
        Uuid id = DirectoryId.random();
        String text = VERSION_KEY + "=" + VERSION + "\n" + DIRECTORY_ID_KEY + "=" + id + "\n";
        StorageFiles.writeAtomically(dir.resolve(FILE_NAME), ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
        return id;
    }

    /** The stored id; empty if there is no file or it has no {@code directory.id}. */
    public static Optional<Uuid> read(Path dir) throws IOException {
        Path file = dir.resolve(FILE_NAME);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        Properties properties = new Properties();
        properties.load(new StringReader(text));
        String value = properties.getProperty(DIRECTORY_ID_KEY);
        if (value == null) {
            return Optional.empty();
        }
        try {
            Uuid id = Uuid.fromString(value.trim());
            if (DirectoryId.reserved(id)) {
                throw new CorruptFileException(file, "reserved directory.id=" + value);
            }
            return Optional.of(id);
        } catch (IllegalArgumentException e) {
            throw new CorruptFileException(file, "directory.id=" + value);
        }
    }
}
