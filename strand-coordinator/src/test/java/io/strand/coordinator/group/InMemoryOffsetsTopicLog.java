package io.strand.coordinator.group;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * A log per partition in memory: appended batches (transactional ones keep their producer) and markers
 * get offsets and are committed at once, as on a single replica; an append can be made to fail.
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
        MutableRecordBatch batch = records.batches().iterator().next();
        List<SimpleRecord> copies = new ArrayList<>();
        for (Record record : records.records()) {
            copies.add(new SimpleRecord(record));
        }
        long base = nextOffsets.getOrDefault(partition, 0L);
        SimpleRecord[] simple = copies.toArray(SimpleRecord[]::new);
        return store(partition, batch.isTransactional()
                ? MemoryRecords.withTransactionalRecords(base, Compression.NONE, batch.producerId(), batch.producerEpoch(),
                        batch.baseSequence(), RecordBatch.NO_PARTITION_LEADER_EPOCH, simple)
                : MemoryRecords.withRecords(base, Compression.NONE, simple), base, copies.size());
    }

    @Override
    public synchronized CompletableFuture<Long> appendMarker(int partition, long producerId, short producerEpoch,
                                                             int coordinatorEpoch, boolean commit) {
        if (nextFailure != null) {
            ApiException failure = nextFailure;
            nextFailure = null;
            return CompletableFuture.failedFuture(failure);
        }
        long base = nextOffsets.getOrDefault(partition, 0L);
        return store(partition, MemoryRecords.withEndTransactionMarker(base, 0L, RecordBatch.NO_PARTITION_LEADER_EPOCH,
                producerId, producerEpoch, new EndTransactionMarker(commit ? ControlRecordType.COMMIT
                        : ControlRecordType.ABORT, coordinatorEpoch)), base, 1);
    }

    private CompletableFuture<Long> store(int partition, MemoryRecords stored, long base, int count) {
        batches.computeIfAbsent(partition, p -> new ArrayList<>()).add(stored);
        nextOffsets.put(partition, base + count);
        long lastOffset = base + count - 1;
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
