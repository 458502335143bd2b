package io.strand.metadata.quorum;

import io.strand.metadata.image.MetadataDelta;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.record.MetadataFormatException;
import io.strand.metadata.record.MetadataRecord;
import io.strand.metadata.record.MetadataRecordSerde;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Reads and writes one metadata snapshot file: a whole {@link MetadataImage} as the records that
 * rebuild it ({@link MetadataImage#toRecords()}). Stateless.
 *
 * <pre>
 * | offset                     | size | field                                             |
 * |----------------------------|------|---------------------------------------------------|
 * | MAGIC_OFFSET = 0           | 4    | MAGIC, "SMSN"                                     |
 * | VERSION_OFFSET = 4         | 2    | format version, currently 0                       |
 * | APPLIED_OFFSET_OFFSET = 6  | 8    | the image's appliedOffset                         |
 * | BATCH_LENGTH_OFFSET = 14   | 4    | length N of the batch                             |
 * | BATCH_OFFSET = 18          | N    | the records, as a {@link MetadataRecordSerde} batch|
 * | 18 + N                     | 4    | CRC32C of bytes [0, 18 + N)                        |
 * </pre>
 *
 * <p>Crash safety: the file is written under a temporary name, forced to disk and then renamed,
 * so a snapshot file either is complete or does not exist under its final name. A file that fails
 * its checks is refused with {@link MetadataFormatException}.
 */
final class SnapshotFile {

    static final int MAGIC = 0x534D534E;
    static final short VERSION = 0;
    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 4;
    static final int APPLIED_OFFSET_OFFSET = 6;
    static final int BATCH_LENGTH_OFFSET = 14;
    static final int BATCH_OFFSET = 18;
    static final int CRC_BYTES = 4;

    private SnapshotFile() {
    }

    static void write(Path file, MetadataImage image) throws IOException {
        byte[] batch = MetadataRecordSerde.serializeBatch(image.toRecords());
        ByteBuffer buffer = ByteBuffer.allocate(BATCH_OFFSET + batch.length + CRC_BYTES);
        buffer.putInt(MAGIC_OFFSET, MAGIC);
        buffer.putShort(VERSION_OFFSET, VERSION);
        buffer.putLong(APPLIED_OFFSET_OFFSET, image.appliedOffset());
        buffer.putInt(BATCH_LENGTH_OFFSET, batch.length);
        buffer.position(BATCH_OFFSET);
        buffer.put(batch);
        CRC32C crc = new CRC32C();
        crc.update(buffer.array(), 0, BATCH_OFFSET + batch.length);
        buffer.putInt((int) crc.getValue());
        buffer.flip();

        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** What a snapshot file holds: the records of an image and the image's applied offset. */
    record Contents(long appliedOffset, List<MetadataRecord> records) {
        /** Loads these contents over {@code current}: the delta reports what changed. */
        MetadataDelta replacing(MetadataImage current) {
            MetadataDelta delta = MetadataDelta.replacing(current);
            delta.replayAll(records);
            delta.apply(appliedOffset);
            return delta;
        }
    }

    static Contents read(Path file) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(Files.readAllBytes(file));
        if (buffer.limit() < BATCH_OFFSET + CRC_BYTES) {
            throw new MetadataFormatException("Snapshot too short: file=" + file + " bytes=" + buffer.limit());
        }
        int magic = buffer.getInt(MAGIC_OFFSET);
        short version = buffer.getShort(VERSION_OFFSET);
        if (magic != MAGIC || version != VERSION) {
            throw new MetadataFormatException("Not a snapshot this version reads: file=" + file
                    + " magic=" + Integer.toHexString(magic) + " version=" + version);
        }
        int batchLength = buffer.getInt(BATCH_LENGTH_OFFSET);
        if (batchLength < 0 || BATCH_OFFSET + batchLength + CRC_BYTES != buffer.limit()) {
            throw new MetadataFormatException("Snapshot length mismatch: file=" + file + " batchLength="
                    + batchLength + " bytes=" + buffer.limit());
        }
        CRC32C crc = new CRC32C();
        crc.update(buffer.array(), 0, BATCH_OFFSET + batchLength);
        int expected = buffer.getInt(BATCH_OFFSET + batchLength);
        if ((int) crc.getValue() != expected) {
            throw new MetadataFormatException("Snapshot checksum mismatch: file=" + file + " expected="
                    + Integer.toHexString(expected) + " actual=" + Integer.toHexString((int) crc.getValue()));
        }
        long appliedOffset = buffer.getLong(APPLIED_OFFSET_OFFSET);
        ByteBuffer batch = buffer.slice(BATCH_OFFSET, batchLength);
        return new Contents(appliedOffset, MetadataRecordSerde.deserializeBatch(batch));
    }
}
