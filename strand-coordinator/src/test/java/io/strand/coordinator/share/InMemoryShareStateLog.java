package io.strand.coordinator.share;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.record.internal.SimpleRecord;

/** {@code __share_group_state} in memory: every append is committed at once. */
final class InMemoryShareStateLog implements ShareStateLog {

    private final Map<Integer, List<MemoryRecords>> batches = new HashMap<>();
    private final Map<Integer, Long> nextOffsets = new HashMap<>();

    /** Every record of the partition as written, in offset order. */
    synchronized List<Record> records(int partition) {
        List<Record> all = new ArrayList<>();
        for (MemoryRecords records : batches.getOrDefault(partition, List.of())) {
            records.records().forEach(all::add);
        }
        return all;
    }

    @Override
    public synchronized CompletableFuture<Long> append(int partition, MemoryRecords records) {
        List<SimpleRecord> copies = new ArrayList<>();
        for (Record record : records.records()) {
            copies.add(new SimpleRecord(record));
        }
        long base = nextOffsets.getOrDefault(partition, 0L);
        batches.computeIfAbsent(partition, p -> new ArrayList<>())
                .add(MemoryRecords.withRecords(base, Compression.NONE, copies.toArray(SimpleRecord[]::new)));
        nextOffsets.put(partition, base + copies.size());
        return CompletableFuture.completedFuture(base + copies.size() - 1);
    }

    @Override
    public long logStartOffset(int partition) {
        return 0;
    }

    @Override
    public synchronized Records read(int partition, long fromOffset, int maxBytes) {
        for (MemoryRecords batch : batches.getOrDefault(partition, List.of())) {
            if (batch.batches().iterator().next().baseOffset() >= fromOffset) {
                return batch;
            }
        }
        return MemoryRecords.EMPTY;
    }

    @Override
    public CompletableFuture<Void> awaitCommitted(int partition, long offset) {
        return CompletableFuture.completedFuture(null);
    }
}
