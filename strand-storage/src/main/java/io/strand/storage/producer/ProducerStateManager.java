package io.strand.storage.producer;

import io.strand.storage.file.CorruptFileException;
import io.strand.storage.file.LogFileNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.TransactionCoordinatorFencedException;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The idempotent and transactional producer state of one partition: for each producer id its epoch,
 * its last {@value ProducerEntry#BATCHES_TO_RETAIN} batches, its ongoing transaction and the epoch of the
 * coordinator that wrote its last marker; and the partition's open transactions, from which the first
 * unstable offset (what bounds the last stable offset) comes. It decides whether an incoming batch is
 * new (append it), a retry of a batch already in the log (answer with the original offsets, append
 * nothing), or refused.
 *
 * <p>Rules for a data batch of producer id P, epoch E, sequences [s, t] ({@link #checkAppend}):
 * <ul>
 *   <li>P unknown (new, expired, or its batches deleted): accepted with any sequence.
 *   <li>E older than P's epoch: {@link InvalidProducerEpochException}.
 *   <li>same epoch, [s, t] equal to a remembered batch: a duplicate.
 *   <li>E newer than P's epoch: accepted only if s = 0, else {@link OutOfOrderSequenceException}.
 *   <li>same epoch otherwise: s must follow the last sequence (wrapping after {@code Integer.MAX_VALUE}),
 *       else {@link OutOfOrderSequenceException}.
 *   <li>a non-transactional batch while P has an ongoing transaction: {@link InvalidTxnStateException}.
 * </ul>
 *
 * <p><b>Transactions</b> (Kafka's semantics). A transactional data batch of P starts P's transaction at
 * its first offset unless one is ongoing. A control batch of P holding a commit or abort marker
 * (kafka-clients' {@code EndTransactionMarker}: version, coordinator epoch) ends it; if a transaction
 * was ongoing the marker yields a {@link CompletedTxn}, and a marker without one (an empty transaction)
 * yields nothing. Before a leader writes a marker, {@link #checkMarker} refuses one whose producer
 * epoch is older than P's ({@link InvalidProducerEpochException}; with transaction version 2, whose
 * coordinator bumps the epoch for every marker, one not newer, unless it repeats a marker of P's
 * current epoch after its transaction ended) and one whose coordinator epoch is older than the one
 * stored for P ({@link TransactionCoordinatorFencedException}). A marker takes its epoch (forgetting the
 * batches of an older one) and its coordinator epoch. Replay (a follower's append, recovery, truncation)
 * applies batches without any check.
 *
 * <p><b>First unstable offset.</b> The lowest first offset among the ongoing transactions and the
 * completed ones whose marker is not yet below the high watermark ({@link #onHighWatermarkUpdated});
 * {@code -1} if there is none. Kept in two sorted maps keyed by first offset, so it costs no scan.
 * Non-transactional batches never touch them.
 *
 * <p><b>Expiry.</b> {@link #removeExpiredProducers} forgets producers idle longer than the expiration,
 * never one with an ongoing transaction.
 *
 * <p><b>Threads.</b> Not thread-safe: only the partition's writer (under the log's lock) uses it.
 *
 * <p><b>Crash.</b> The state is a function of the log. {@link #takeSnapshot()} writes it, as of
 * {@link #mapEndOffset()}, to {@code <offset>.snapshot} (on roll and clean shutdown), ongoing
 * transactions and coordinator epochs included; a restart loads the latest snapshot at or below the log
 * end, takes its ongoing transactions back, and replays the batches after it. Completed transactions
 * are not in snapshots: those whose marker came after the snapshot are replayed, the others were
 * complete before it.
 */
public final class ProducerStateManager {

    private static final Logger LOG = LoggerFactory.getLogger(ProducerStateManager.class);

    private final TopicPartition topicPartition;
    private final Path dir;
    private final Map<Long, ProducerEntry> producers = new HashMap<>();
    /** Ongoing transactions: first offset → producer id. */
    private final TreeMap<Long, Long> ongoingTxns = new TreeMap<>();
    /** Completed transactions whose marker is not yet below the high watermark: first offset → marker offset. */
    private final TreeMap<Long, Long> unreplicatedTxns = new TreeMap<>();
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

    /** For each known producer, the record compaction keeps for it (see {@link LastRecord}). */
    public Map<Long, LastRecord> lastRecords() {
        Map<Long, LastRecord> out = new HashMap<>();
        for (ProducerEntry e : producers.values()) {
            long last = -1L;
            for (ProducerEntry.BatchMetadata b : e.batches()) {
                last = Math.max(last, b.lastOffset());
            }
            out.put(e.producerId(), new LastRecord(last, e.producerEpoch()));
        }
        return out;
    }

    /**
     * A copy of every producer the state knows (idempotent and transactional, not yet expired), ordered
     * by producer id; later changes do not show in it.
     */
    public List<ActiveProducer> activeProducers() {
        List<ActiveProducer> out = new ArrayList<>(producers.size());
        for (ProducerEntry e : producers.values()) {
            out.add(ActiveProducer.of(e));
        }
        out.sort(Comparator.comparingLong(ActiveProducer::producerId));
        return out;
    }

    int producerCount() {
        return producers.size();
    }

    /** The ongoing transactions, first offset → producer id (a copy). */
    public Map<Long, Long> ongoingTransactions() {
        return new TreeMap<>(ongoingTxns);
    }

    /**
     * The lowest first offset of an ongoing transaction or of a completed one whose marker is not yet
     * below the high watermark, or -1 if there is none.
     */
    public long firstUnstableOffset() {
        Map.Entry<Long, Long> ongoing = ongoingTxns.firstEntry();
        Map.Entry<Long, Long> unreplicated = unreplicatedTxns.firstEntry();
        if (ongoing == null) {
            return unreplicated == null ? -1L : unreplicated.getKey();
        }
        return unreplicated == null ? ongoing.getKey() : Math.min(ongoing.getKey(), unreplicated.getKey());
    }

    /** Whether a completed transaction waits for the high watermark to pass its marker. */
    public boolean hasUnreplicatedTransactions() {
        return !unreplicatedTxns.isEmpty();
    }

    /** The high watermark moved: completed transactions whose marker is below it stop being unstable. */
    public void onHighWatermarkUpdated(long highWatermark) {
        if (!unreplicatedTxns.isEmpty()) {
            unreplicatedTxns.values().removeIf(markerOffset -> markerOffset < highWatermark);
        }
    }

    /**
     * Checks a data batch from a client before it is appended; changes nothing.
     *
     * @return the remembered batch it duplicates, or null if it is new and in order
     * @throws InvalidProducerEpochException if the epoch is older than the producer's
     * @throws OutOfOrderSequenceException if the sequence does not follow the producer's last one
     * @throws InvalidTxnStateException if the batch is not transactional and the producer has an ongoing
     *     transaction
     */
    public ProducerEntry.BatchMetadata checkAppend(long producerId, short epoch, int firstSequence, int lastSequence,
            boolean transactional) {
        return checkAppend(producerId, epoch, firstSequence, lastSequence, transactional, true);
    }

    /**
     * As {@link #checkAppend(long, short, int, int, boolean)}; {@code checkSequence} false (a coordinator's
     * batch written on a producer's behalf, whose sequences mean nothing, Kafka's {@code AppendOrigin.COORDINATOR})
     * checks the epoch and the transaction state only: no sequence rule, no duplicate.
     */
    public ProducerEntry.BatchMetadata checkAppend(long producerId, short epoch, int firstSequence, int lastSequence,
            boolean transactional, boolean checkSequence) {
        ProducerEntry entry = producers.get(producerId);
        if (entry == null) {
            return null;
        }
        if (epoch < entry.producerEpoch()) {
            throw new InvalidProducerEpochException("Producer epoch is older than the current one: partition="
                    + topicPartition + " producerId=" + producerId + " epoch=" + epoch
                    + " currentEpoch=" + entry.producerEpoch());
        }
        if (!checkSequence) {
            return checkTxnState(entry, producerId, epoch, transactional);
        }
        if (epoch > entry.producerEpoch()) {
            if (firstSequence != 0) {
                throw new OutOfOrderSequenceException("A new producer epoch must start at sequence 0: partition="
                        + topicPartition + " producerId=" + producerId + " epoch=" + epoch
                        + " firstSequence=" + firstSequence);
            }
        } else {
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
        }
        return checkTxnState(entry, producerId, epoch, transactional);
    }

    private ProducerEntry.BatchMetadata checkTxnState(ProducerEntry entry, long producerId, short epoch,
            boolean transactional) {
        if (!transactional && entry.currentTxnFirstOffset() >= 0) {
            throw new InvalidTxnStateException("Expected a transactional batch: partition=" + topicPartition
                    + " producerId=" + producerId + " epoch=" + epoch + " ongoingTxnFirstOffset="
                    + entry.currentTxnFirstOffset());
        }
        return null;
    }

    private static boolean inSequence(int lastSequence, int nextSequence) {
        return nextSequence == lastSequence + 1L || (nextSequence == 0 && lastSequence == Integer.MAX_VALUE);
    }

    /**
     * Records an appended (or replayed) data batch of a producer. A batch of an older epoch is not
     * remembered. A transactional batch starts the producer's transaction at its first offset if none is
     * ongoing.
     */
    public void onBatchAppended(long producerId, short epoch, ProducerEntry.BatchMetadata batch,
            boolean transactional) {
        ProducerEntry entry = producers.get(producerId);
        if (entry == null) {
            entry = new ProducerEntry(producerId, epoch);
            producers.put(producerId, entry);
        }
        if (epoch >= entry.producerEpoch()) {
            entry.addBatch(epoch, batch);
        }
        if (transactional && entry.currentTxnFirstOffset() < 0) {
            entry.setCurrentTxnFirstOffset(batch.firstOffset());
            ongoingTxns.put(batch.firstOffset(), producerId);
        }
        mapEndOffset = Math.max(mapEndOffset, batch.lastOffset() + 1);
    }

    /**
     * The leader's checks of a commit or abort marker it is about to write for {@code producerId};
     * changes nothing.
     *
     * @param transactionVersion the transaction version the coordinator runs (Kafka's
     *     {@code transaction.version}): 2 and above bump the producer epoch for every marker
     * @throws InvalidProducerEpochException if the marker's epoch is older than the producer's (with
     *     transaction version 2: not newer, unless it repeats a marker of the current epoch once the
     *     transaction ended, which is accepted as a retry)
     * @throws TransactionCoordinatorFencedException if the coordinator epoch is older than the one of the
     *     producer's last marker
     */
    public void checkMarker(long producerId, short epoch, int coordinatorEpoch, short transactionVersion) {
        ProducerEntry entry = producers.get(producerId);
        short current = entry == null ? RecordBatch.NO_PRODUCER_EPOCH : entry.producerEpoch();
        boolean strict = transactionVersion >= 2;
        boolean invalid = strict ? epoch <= current : epoch < current;
        boolean retryOfEndedTxn = strict && epoch == current && entry != null && entry.currentTxnFirstOffset() < 0;
        if (invalid && !retryOfEndedTxn) {
            throw new InvalidProducerEpochException("Transaction marker epoch is " + (strict ? "not newer than" : "older than")
                    + " the producer's: partition=" + topicPartition + " producerId=" + producerId + " epoch=" + epoch
                    + " currentEpoch=" + current + " transactionVersion=" + transactionVersion);
        }
        if (entry != null && entry.coordinatorEpoch() > coordinatorEpoch) {
            throw new TransactionCoordinatorFencedException("Transaction marker from a fenced coordinator: partition="
                    + topicPartition + " producerId=" + producerId + " coordinatorEpoch=" + coordinatorEpoch
                    + " currentCoordinatorEpoch=" + entry.coordinatorEpoch());
        }
    }

    /**
     * Applies a commit or abort marker written (or replayed) at {@code markerOffset}: ends the producer's
     * ongoing transaction, which then waits for the high watermark to pass the marker before it stops
     * being unstable; takes the marker's epoch if newer, its coordinator epoch and its time.
     *
     * @return the completed transaction, or null if none was ongoing
     */
    public CompletedTxn onMarker(long producerId, short epoch, int coordinatorEpoch, boolean commit, long markerOffset,
            long timestampMs) {
        ProducerEntry entry = producers.get(producerId);
        if (entry == null) {
            entry = new ProducerEntry(producerId, epoch);
            producers.put(producerId, entry);
        }
        CompletedTxn completed = null;
        long firstOffset = entry.currentTxnFirstOffset();
        if (firstOffset >= 0) {
            ongoingTxns.remove(firstOffset);
            completed = new CompletedTxn(producerId, firstOffset, markerOffset, !commit,
                    firstOngoingOffsetOfAnother(producerId, markerOffset + 1));
            unreplicatedTxns.put(firstOffset, markerOffset);
        }
        entry.onMarker(epoch >= entry.producerEpoch() ? epoch : entry.producerEpoch(), coordinatorEpoch, timestampMs);
        mapEndOffset = Math.max(mapEndOffset, markerOffset + 1);
        return completed;
    }

    /** The first offset of the earliest ongoing transaction of another producer, else {@code otherwise}. */
    private long firstOngoingOffsetOfAnother(long producerId, long otherwise) {
        for (Map.Entry<Long, Long> e : ongoingTxns.entrySet()) {
            if (e.getValue() != producerId) {
                return e.getKey();
            }
        }
        return otherwise;
    }

    /**
     * Replays one batch read back from the log or fetched from the leader, without checks: a data batch
     * as {@link #onBatchAppended}, a control batch holding a commit or abort marker as {@link #onMarker}
     * (an empty control batch, left by compaction, changes nothing).
     *
     * @return the transaction a marker completed, or null
     */
    public CompletedTxn replay(RecordBatch batch) {
        CompletedTxn completed = null;
        if (batch.hasProducerId()) {
            if (!batch.isControlBatch()) {
                onBatchAppended(batch.producerId(), batch.producerEpoch(), new ProducerEntry.BatchMetadata(
                        batch.baseSequence(), batch.lastSequence(), batch.baseOffset(), batch.lastOffset(),
                        batch.maxTimestamp()), batch.isTransactional());
            } else {
                completed = replayMarker(batch);
            }
        }
        mapEndOffset = Math.max(mapEndOffset, batch.nextOffset());
        return completed;
    }

    private CompletedTxn replayMarker(RecordBatch batch) {
        Iterator<Record> records = batch.iterator();
        if (!records.hasNext()) {
            return null;
        }
        Record record = records.next();
        if (!record.hasKey()) {
            return null;
        }
        ControlRecordType type = ControlRecordType.parse(record.key());
        if (type != ControlRecordType.COMMIT && type != ControlRecordType.ABORT) {
            return null;
        }
        EndTransactionMarker marker = EndTransactionMarker.deserialize(record);
        return onMarker(batch.producerId(), batch.producerEpoch(), marker.coordinatorEpoch(),
                type == ControlRecordType.COMMIT, batch.baseOffset(), record.timestamp());
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
        return loadLatestSnapshot(maxOffset, maxOffset);
    }

    /**
     * Forgets the in-memory state and loads the latest readable snapshot at or below {@code maxOffset}
     * (at most {@code logEndOffset}); snapshots above {@code logEndOffset} are deleted, unreadable ones
     * deleted with a warning, those in between kept. Ongoing transactions come back with their producers.
     *
     * @return the offset of the loaded snapshot, or -1 if none (the state is then empty)
     */
    public long loadLatestSnapshot(long maxOffset, long logEndOffset) throws IOException {
        clear();
        mapEndOffset = 0;
        List<Long> offsets = snapshotOffsets();
        for (int i = offsets.size() - 1; i >= 0; i--) {
            long offset = offsets.get(i);
            Path file = LogFileNames.snapshotFile(dir, offset);
            if (offset > logEndOffset) {
                Files.deleteIfExists(file);
                continue;
            }
            if (offset > maxOffset) {
                continue;
            }
            try {
                for (ProducerEntry e : ProducerSnapshotFile.read(file)) {
                    producers.put(e.producerId(), e);
                    if (e.currentTxnFirstOffset() >= 0) {
                        ongoingTxns.put(e.currentTxnFirstOffset(), e.producerId());
                    }
                }
                mapEndOffset = offset;
                return offset;
            } catch (CorruptFileException e) {
                LOG.warn("Deleting unreadable producer snapshot: {}", e.getMessage());
                clear();
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
        clear();
        mapEndOffset = offset;
    }

    private void clear() {
        producers.clear();
        ongoingTxns.clear();
        unreplicatedTxns.clear();
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
