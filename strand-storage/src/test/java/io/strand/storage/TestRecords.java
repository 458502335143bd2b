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
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
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

    /** A transactional producer's batch as it sends it. */
    public static MemoryRecords transactional(long producerId, short epoch, int baseSequence, long timestampMs,
            String... values) {
        return MemoryRecords.withTransactionalRecords(Compression.NONE, producerId, epoch, baseSequence,
                simple(timestampMs, values));
    }

    /** A transactional producer's batch as a leader stored it (see {@link #replicated}). */
    public static MemoryRecords replicatedTransactional(long baseOffset, int leaderEpoch, long producerId,
            short producerEpoch, int baseSequence, long timestampMs, String... values) {
        MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(1024), RecordBatch.CURRENT_MAGIC_VALUE,
                Compression.NONE, TimestampType.CREATE_TIME, baseOffset, RecordBatch.NO_TIMESTAMP, producerId,
                producerEpoch, baseSequence, true, leaderEpoch);
        for (SimpleRecord r : simple(timestampMs, values)) {
            builder.append(r);
        }
        return builder.build();
    }

    /** A commit or abort marker as a leader stored it at {@code offset}. */
    public static MemoryRecords replicatedMarker(long offset, int leaderEpoch, long producerId, short producerEpoch,
            int coordinatorEpoch, boolean commit, long timestampMs) {
        return MemoryRecords.withEndTransactionMarker(offset, timestampMs, leaderEpoch, producerId, producerEpoch,
                new EndTransactionMarker(commit ? ControlRecordType.COMMIT : ControlRecordType.ABORT, coordinatorEpoch));
    }

    /** A batch as a leader stored it: offsets from {@code baseOffset}, stamped with {@code leaderEpoch}. */
    public static MemoryRecords replicated(long baseOffset, int leaderEpoch, long timestampMs, String... values) {
        return replicatedIdempotent(baseOffset, leaderEpoch, RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH,
                RecordBatch.NO_SEQUENCE, timestampMs, values);
    }

    /** An idempotent producer's batch as a leader stored it (see {@link #replicated}). */
    public static MemoryRecords replicatedIdempotent(long baseOffset, int leaderEpoch, long producerId,
            short producerEpoch, int baseSequence, long timestampMs, String... values) {
        MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(1024), RecordBatch.CURRENT_MAGIC_VALUE,
                Compression.NONE, TimestampType.CREATE_TIME, baseOffset, RecordBatch.NO_TIMESTAMP, producerId,
                producerEpoch, baseSequence, false, leaderEpoch);
        for (SimpleRecord r : simple(timestampMs, values)) {
            builder.append(r);
        }
        return builder.build();
    }

    /** The batches of {@code parts}, one after the other, as one fetch answer holds them. */
    public static MemoryRecords concat(MemoryRecords... parts) {
        int size = 0;
        for (MemoryRecords p : parts) {
            size += p.sizeInBytes();
        }
        ByteBuffer buf = ByteBuffer.allocate(size);
        for (MemoryRecords p : parts) {
            buf.put(p.buffer().duplicate());
        }
        return MemoryRecords.readableRecords(buf.flip());
    }

    /** A copy of {@code records} as bytes in memory (what a fetch answer carries). */
    public static MemoryRecords copy(Records records) {
        ByteBuffer buf = ByteBuffer.allocate(records.sizeInBytes());
        if (records instanceof FileRecords f) {
            try {
                f.readInto(buf, 0); // reads from the slice's start and flips
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        } else {
            buf.put(((MemoryRecords) records).buffer().duplicate()).flip();
        }
        return MemoryRecords.readableRecords(buf);
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
