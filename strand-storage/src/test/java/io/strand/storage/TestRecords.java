package io.strand.storage;

import io.strand.storage.log.PartitionLog;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.record.internal.SimpleRecord;

/** Builds record batches the way producers send them, and reads back what a log returns. */
public final class TestRecords {

    private TestRecords() {
    }

    /** One uncompressed batch of keyed records, all with {@code timestampMs}. */
    public static MemoryRecords batch(long timestampMs, String... values) {
        return batch(CompressionType.NONE, timestampMs, values);
    }

    public static MemoryRecords batch(CompressionType compression, long timestampMs, String... values) {
        return MemoryRecords.withRecords(Compression.of(compression).build(), simple(timestampMs, values));
    }

    public static MemoryRecords idempotent(long producerId, short epoch, int baseSequence, long timestampMs, String... values) {
        return MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, epoch, baseSequence,
                simple(timestampMs, values));
    }

    public static SimpleRecord[] simple(long timestampMs, String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = new SimpleRecord(timestampMs, ("k-" + values[i]).getBytes(StandardCharsets.UTF_8),
                    values[i].getBytes(StandardCharsets.UTF_8));
        }
        return records;
    }

    /** Values of the complete records in {@code records}, in order. */
    public static List<String> values(Records records) {
        List<String> out = new ArrayList<>();
        for (RecordBatch batch : records.batches()) {
            for (Record r : batch) {
                out.add(string(r.value()));
            }
        }
        return out;
    }

    /** Offsets of the complete records in {@code records}, in order. */
    public static List<Long> offsets(Records records) {
        List<Long> out = new ArrayList<>();
        for (RecordBatch batch : records.batches()) {
            for (Record r : batch) {
                out.add(r.offset());
            }
        }
        return out;
    }

    /** Reads the whole log (up to its end), batch by batch. */
    public static Map<Long, String> readAll(PartitionLog log) {
        Map<Long, String> out = new HashMap<>();
        long offset = log.logStartOffset();
        while (offset < log.logEndOffset()) {
            Records r = log.read(offset, Integer.MAX_VALUE, Long.MAX_VALUE, true).records();
            long next = offset;
            for (RecordBatch batch : r.batches()) {
                for (Record rec : batch) {
                    if (rec.offset() >= offset) {
                        out.put(rec.offset(), string(rec.value()));
                    }
                }
                next = batch.nextOffset();
            }
            if (next == offset) {
                throw new AssertionError("No progress reading at offset=" + offset + " of " + log);
            }
            offset = next;
        }
        return out;
    }

    public static String string(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
