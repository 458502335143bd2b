package io.strand.storage.producer;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.List;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * What one partition remembers of one idempotent or transactional producer: its current epoch, the
 * metadata of its last {@value #BATCHES_TO_RETAIN} batches (a producer has at most that many requests in
 * flight, so a retry always matches one of them), the epoch of the transaction coordinator that wrote
 * its last marker ({@code -1} if none), the first offset of its ongoing transaction ({@code -1} if none)
 * and the time of its last batch or marker (what expiry goes by). Not thread-safe: owned by
 * {@link ProducerStateManager}.
 */
public final class ProducerEntry {

    /** Batches remembered per producer, as many as a producer may have in flight. */
    public static final int BATCHES_TO_RETAIN = 5;

    /** One appended batch: its sequence range, its offset range and its (max) timestamp. */
    public record BatchMetadata(int firstSequence, int lastSequence, long firstOffset, long lastOffset, long timestampMs) {
    }

    private final long producerId;
    private short producerEpoch;
    private int coordinatorEpoch = -1;
    private long currentTxnFirstOffset = -1L;
    private long lastTimestampMs = RecordBatch.NO_TIMESTAMP;
    private final ArrayDeque<BatchMetadata> batches = new ArrayDeque<>(BATCHES_TO_RETAIN);

    public ProducerEntry(long producerId, short producerEpoch) {
        this.producerId = producerId;
        this.producerEpoch = producerEpoch;
    }

    public long producerId() {
        return producerId;
    }

    public short producerEpoch() {
        return producerEpoch;
    }

    /** The epoch of the coordinator that wrote this producer's last marker, or -1. */
    public int coordinatorEpoch() {
        return coordinatorEpoch;
    }

    /** The first offset of this producer's ongoing transaction, or -1 if none is ongoing. */
    public long currentTxnFirstOffset() {
        return currentTxnFirstOffset;
    }

    void setTransactionState(int coordinatorEpoch, long currentTxnFirstOffset) {
        this.coordinatorEpoch = coordinatorEpoch;
        this.currentTxnFirstOffset = currentTxnFirstOffset;
    }

    void setCurrentTxnFirstOffset(long firstOffset) {
        this.currentTxnFirstOffset = firstOffset;
    }

    void setLastTimestampMs(long timestampMs) {
        this.lastTimestampMs = timestampMs;
    }

    /**
     * A marker ended the producer's transaction: takes the marker's epoch (a newer one forgets the
     * batches of the older, as a batch of a new epoch does), the coordinator's epoch and its time.
     */
    void onMarker(short epoch, int markerCoordinatorEpoch, long timestampMs) {
        if (epoch != producerEpoch) {
            batches.clear();
            producerEpoch = epoch;
        }
        coordinatorEpoch = markerCoordinatorEpoch;
        currentTxnFirstOffset = -1L;
        lastTimestampMs = timestampMs;
    }

    public Collection<BatchMetadata> batches() {
        return List.copyOf(batches);
    }

    /** The last sequence appended in the current epoch, or {@link RecordBatch#NO_SEQUENCE}. */
    public int lastSequence() {
        return batches.isEmpty() ? RecordBatch.NO_SEQUENCE : batches.peekLast().lastSequence();
    }

    /** The timestamp of the last batch or marker, or -1 if none is known. */
    public long lastTimestampMs() {
        return lastTimestampMs;
    }

    /** The remembered batch with exactly this epoch and sequence range, or null. */
    BatchMetadata findDuplicate(short epoch, int firstSequence, int lastSequence) {
        if (epoch != producerEpoch) {
            return null;
        }
        for (BatchMetadata b : batches) {
            if (b.firstSequence() == firstSequence && b.lastSequence() == lastSequence) {
                return b;
            }
        }
        return null;
    }

    /** Records an appended batch; a newer epoch forgets the batches of the older one. */
    public void addBatch(short epoch, BatchMetadata batch) {
        if (epoch != producerEpoch) {
            batches.clear();
            producerEpoch = epoch;
        }
        if (batches.size() == BATCHES_TO_RETAIN) {
            batches.removeFirst();
        }
        batches.addLast(batch);
        lastTimestampMs = batch.timestampMs();
    }
}
