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
    /** While true, appends wait in {@link #held} until {@link #commitHeld}, as behind slow followers. */
    private boolean holding;
    private final List<Runnable> held = new ArrayList<>();

    synchronized void holdCommits() {
        holding = true;
    }

    synchronized int heldCount() {
        return held.size();
    }

    /** Commits every append held so far and stops holding. */
    void commitHeld() {
        List<Runnable> release;
        synchronized (this) {
            holding = false;
            release = new ArrayList<>(held);
            held.clear();
        }
        release.forEach(Runnable::run);
    }

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

    /** Loads here never wait: the tests that hold commits do not reload while holding. */
    @Override
    public CompletableFuture<Void> awaitCommitted(int partition, long offset) {
        return CompletableFuture.completedFuture(null);
    }
}
