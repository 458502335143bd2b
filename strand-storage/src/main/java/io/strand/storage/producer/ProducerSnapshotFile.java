package io.strand.storage.producer;

import io.strand.storage.file.CorruptFileException;
import io.strand.storage.file.StorageFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.zip.CRC32C;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * A producer-state snapshot, {@code <offset>.snapshot}: the state of every producer after all
 * batches below {@code offset}. Written atomically on roll and clean shutdown; a snapshot that fails
 * its CRC is reported with {@link CorruptFileException} and skipped by the loader. Stateless.
 *
 * <p>Layout (big-endian), version 2:
 * <pre>
 * header
 *   offset  size  field
 *   0       2     version                 2
 *   2       4     crc                     CRC32C of every byte from offset 6 to the end
 *   6       4     producerCount
 * producer (producerCount times)
 *   0       8     producerId
 *   8       2     producerEpoch
 *   10      4     coordinatorEpoch        -1 when none
 *   14      8     currentTxnFirstOffset   -1 when no transaction is open
 *   22      8     lastTimestampMs         of the last batch or marker, -1 when none
 *   30      1     batchCount              0..5
 *   31            batches (batchCount times, oldest first)
 *                   0   4  firstSequence
 *                   4   4  lastSequence
 *                   8   8  lastOffset
 *                   16  4  offsetDelta    lastOffset - firstOffset
 *                   20  8  timestampMs
 * </pre>
 * Version 1 (written before transactions were stored) lacks {@code lastTimestampMs}: read, it is the
 * last batch's timestamp. Only version 2 is written.
 */
final class ProducerSnapshotFile {

    static final short VERSION = 2;
    static final short VERSION_WITHOUT_LAST_TIMESTAMP = 1;
    static final int VERSION_OFFSET = 0;
    static final int CRC_OFFSET = 2;
    static final int PRODUCER_COUNT_OFFSET = 6;
    static final int HEADER_BYTES = 10;
    static final int PRODUCER_FIXED_BYTES = 31;
    static final int BATCH_BYTES = 28;

    private ProducerSnapshotFile() {
    }

    static void write(Path file, Collection<ProducerEntry> producers) throws IOException {
        int size = HEADER_BYTES;
        for (ProducerEntry p : producers) {
            size += PRODUCER_FIXED_BYTES + p.batches().size() * BATCH_BYTES;
        }
        ByteBuffer buf = ByteBuffer.allocate(size);
        buf.putShort(VERSION_OFFSET, VERSION);
        buf.putInt(PRODUCER_COUNT_OFFSET, producers.size());
        buf.position(HEADER_BYTES);
        for (ProducerEntry p : producers) {
            Collection<ProducerEntry.BatchMetadata> batches = p.batches();
            buf.putLong(p.producerId()).putShort(p.producerEpoch()).putInt(p.coordinatorEpoch())
                    .putLong(p.currentTxnFirstOffset()).putLong(p.lastTimestampMs()).put((byte) batches.size());
            for (ProducerEntry.BatchMetadata b : batches) {
                buf.putInt(b.firstSequence()).putInt(b.lastSequence()).putLong(b.lastOffset())
                        .putInt((int) (b.lastOffset() - b.firstOffset())).putLong(b.timestampMs());
            }
        }
        buf.putInt(CRC_OFFSET, (int) crc(buf, PRODUCER_COUNT_OFFSET, size - PRODUCER_COUNT_OFFSET));
        buf.flip();
        StorageFiles.writeAtomically(file, buf);
    }

    static List<ProducerEntry> read(Path file) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file));
        short version = buf.remaining() < HEADER_BYTES ? -1 : buf.getShort(VERSION_OFFSET);
        if (version != VERSION && version != VERSION_WITHOUT_LAST_TIMESTAMP) {
            throw new CorruptFileException(file, "bytes=" + buf.remaining() + " version=" + version
                    + " not a version " + VERSION_WITHOUT_LAST_TIMESTAMP + " or " + VERSION + " snapshot");
        }
        long expectedCrc = Integer.toUnsignedLong(buf.getInt(CRC_OFFSET));
        long actualCrc = crc(buf, PRODUCER_COUNT_OFFSET, buf.limit() - PRODUCER_COUNT_OFFSET);
        if (expectedCrc != actualCrc) {
            throw new CorruptFileException(file, "crc=" + actualCrc + " expected=" + expectedCrc);
        }
        int count = buf.getInt(PRODUCER_COUNT_OFFSET);
        List<ProducerEntry> producers = new ArrayList<>(Math.max(0, count));
        buf.position(HEADER_BYTES);
        try {
            for (int i = 0; i < count; i++) {
                ProducerEntry p = new ProducerEntry(buf.getLong(), buf.getShort());
                p.setTransactionState(buf.getInt(), buf.getLong());
                long lastTimestampMs = version == VERSION ? buf.getLong() : RecordBatch.NO_TIMESTAMP;
                int batches = buf.get();
                for (int b = 0; b < batches; b++) {
                    int firstSeq = buf.getInt();
                    int lastSeq = buf.getInt();
                    long lastOffset = buf.getLong();
                    int delta = buf.getInt();
                    long ts = buf.getLong();
                    p.addBatch(p.producerEpoch(),
                            new ProducerEntry.BatchMetadata(firstSeq, lastSeq, lastOffset - delta, lastOffset, ts));
                }
                if (version == VERSION) {
                    p.setLastTimestampMs(lastTimestampMs);
                }
                producers.add(p);
            }
        } catch (RuntimeException e) {
            throw new CorruptFileException(file, "truncated entries: " + e);
        }
        return producers;
    }

    private static long crc(ByteBuffer buf, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(buf.duplicate().position(offset).limit(offset + length));
        return crc.getValue();
    }
}
