package io.strand.metadata.sim;

import io.strand.metadata.image.MetadataDelta;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.record.MetadataRecord;
import io.strand.metadata.record.MetadataRecordSerde;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A node's durable snapshot: the image as of log {@code offset}, as the records that rebuild it
 * ({@link MetadataImage#toRecords()}) in one {@link MetadataRecordSerde} batch, the content of a
 * snapshot file. Never mutated once made.
 */
record Snapshot(long offset, byte[] batch) {

    static Snapshot of(long offset, List<MetadataRecord> records) {
        return new Snapshot(offset, MetadataRecordSerde.serializeBatch(records));
    }

    /** Loads the snapshot over {@code current}, as a restart (current = EMPTY) or an install does. */
    MetadataImage loadOver(MetadataImage current) {
        MetadataDelta delta = MetadataDelta.replacing(current);
        delta.replayAll(MetadataRecordSerde.deserializeBatch(ByteBuffer.wrap(batch).asReadOnlyBuffer()));
        return delta.apply(offset);
    }

    @Override
    public String toString() {
        return "Snapshot(offset=" + offset + ", bytes=" + batch.length + ")";
    }
}
