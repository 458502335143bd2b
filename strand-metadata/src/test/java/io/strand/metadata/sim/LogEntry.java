package io.strand.metadata.sim;

import io.strand.metadata.record.MetadataRecord;
import io.strand.metadata.record.MetadataRecordSerde;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * One committed entry of the simulated metadata log: its offset (1, 2, 3 ...), the epoch of the
 * leader that wrote it, and its records as one {@link MetadataRecordSerde} batch, the bytes a
 * Ratis log entry carries. Never mutated once made.
 */
record LogEntry(long offset, int epoch, byte[] batch) {

    List<MetadataRecord> records() {
        return MetadataRecordSerde.deserializeBatch(ByteBuffer.wrap(batch).asReadOnlyBuffer());
    }

    boolean sameAs(LogEntry other) {
        return other != null && offset == other.offset && epoch == other.epoch && Arrays.equals(batch, other.batch);
    }

    @Override
    public String toString() {
        return "LogEntry(offset=" + offset + ", epoch=" + epoch + ", bytes=" + batch.length + ")";
    }
}
