package io.strand.storage.cleaner;

import io.strand.storage.LogFixture;
import io.strand.storage.TestRecords;
import io.strand.storage.log.LogConfig;
import io.strand.storage.log.PartitionLog;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.record.internal.SimpleRecord;

/** Keyed records for compaction tests, and what a compacted log should hold. */
final class Compacted {

    /** One record as read back: offset, key, value (null for a tombstone). */
    record Entry(long offset, String key, String value) {
    }

    private Compacted() {
    }

    /** A compacted topic with small segments, the rest at Kafka's defaults. */
    static LogConfig config(Object... more) {
        Object[] base = {"cleanup.policy", "compact", "segment.bytes", 1024, "min.cleanable.dirty.ratio", 0.01};
        Object[] all = new Object[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return LogFixture.config(all);
    }

    /** Appends one batch of {@code key=value} pairs ("k" alone is a tombstone) and moves the high watermark. */
    static void append(PartitionLog log, CompressionType compression, long timestampMs, String... pairs) {
        SimpleRecord[] records = new SimpleRecord[pairs.length];
        for (int i = 0; i < pairs.length; i++) {
            String[] kv = pairs[i].split("=", 2);
            records[i] = new SimpleRecord(timestampMs, kv[0].getBytes(StandardCharsets.UTF_8),
                    kv.length == 2 ? kv[1].getBytes(StandardCharsets.UTF_8) : null);
        }
        log.appendAsLeader(MemoryRecords.withRecords(Compression.of(compression).build(), records), 0);
        log.updateHighWatermark(log.logEndOffset());
    }

    /** Every record in the log, in offset order. */
    static List<Entry> readAll(PartitionLog log) {
        List<Entry> out = new ArrayList<>();
        long offset = log.logStartOffset();
        while (offset < log.logEndOffset()) {
            Records r = log.read(offset, Integer.MAX_VALUE, Long.MAX_VALUE, true).records();
            long next = offset;
            for (RecordBatch batch : r.batches()) {
                for (Record rec : batch) {
                    if (rec.offset() >= offset && !batch.isControlBatch()) {
                        out.add(new Entry(rec.offset(), TestRecords.string(rec.key()), TestRecords.string(rec.value())));
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

    /** The latest record of each key, in offset order. */
    static List<Entry> latestPerKey(List<Entry> history) {
        Map<String, Entry> latest = new LinkedHashMap<>();
        for (Entry e : history) {
            latest.put(e.key(), e);
        }
        return new ArrayList<>(new TreeMap<>(byOffset(latest.values())).values());
    }

    /** The latest record of each key that is not a tombstone, in offset order. */
    static List<Entry> liveLatestPerKey(List<Entry> history) {
        return latestPerKey(history).stream().filter(e -> e.value() != null).toList();
    }

    private static Map<Long, Entry> byOffset(Iterable<Entry> entries) {
        Map<Long, Entry> m = new TreeMap<>();
        entries.forEach(e -> m.put(e.offset(), e));
        return m;
    }
}
