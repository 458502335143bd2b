package io.strand.coordinator.txn;

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
 * {@code __transaction_state} in memory: appended batches get offsets and are committed at once, as
 * on a single replica; an append can be made to fail, and commits can be held. Thread-safe.
 */
final class InMemoryTransactionStateLog implements TransactionStateLog {

    private final Map<Integer, List<MemoryRecords>> batches = new HashMap<>();
    private final Map<Integer, Long> nextOffsets = new HashMap<>();
    private ApiException nextFailure;
    private boolean holding;
    private final List<Runnable> held = new ArrayList<>();

    synchronized void failNextAppend(ApiException failure) {
        this.nextFailure = failure;
    }

    synchronized void holdCommits() {
        holding = true;
    }

    synchronized int heldCount() {
        return held.size();
    }

    void commitHeld() {
        List<Runnable> release;
        synchronized (this) {
            holding = false;
            release = new ArrayList<>(held);
            held.clear();
        }
        release.forEach(Runnable::run);
    }

    synchronized int recordCount(int partition) {
        return (int) (long) nextOffsets.getOrDefault(partition, 0L);
    }

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
        long lastOffset = base + copies.size() - 1;
        if (holding) {
            CompletableFuture<Long> committed = new CompletableFuture<>();
            held.add(() -> committed.complete(lastOffset));
            return committed;
        }
        return CompletableFuture.completedFuture(lastOffset);
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

    @Override
    public CompletableFuture<Void> awaitCommitted(int partition, long offset) {
        return CompletableFuture.completedFuture(null);
    }
}
