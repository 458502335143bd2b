package io.strand.broker.sim;

import io.strand.storage.log.ReplicaLog;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;

/**
 * What one broker's log of one partition holds, read back from the log after each write the
 * simulation routes to it: per offset the record's leader epoch and value, and a rolling hash of
 * every prefix, so two replicas are compared up to an offset in O(1). Like the log's files it
 * survives the broker's crash (a killed process loses no written byte); a restart checks that the
 * recovered log still matches it.
 *
 * <p>Not thread-safe: the simulation's event loop only.
 */
final class ReplicaView {

    /** One record: the epoch of its batch and its value. */
    record Entry(int leaderEpoch, String value) {
    }

    private final List<Entry> entries = new ArrayList<>();
    /** prefixHash.get(i) is the hash of entries [0, i); one longer than entries. */
    private final List<Long> prefixHash = new ArrayList<>(List.of(17L));
    /** How often a write cut records off this view. */
    private int truncations;
    /** Told of each cut, so the broker counts them without summing its views. */
    private final Runnable onTruncation;

    ReplicaView(Runnable onTruncation) {
        this.onTruncation = onTruncation;
    }

    long logEndOffset() {
        return entries.size();
    }

    Entry at(long offset) {
        return offset < entries.size() ? entries.get((int) offset) : null;
    }

    /** The hash of the records below {@code offset}; only for {@code offset <= logEndOffset()}. */
    long prefixHash(long offset) {
        return prefixHash.get((int) offset);
    }

    int truncations() {
        return truncations;
    }

    /** Reads what the log gained at its end since the last sync (after an append). */
    void syncAppended(ReplicaLog log) {
        long end = log.logEndOffset();
        if (end < entries.size()) {
            throw new AssertionError("Log " + log.topicPartition() + " shrank on an append: view ends at "
                    + entries.size() + ", log at " + end);
        }
        while (entries.size() < end) {
            Records records = log.read(entries.size(), 1 << 20, end, true).records();
            int before = entries.size();
            for (RecordBatch batch : records.batches()) {
                for (Record record : batch) {
                    if (record.offset() < entries.size()) {
                        continue;
                    }
                    if (record.offset() != entries.size()) {
                        throw new AssertionError("Log " + log.topicPartition() + " has a gap: expected offset "
                                + entries.size() + ", read " + record.offset());
                    }
                    add(new Entry(batch.partitionLeaderEpoch(), value(record)));
                }
            }
            if (entries.size() == before) {
                throw new AssertionError("Log " + log.topicPartition() + " read nothing at " + before + " below its end "
                        + end);
            }
        }
    }

    /** The log was cut at {@code offset}. */
    void truncateTo(long offset) {
        if (offset < entries.size()) {
            truncations++;
            onTruncation.run();
            entries.subList((int) offset, entries.size()).clear();
            prefixHash.subList((int) offset + 1, prefixHash.size()).clear();
        }
    }

    /**
     * After a restart: the recovered log must hold exactly what this view held (a killed process
     * keeps every written byte).
     */
    void verifyRecovered(ReplicaLog log) {
        ReplicaView reread = new ReplicaView(() -> { });
        if (log.logStartOffset() != 0) {
            throw new AssertionError("Log " + log.topicPartition() + " starts at " + log.logStartOffset());
        }
        reread.syncAppended(log);
        if (!reread.entries.equals(entries)) {
            throw new AssertionError("Log " + log.topicPartition() + " recovered " + reread.entries.size()
                    + " records that differ from the " + entries.size() + " written before the crash");
        }
    }

    private void add(Entry entry) {
        long hash = prefixHash.get(prefixHash.size() - 1);
        hash = hash * 1_000_003L + entry.leaderEpoch();
        hash = hash * 1_000_003L + entry.value().hashCode();
        entries.add(entry);
        prefixHash.add(hash);
    }

    private static String value(Record record) {
        if (!record.hasValue()) {
            return "";
        }
        byte[] bytes = new byte[record.valueSize()];
        record.value().duplicate().get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "ReplicaView(end=" + entries.size() + ", truncations=" + truncations + ")";
    }
}
