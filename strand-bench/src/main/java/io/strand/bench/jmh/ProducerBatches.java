package io.strand.bench.jmh;

import java.nio.ByteBuffer;
import java.util.Random;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Builds record batches as a producer sends them: magic v2, base offset 0, no partition leader epoch,
 * CreateTime timestamps of "now", no key, no producer id, values of random upper-case letters (like
 * kafka-tools' ProducerPerformance payloads, so lz4 finds little to squeeze). The batch holds as many
 * {@code recordBytes}-byte values as fit in {@code batchBytes} uncompressed; a compressed batch holds
 * the same records, so its bytes on the wire are fewer. Stateless apart from the injected {@link Random}.
 */
final class ProducerBatches {

    /** Where the v2 batch header holds the base offset (8 bytes) and the partition leader epoch (4 bytes). */
    static final int BASE_OFFSET_OFFSET = 0;
    static final int PARTITION_LEADER_EPOCH_OFFSET = 12;

    private static final Header[] NO_HEADERS = new Header[0];

    private ProducerBatches() {
    }

    /** {@code none}, {@code gzip}, {@code snappy}, {@code lz4} or {@code zstd}. */
    static MemoryRecords build(int batchBytes, int recordBytes, String compression, long timestampMs, Random random) {
        byte[] letters = new byte[batchBytes + recordBytes];
        for (int i = 0; i < letters.length; i++) {
            letters[i] = (byte) ('A' + random.nextInt(26));
        }
        int count = recordsThatFit(batchBytes, recordBytes, letters, timestampMs);
        MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(batchBytes + 1024),
                Compression.of(CompressionType.forName(compression)).build(), TimestampType.CREATE_TIME, 0L);
        for (int i = 0; i < count; i++) {
            builder.append(timestampMs, null, valueAt(letters, i, recordBytes));
        }
        return builder.build();
    }

    private static int recordsThatFit(int batchBytes, int recordBytes, byte[] letters, long timestampMs) {
        MemoryRecordsBuilder sizing = MemoryRecords.builder(ByteBuffer.allocate(batchBytes), Compression.NONE,
                TimestampType.CREATE_TIME, 0L);
        int count = 0;
        while (sizing.hasRoomFor(timestampMs, null, valueAt(letters, count, recordBytes), NO_HEADERS)) {
            sizing.append(timestampMs, null, valueAt(letters, count, recordBytes));
            count++;
        }
        if (count == 0) {
            throw new IllegalArgumentException("No record of recordBytes=" + recordBytes + " fits batchBytes=" + batchBytes);
        }
        return count;
    }

    /**
     * The record's own stretch of the letters: records of one batch do not overlap (they fit in
     * {@code batchBytes}), so a codec finds no repeats between them.
     */
    private static byte[] valueAt(byte[] letters, int index, int recordBytes) {
        byte[] value = new byte[recordBytes];
        int from = (int) ((long) index * recordBytes % (letters.length - recordBytes));
        System.arraycopy(letters, from, value, 0, recordBytes);
        return value;
    }

    /** Undoes what an append as leader rewrites in place (base offset, leader epoch): CRC does not cover them. */
    static void resetToProducerHeader(ByteBuffer batch) {
        batch.putLong(batch.position() + BASE_OFFSET_OFFSET, 0L);
        batch.putInt(batch.position() + PARTITION_LEADER_EPOCH_OFFSET,
                RecordBatch.NO_PARTITION_LEADER_EPOCH);
    }
}
