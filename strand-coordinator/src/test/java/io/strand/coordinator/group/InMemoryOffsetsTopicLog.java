package io.strand.coordinator.group;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * A log per partition in memory: appended batches get offsets and are committed at once, as on a
 * single replica; an append can be made to fail.
 */
final class InMemoryOffsetsTopicLog implements OffsetsTopicLog {

    private final Map<Integer, List<MemoryRecords>> batches = new HashMap<>();
    private final Map<Integer, Long> nextOffsets = new HashMap<>();
    private ApiException nextFailure;

    void failNextAppend(ApiException failure) {
        this.nextFailure = failure;
    }

    int recordCount(int partition) {
        return (int) (long) nextOffsets.getOrDefault(partition, 0L);
    }

    @Override
    public synchronized CompletableFuture<Long> append(int partition, MemoryRecords records) {
        if (nextFailure != null) {
            ApiException failure = nextFailure;
            nextFailure = null;
            return CompletableFuture.failedFuture(failure);
        }
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
        for (MemoryRecords records : batches.getOrDefault(partition, List.of())) {
            for (MutableRecordBatch batch : records.batches()) {
                if (batch.lastOffset() >= fromOffset) {
                    return records;
                }
            }
        }
        return MemoryRecords.EMPTY;
    }
}
