package io.strand.storage.producer;

import io.strand.storage.file.CorruptFileException;
import io.strand.storage.file.LogFileNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The idempotent-producer state of one partition: for each producer id its epoch and its last
 * {@value ProducerEntry#BATCHES_TO_RETAIN} batches. It decides whether an incoming batch is new
 * (append it), a retry of a batch already in the log (answer with the original offsets, append
 * nothing), or out of order (reject).
 *
 * <p>Rules, for a batch of producer id P, epoch E, sequences [s, t]:
 * <ul>
 *   <li>P unknown (new, expired, or its batches deleted): accepted with any sequence.
 *   <li>E older than P's epoch: {@link InvalidProducerEpochException}.
 *   <li>E newer than P's epoch: accepted only if s = 0, else {@link OutOfOrderSequenceException}.
 *   <li>same epoch, [s, t] equal to a remembered batch: a duplicate.
 *   <li>same epoch otherwise: s must follow the last sequence (wrapping after {@code Integer.MAX_VALUE}),
 *       else {@link OutOfOrderSequenceException}.
 * </ul>
 *
 * <p><b>Threads.</b> Not thread-safe: only the partition's writer (under the log's lock) uses it.
 *
 * <p><b>Crash.</b> The state is a function of the log. {@link #takeSnapshot()} writes it, as of
 * {@link #mapEndOffset()}, to {@code <offset>.snapshot} (on roll and clean shutdown); a restart loads the
 * latest snapshot at or below the log end and replays the batches after it.
 */
public final class ProducerStateManager {

    private static final Logger LOG = LoggerFactory.getLogger(ProducerStateManager.class);

    private final TopicPartition topicPartition;
    private final Path dir;
    private final Map<Long, ProducerEntry> producers = new HashMap<>();
    private long mapEndOffset;

    public ProducerStateManager(TopicPartition topicPartition, Path dir) {
        this.topicPartition = topicPartition;
        this.dir = dir;
    }

    /** Every batch below this offset is reflected in the state. */
    long mapEndOffset() {
        return mapEndOffset;
    }

    public ProducerEntry entry(long producerId) {
        return producers.get(producerId);
    }

    /** For each producer with a remembered batch, the last offset of its latest batch (the cleaner keeps that batch). */
    public Map<Long, Long> lastBatchOffsets() {
        Map<Long, Long> out = new HashMap<>();
        for (ProducerEntry e : producers.values()) {
            long last = -1L;
            for (ProducerEntry.BatchMetadata b : e.batches()) {
                last = Math.max(last, b.lastOffset());
            }
            if (last >= 0) {
                out.put(e.producerId(), last);
            }
        }
        return out;
    }

    int producerCount() {
        return producers.size();
    }

    /**
     * Checks a batch from a client before it is appended; changes nothing.
     *
     * @return the remembered batch it duplicates, or null if it is new and in order
     */
    public ProducerEntry.BatchMetadata checkAppend(long producerId, short epoch, int firstSequence, int lastSequence) {
        ProducerEntry entry = producers.get(producerId);
        if (entry == null) {
            return null;
        }
        if (epoch < entry.producerEpoch()) {
            throw new InvalidProducerEpochException("Producer epoch is older than the current one: partition="
                    + topicPartition + " producerId=" + producerId + " epoch=" + epoch
                    + " currentEpoch=" + entry.producerEpoch());
        }
        if (epoch > entry.producerEpoch()) {
            if (firstSequence != 0) {
                throw new OutOfOrderSequenceException("A new producer epoch must start at sequence 0: partition="
                        + topicPartition + " producerId=" + producerId + " epoch=" + epoch
                        + " firstSequence=" + firstSequence);
            }
            return null;
        }
        ProducerEntry.BatchMetadata duplicate = entry.findDuplicate(epoch, firstSequence, lastSequence);
        if (duplicate != null) {
            return duplicate;
        }
        int last = entry.lastSequence();
        if (last != RecordBatch.NO_SEQUENCE && !inSequence(last, firstSequence)) {
            throw new OutOfOrderSequenceException("Out of order sequence: partition=" + topicPartition
                    + " producerId=" + producerId + " epoch=" + epoch + " firstSequence=" + firstSequence
                    + " expected=" + (last == Integer.MAX_VALUE ? 0 : last + 1));
        }
        return null;
    }

    private static boolean inSequence(int lastSequence, int nextSequence) {
        return nextSequence == lastSequence + 1L || (nextSequence == 0 && lastSequence == Integer.MAX_VALUE);
    }

    /** Records an appended (or replayed) batch of a producer. A batch of an older epoch is ignored. */
    public void onBatchAppended(long producerId, short epoch, ProducerEntry.BatchMetadata batch) {
        ProducerEntry entry = producers.get(producerId);
        if (entry == null) {
            entry = new ProducerEntry(producerId, epoch);
            producers.put(producerId, entry);
        }
        if (epoch >= entry.producerEpoch()) {
            entry.addBatch(epoch, batch);
        }
        mapEndOffset = Math.max(mapEndOffset, batch.lastOffset() + 1);
    }

    /** Replays one batch read back from the log (no checks). */
    public void replay(RecordBatch batch) {
        if (batch.hasProducerId() && !batch.isControlBatch()) {
            onBatchAppended(batch.producerId(), batch.producerEpoch(), new ProducerEntry.BatchMetadata(
                    batch.baseSequence(), batch.lastSequence(), batch.baseOffset(), batch.lastOffset(),
                    batch.maxTimestamp()));
        }
        mapEndOffset = Math.max(mapEndOffset, batch.nextOffset());
    }

    public void setMapEndOffset(long offset) {
        mapEndOffset = offset;
    }

    /** Forgets producers whose last batch is older than {@code expirationMs}; returns how many. */
    public int removeExpiredProducers(long nowMs, long expirationMs) {
        int removed = 0;
        for (Iterator<ProducerEntry> it = producers.values().iterator(); it.hasNext(); ) {
            ProducerEntry e = it.next();
            if (e.currentTxnFirstOffset() < 0 && nowMs - e.lastTimestampMs() >= expirationMs) {
                it.remove();
                removed++;
            }
        }
        return removed;
    }

    /** Writes the state as of {@link #mapEndOffset()} to {@code <mapEndOffset>.snapshot}. */
    public void takeSnapshot() throws IOException {
        ProducerSnapshotFile.write(LogFileNames.snapshotFile(dir, mapEndOffset), producers.values());
    }

    /**
     * Forgets the in-memory state and loads the latest readable snapshot at or below {@code maxOffset};
     * snapshots above it are deleted, unreadable ones deleted with a warning.
     *
     * @return the offset of the loaded snapshot, or -1 if none (the state is then empty)
     */
    public long loadLatestSnapshot(long maxOffset) throws IOException {
        producers.clear();
        mapEndOffset = 0;
        List<Long> offsets = snapshotOffsets();
        for (int i = offsets.size() - 1; i >= 0; i--) {
            long offset = offsets.get(i);
            Path file = LogFileNames.snapshotFile(dir, offset);
            if (offset > maxOffset) {
                Files.deleteIfExists(file);
                continue;
            }
            try {
                for (ProducerEntry e : ProducerSnapshotFile.read(file)) {
                    producers.put(e.producerId(), e);
                }
                mapEndOffset = offset;
                return offset;
            } catch (CorruptFileException e) {
                LOG.warn("Deleting unreadable producer snapshot: {}", e.getMessage());
                producers.clear();
                Files.deleteIfExists(file);
            }
        }
        return -1L;
    }

    /**
     * The log was emptied and restarts at {@code offset}: forgets every producer and deletes every
     * snapshot, none of which describes the new log.
     */
    public void truncateFullyAndStartAt(long offset) throws IOException {
        for (long snapshotOffset : snapshotOffsets()) {
            Files.deleteIfExists(LogFileNames.snapshotFile(dir, snapshotOffset));
        }
        producers.clear();
        mapEndOffset = offset;
    }

    /** Deletes snapshots below {@code offset}, always keeping the newest one. */
    public void deleteSnapshotsBefore(long offset) throws IOException {
        List<Long> offsets = snapshotOffsets();
        for (int i = 0; i < offsets.size() - 1; i++) {
            if (offsets.get(i) < offset) {
                Files.deleteIfExists(LogFileNames.snapshotFile(dir, offsets.get(i)));
            }
        }
    }

    /** Offsets of the snapshot files in the partition directory, ascending. */
    public List<Long> snapshotOffsets() throws IOException {
        List<Long> offsets = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(LogFileNames.SNAPSHOT_SUFFIX))
                    .mapToLong(LogFileNames::offsetOf)
                    .filter(o -> o >= 0)
                    .sorted()
                    .forEach(offsets::add);
        }
        return offsets;
    }
}
