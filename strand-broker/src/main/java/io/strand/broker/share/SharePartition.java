package io.strand.broker.share;

import io.strand.coordinator.share.StateBatch;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntSupplier;
import java.util.function.LongPredicate;
import org.apache.kafka.common.message.ShareFetchResponseData.AcquiredRecords;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery state of one partition for one share group (KIP-932), kept by the partition's leader:
 * which records a member holds, which wait for (re)delivery and how often each was delivered.
 *
 * <p>The records below the <b>start offset</b> are done (acknowledged or archived). From there to the
 * <b>end offset</b> (the first offset never acquired) every record is <i>in flight</i>, with a
 * {@link RecordState} and a delivery count; records at and past the end offset are new to the group.
 * A fetch acquires the available in-flight records first (redeliveries, lowest offset first), then new
 * ones, while fewer than {@code group.share.partition.max.record.locks} records are in flight; each
 * acquisition counts a delivery and locks the record to its member for
 * {@code group.share.record.lock.duration.ms}. A lock that expires, or a RELEASE, makes the record
 * available again, unless it has been delivered {@code group.share.delivery.count.limit} times: then it
 * is archived. As Kafka's, a batch redelivered at least half the limit times (2 at least) is throttled:
 * delivered alone and in part (halved per further delivery), and a record on its last delivery goes alone.
 * ACCEPT acknowledges, REJECT (and GAP: an acquired offset that holds no record) archives.
 * Whenever the records at the start offset are done, the start offset moves past them. For a
 * read_committed group the caller names the offsets of aborted transactions, which are archived as they
 * are met instead of acquired.
 *
 * <pre>
 *   offsets:  ... done ... | start ........ in flight ........ end | new ...
 * </pre>
 *
 * <p>Tracked per record (a map entry per in-flight offset, at most the lock limit of them). Locks
 * expire lazily: every operation first expires those due at its {@code nowMs}, so nothing runs between
 * requests and a test drives time by hand.
 *
 * <p><b>What survives a crash</b> is what the {@link StateWriter} (the share coordinator) has been given,
 * as Kafka's share-partition writes it: an acknowledgement (ACCEPT, RELEASE, REJECT, GAP) and the release
 * of a member's records are written first — their records wait, marked as being written, untouchable by
 * other members and lock expiry — and take effect in memory only once the write succeeded (a failed write
 * fails the acknowledgement with its error and leaves the records acquired); a lock expiry takes effect at
 * once and is written after. Every write carries the start offset as it was before the change (the
 * changed records' states and delivery counts say what lies past it) and the changed records' states and delivery
 * counts. Acquisitions and lock renewals are not written, so after a crash a
 * record acquired but not yet acknowledged comes back with the delivery count last written.
 * {@link #restored} rebuilds a share-partition from the state read back.
 *
 * <p>Thread-safe: every method is {@code synchronized} on the instance, the one owner of its state
 * (fetches and acknowledgements of different members meet here and each holds it only for memory
 * updates, never for I/O).
 */
public final class SharePartition {

    /** Acknowledge types of the wire protocol (ShareFetch and ShareAcknowledge). */
    public static final byte GAP = 0;
    public static final byte ACCEPT = 1;
    public static final byte RELEASE = 2;
    public static final byte REJECT = 3;
    public static final byte RENEW = 4;

    private static final Logger LOG = LoggerFactory.getLogger(SharePartition.class);

    /** Read where they apply (the group's configs may change while the share-partition lives). */
    private final IntSupplier lockDurationMs;
    private final IntSupplier deliveryCountLimit;
    private final IntSupplier maxInFlight;
    private final StateWriter writer;
    private final TreeMap<Long, InFlight> inFlight = new TreeMap<>();
    private long startOffset;
    private long endOffset;

    /** One in-flight record. */
    private static final class InFlight {
        RecordState state = RecordState.AVAILABLE;
        int deliveryCount;
        String memberId;
        long lockDeadlineMs;
        /** An acknowledgement or release of this record is being written; it changes once that is done. */
        boolean writing;
        /**
         * The first offset of the range it was first acquired in (or of the persisted batch it was restored from):
         * Kafka's in-flight batch, which Kafka answers apart from others when redelivered.
         */
        long batchKey = -1;
    }

    /** Where changes of the in-flight state are made durable (the share coordinator's WriteShareGroupState). */
    @FunctionalInterface
    public interface StateWriter {

        /** Keeps nothing; every write succeeds at once. */
        StateWriter NONE = (startOffset, deliveryCompleteCount, batches) -> CompletableFuture.completedFuture(Errors.NONE);

        /**
         * Writes the start offset and the changed records' states; called under the share-partition's lock in
         * the order of the changes, so it must only queue the write.
         *
         * @return the write's outcome (NONE once durable), never completed exceptionally
         */
        CompletableFuture<Errors> write(long startOffset, int deliveryCompleteCount, List<StateBatch> batches);
    }

    /** One batch of acknowledgements: offsets {@code firstOffset..lastOffset} and one type, or one type per offset. */
    public record Acknowledgement(long firstOffset, long lastOffset, List<Byte> types) {
        byte typeAt(long offset) {
            return types.size() == 1 ? types.get(0) : types.get((int) (offset - firstOffset));
        }
    }

    /**
     * @param startOffset where the group starts on this partition (from {@code share.auto.offset.reset})
     */
    public SharePartition(long startOffset, ShareGroupConfig config) {
        this(startOffset, config.recordLockDurationMs(), config.deliveryCountLimit(), config.partitionMaxRecordLocks(),
                StateWriter.NONE);
    }

    SharePartition(long startOffset, int lockDurationMs, int deliveryCountLimit, int maxInFlight) {
        this(startOffset, lockDurationMs, deliveryCountLimit, maxInFlight, StateWriter.NONE);
    }

    SharePartition(long startOffset, int lockDurationMs, int deliveryCountLimit, int maxInFlight, StateWriter writer) {
        this(startOffset, () -> lockDurationMs, () -> deliveryCountLimit, () -> maxInFlight, writer);
    }

    /**
     * @param lockDurationMs     the group's {@code share.record.lock.duration.ms} now
     * @param deliveryCountLimit the group's {@code share.delivery.count.limit} now
     * @param maxInFlight        the group's {@code share.partition.max.record.locks} now
     * @param writer             where changes are made durable
     */
    SharePartition(long startOffset, IntSupplier lockDurationMs, IntSupplier deliveryCountLimit,
                   IntSupplier maxInFlight, StateWriter writer) {
        this.startOffset = startOffset;
        this.endOffset = startOffset;
        this.lockDurationMs = lockDurationMs;
        this.deliveryCountLimit = deliveryCountLimit;
        this.maxInFlight = maxInFlight;
        this.writer = writer;
    }

    /**
     * A share-partition as its persisted state describes it: done below {@code startOffset}; the batches'
     * records in flight with their state (an acquired one as available) and delivery count; offsets between
     * the start offset and a batch that no batch covers in flight as never delivered; the end offset past
     * the last batch.
     */
    public static SharePartition restored(long startOffset, List<StateBatch> batches, ShareGroupConfig config,
                                          StateWriter writer) {
        return restored(startOffset, batches, config.recordLockDurationMs(), config.deliveryCountLimit(),
                config.partitionMaxRecordLocks(), writer);
    }

    static SharePartition restored(long startOffset, List<StateBatch> batches, int lockDurationMs,
                                   int deliveryCountLimit, int maxInFlight, StateWriter writer) {
        return restored(startOffset, batches, () -> lockDurationMs, () -> deliveryCountLimit, () -> maxInFlight, writer);
    }

    /** As above, with the group's settings read where they apply. */
    static SharePartition restored(long startOffset, List<StateBatch> batches, IntSupplier lockDurationMs,
                                   IntSupplier deliveryCountLimit, IntSupplier maxInFlight, StateWriter writer) {
        SharePartition share = new SharePartition(startOffset, lockDurationMs, deliveryCountLimit, maxInFlight, writer);
        long next = startOffset;
        List<StateBatch> sorted = new ArrayList<>(batches);
        sorted.sort(Comparator.comparingLong(StateBatch::firstOffset));
        for (StateBatch batch : sorted) {
            if (batch.lastOffset() < next) {
                continue;
            }
            for (long offset = next; offset < batch.firstOffset(); offset++) {
                InFlight gap = new InFlight(); // never delivered
                gap.batchKey = next;
                share.inFlight.put(offset, gap);
            }
            for (long offset = Math.max(next, batch.firstOffset()); offset <= batch.lastOffset(); offset++) {
                InFlight record = new InFlight();
                record.batchKey = batch.firstOffset();
                record.state = batch.deliveryState() == StateBatch.ACKNOWLEDGED ? RecordState.ACKNOWLEDGED
                        : batch.deliveryState() == StateBatch.ARCHIVED ? RecordState.ARCHIVED : RecordState.AVAILABLE;
                record.deliveryCount = batch.deliveryCount();
                share.inFlight.put(offset, record);
            }
            next = batch.lastOffset() + 1;
        }
        share.endOffset = next;
        share.maybeAdvanceStartOffset();
        return share;
    }

    public synchronized long startOffset() {
        return startOffset;
    }

    public synchronized long endOffset() {
        return endOffset;
    }

    /** The state of an in-flight record, or null if {@code offset} is not in flight. */
    public synchronized RecordState state(long offset) {
        InFlight record = inFlight.get(offset);
        return record == null ? null : record.state;
    }

    /** The delivery count of an in-flight record, or -1 if {@code offset} is not in flight. */
    public synchronized int deliveryCount(long offset) {
        InFlight record = inFlight.get(offset);
        return record == null ? -1 : record.deliveryCount;
    }

    /**
     * Where a fetch should read from: the lowest available in-flight record, else the end offset; -1 if
     * nothing can be acquired now (no available record and the in-flight limit reached).
     */
    public synchronized long nextFetchOffset(long nowMs) {
        expireLocks(nowMs);
        for (Map.Entry<Long, InFlight> e : inFlight.entrySet()) {
            if (e.getValue().state == RecordState.AVAILABLE) {
                return e.getKey();
            }
        }
        return inFlight.size() < maxInFlight.getAsInt() ? endOffset : -1;
    }

    /**
     * Acquires for {@code memberId} the acquirable records among offsets {@code firstOffset..lastOffset}
     * (the offsets a read of the log returned; in-flight records that are not available are skipped), at
     * most {@code maxRecords} of them, and fewer if the in-flight limit is reached.
     *
     * @return the acquired records as ranges of consecutive offsets with one delivery count each
     */
    public synchronized List<AcquiredRecords> acquire(String memberId, long firstOffset, long lastOffset,
                                                      int maxRecords, long nowMs) {
        return acquire(memberId, firstOffset, lastOffset, maxRecords, nowMs, offset -> false);
    }

    /**
     * As {@link #acquire(String, long, long, int, long)}, except that the acquirable records among the offsets
     * {@code undeliverable} names (a read_committed group's records of aborted transactions) are archived as
     * they are met instead of acquired: never delivered, not counted as a delivery or against
     * {@code maxRecords}. Their archiving is not written by itself: after a crash they are found and archived
     * again by the next fetch, unless a later write has moved the start offset past them.
     */
    public synchronized List<AcquiredRecords> acquire(String memberId, long firstOffset, long lastOffset,
                                                      int maxRecords, long nowMs, LongPredicate undeliverable) {
        return acquire(memberId, firstOffset, lastOffset, maxRecords, nowMs, undeliverable, null);
    }

    /**
     * How a fetch in Kafka's batch-optimized acquire mode (ShareFetch v1, and v2's mode 0) takes new records:
     * whole log batches. Once {@code maxRecords} is reached within a batch of records new to the group, the rest
     * of that batch is acquired too (also past the in-flight limit); and a run of new records longer than
     * {@code batchSize} is answered as several acquired ranges, a new one starting at the first log batch that
     * begins {@code batchSize} or more offsets after the range's first.
     *
     * In record-limit mode (v2's mode 1) exactly {@code maxRecords} are acquired, and the rest of the log batch
     * holding the last of them goes into flight, available, as Kafka caches it. Either way records in flight
     * are answered apart by the range they were first acquired in (Kafka's in-flight batches), and apart from
     * new ones; in batch-optimized mode such a range, once begun, is taken whole.
     *
     * @param batchLastOffsets the last offset of each log batch the read returned
     * @param batchSize        the request's {@code batch_size}
     * @param recordLimit      record-limit mode
     */
    public record Batching(NavigableSet<Long> batchLastOffsets, int batchSize, boolean recordLimit) {
        boolean startsBatch(long offset) {
            return batchLastOffsets.contains(offset - 1);
        }
    }

    /**
     * As {@link #acquire(String, long, long, int, long, LongPredicate)}; with {@code batching} (null: exactly
     * {@code maxRecords} at most, one range per run of offsets with one delivery count) in batch-optimized mode.
     */
    public synchronized List<AcquiredRecords> acquire(String memberId, long firstOffset, long lastOffset,
                                                      int maxRecords, long nowMs, LongPredicate undeliverable,
                                                      Batching batching) {
        expireLocks(nowMs);
        boolean archived = false;
        List<AcquiredRecords> acquired = new ArrayList<>();
        int maxInFlight = this.maxInFlight.getAsInt();
        long lockDeadlineMs = nowMs + lockDurationMs.getAsInt();
        boolean recordLimit = batching == null || batching.recordLimit();
        int count = 0;
        // New records are taken into flight up to here (the end of the log batch where maxRecords was reached):
        // acquired in batch-optimized mode, left available in record-limit mode.
        long batchEnd = -1;
        // Batch-optimized: the records in flight of this acquisition batch are taken whole once begun.
        long openBatchKey = Long.MIN_VALUE;
        long newRangeFirst = -1;
        boolean lastWasNew = false;
        long lastBatchKey = Long.MIN_VALUE;
        // Kafka's throttling of records delivered often: an in-flight batch with a record delivered at least
        // half the delivery count limit times (2 at least) is delivered alone, and only in part (halved per
        // delivery past that); a record on its last delivery goes alone (limits above 2).
        int maxDeliveries = deliveryCountLimit.getAsInt();
        int throttleLimit = Math.max(2, (maxDeliveries + 1) / 2);
        long throttledKey = Long.MIN_VALUE;
        int throttledCap = 0;
        int acquiredThrottled = 0;
        for (long offset = Math.max(firstOffset, startOffset); offset <= lastOffset; offset++) {
            InFlight record = inFlight.get(offset);
            boolean isNew = false;
            if (record == null) {
                if (offset < endOffset) {
                    continue; // done already
                }
                if (offset > batchEnd && (count >= maxRecords || inFlight.size() >= maxInFlight)) {
                    break;
                }
                record = new InFlight();
                inFlight.put(offset, record);
                endOffset = offset + 1;
                isNew = true;
                if (recordLimit && count >= maxRecords) { // the rest of the log batch waits, available
                    record.batchKey = newRangeFirst;
                    continue;
                }
            } else if (record.state != RecordState.AVAILABLE) {
                continue;
            } else if (count >= maxRecords && (recordLimit || record.batchKey != openBatchKey)) {
                break;
            }
            if (throttledKey != Long.MIN_VALUE && (isNew || record.batchKey != throttledKey)) {
                break; // a throttled batch is delivered alone
            }
            if (!isNew && record.batchKey != openBatchKey && throttledKey == Long.MIN_VALUE) {
                int cap = throttleCap(record.batchKey, firstOffset, lastOffset, throttleLimit);
                if (cap > 0) {
                    if (count > 0) {
                        break; // delivered alone, by a later fetch
                    }
                    throttledKey = record.batchKey;
                    throttledCap = cap;
                }
            }
            boolean throttled = !isNew && record.batchKey == throttledKey;
            if (throttled && maxDeliveries > 2 && record.deliveryCount == maxDeliveries - 1 && acquiredThrottled > 0) {
                break; // its last delivery goes alone
            }
            if (undeliverable.test(offset)) {
                finish(record, RecordState.ARCHIVED);
                archived = true;
                continue;
            }
            record.state = RecordState.ACQUIRED;
            record.deliveryCount++;
            record.memberId = memberId;
            record.lockDeadlineMs = lockDeadlineMs;
            count++;
            if (isNew && batching != null && count >= maxRecords && batchEnd < offset) {
                Long end = batching.batchLastOffsets().ceiling(offset);
                batchEnd = end == null ? offset : end;
            }
            AcquiredRecords last = acquired.isEmpty() ? null : acquired.get(acquired.size() - 1);
            boolean split = isNew && !recordLimit && newRangeFirst >= 0 && batching.startsBatch(offset)
                    && offset - newRangeFirst >= batching.batchSize();
            // Kafka answers each of its in-flight batches apart, and new records apart from those in flight.
            boolean sameBatch = isNew ? lastWasNew : !lastWasNew && record.batchKey == lastBatchKey;
            if (!split && sameBatch && last != null && last.lastOffset() == offset - 1
                    && last.deliveryCount() == record.deliveryCount) {
                last.setLastOffset(offset);
            } else {
                acquired.add(new AcquiredRecords().setFirstOffset(offset).setLastOffset(offset)
                        .setDeliveryCount((short) record.deliveryCount));
                if (isNew) {
                    newRangeFirst = offset;
                }
            }
            if (isNew) {
                record.batchKey = newRangeFirst;
            } else {
                openBatchKey = record.batchKey;
            }
            lastWasNew = isNew;
            lastBatchKey = record.batchKey;
            if (throttled && (++acquiredThrottled >= throttledCap
                    || maxDeliveries > 2 && record.deliveryCount == maxDeliveries)) {
                break;
            }
        }
        if (archived) {
            maybeAdvanceStartOffset();
        }
        return acquired;
    }

    /**
     * How many records of the in-flight batch {@code batchKey} a throttled delivery takes: 0 if none of its
     * available records within {@code firstOffset..lastOffset} has been delivered {@code throttleLimit} times;
     * else the batch's size halved for each delivery of its first such record at or past the limit (1 at least).
     */
    private int throttleCap(long batchKey, long firstOffset, long lastOffset, int throttleLimit) {
        long lastOfBatch = batchKey;
        int firstOverLimit = -1;
        for (Map.Entry<Long, InFlight> e : inFlight.tailMap(Math.max(batchKey, startOffset)).entrySet()) {
            InFlight record = e.getValue();
            if (record.batchKey != batchKey) {
                break;
            }
            lastOfBatch = e.getKey();
            if (firstOverLimit < 0 && record.state == RecordState.AVAILABLE && e.getKey() >= firstOffset
                    && e.getKey() <= lastOffset && record.deliveryCount >= throttleLimit) {
                firstOverLimit = record.deliveryCount;
            }
        }
        if (firstOverLimit < 0) {
            return 0;
        }
        long size = lastOfBatch - batchKey + 1;
        return (int) Math.max(1, size >> (firstOverLimit - throttleLimit + 1));
    }

    /**
     * Applies {@code memberId}'s acknowledgements, all or none: offsets below the start offset are done and
     * skipped, as Kafka does; every other offset named must be in flight, acquired by this member, not past its
     * lock and not being written, and every type known; otherwise INVALID_RECORD_STATE (INVALID_REQUEST for an
     * unknown type, a types list of the wrong length or a batch reaching past the last offset acquired) and
     * nothing changes. RENEW extends locks at once; the other types are written first and take effect once
     * the write succeeded; a failed write answers its error (see {@link StateWriter}) and changes nothing.
     */
    public CompletableFuture<Errors> acknowledge(String memberId, List<Acknowledgement> batches, long nowMs) {
        Map<Long, RecordState> targets = new TreeMap<>();
        CompletableFuture<Errors> written;
        synchronized (this) {
            expireLocks(nowMs);
            for (Acknowledgement batch : batches) {
                long length = batch.lastOffset() - batch.firstOffset() + 1;
                if (length <= 0 || (batch.types().size() != 1 && batch.types().size() != length)) {
                    return CompletableFuture.completedFuture(Errors.INVALID_REQUEST);
                }
                if (batch.lastOffset() < startOffset) {
                    continue; // done already
                }
                if (inFlight.isEmpty()) {
                    return CompletableFuture.completedFuture(Errors.INVALID_RECORD_STATE);
                }
                if (batch.lastOffset() > inFlight.lastKey()) {
                    return CompletableFuture.completedFuture(Errors.INVALID_REQUEST); // past what was acquired
                }
                for (long offset = Math.max(batch.firstOffset(), startOffset); offset <= batch.lastOffset(); offset++) {
                    byte type = batch.typeAt(offset);
                    if (type < GAP || type > RENEW) {
                        return CompletableFuture.completedFuture(Errors.INVALID_REQUEST);
                    }
                    InFlight record = inFlight.get(offset);
                    if (record == null || record.state != RecordState.ACQUIRED || record.writing
                            || !memberId.equals(record.memberId)) {
                        return CompletableFuture.completedFuture(Errors.INVALID_RECORD_STATE);
                    }
                }
            }
            for (Acknowledgement batch : batches) {
                for (long offset = Math.max(batch.firstOffset(), startOffset); offset <= batch.lastOffset(); offset++) {
                    InFlight record = inFlight.get(offset);
                    switch (batch.typeAt(offset)) {
                        case ACCEPT -> targets.put(offset, RecordState.ACKNOWLEDGED);
                        case RELEASE -> targets.put(offset, afterRelease(record));
                        case RENEW -> record.lockDeadlineMs = nowMs + lockDurationMs.getAsInt();
                        default -> targets.put(offset, RecordState.ARCHIVED); // REJECT, GAP
                    }
                }
            }
            if (targets.isEmpty()) {
                return CompletableFuture.completedFuture(Errors.NONE);
            }
            written = writeAhead(targets);
        }
        return written.thenApply(error -> {
            onWritten(targets, error);
            return error;
        });
    }

    /**
     * Makes every record {@code memberId} holds available again (its share session closed or it left),
     * once that is written; completes when done (a failed write leaves them to their locks).
     */
    public CompletableFuture<Void> releaseAll(String memberId, long nowMs) {
        Map<Long, RecordState> targets = new TreeMap<>();
        CompletableFuture<Errors> written;
        synchronized (this) {
            expireLocks(nowMs);
            for (Map.Entry<Long, InFlight> e : inFlight.entrySet()) {
                InFlight record = e.getValue();
                if (record.state == RecordState.ACQUIRED && !record.writing && memberId.equals(record.memberId)) {
                    targets.put(e.getKey(), afterRelease(record));
                }
            }
            if (targets.isEmpty()) {
                return CompletableFuture.completedFuture(null);
            }
            written = writeAhead(targets);
        }
        return written.thenAccept(error -> onWritten(targets, error));
    }

    /** Marks the records of {@code targets} as being written and writes their new states (under the lock). */
    private CompletableFuture<Errors> writeAhead(Map<Long, RecordState> targets) {
        List<StateBatch> batches = batchesOf(targets);
        targets.keySet().forEach(offset -> inFlight.get(offset).writing = true);
        // As Kafka's share-partition writes it: the start offset as it is before these changes (it moves once
        // they are written), and the records past it whose delivery is complete with them.
        int completeCount = 0;
        for (Map.Entry<Long, InFlight> e : inFlight.tailMap(startOffset).entrySet()) {
            if (targets.getOrDefault(e.getKey(), e.getValue().state).isFinal()) {
                completeCount++;
            }
        }
        return writer.write(startOffset, completeCount, batches);
    }

    /** A write of {@link #writeAhead} is done: its records take their new states if it succeeded. */
    private synchronized void onWritten(Map<Long, RecordState> targets, Errors error) {
        for (Map.Entry<Long, RecordState> target : targets.entrySet()) {
            InFlight record = inFlight.get(target.getKey());
            if (record == null) {
                continue; // removed from the log meanwhile
            }
            record.writing = false;
            if (error == Errors.NONE) {
                finish(record, target.getValue());
            }
        }
        if (error == Errors.NONE) {
            maybeAdvanceStartOffset();
        } else {
            LOG.warn("Share-partition state write failed: {}; {} records stay acquired", error, targets.size());
        }
    }

    /** The records' states as batches of consecutive offsets with one state and delivery count. */
    private List<StateBatch> batchesOf(Map<Long, RecordState> states) {
        List<StateBatch> batches = new ArrayList<>();
        for (Map.Entry<Long, RecordState> e : states.entrySet()) {
            long offset = e.getKey();
            byte code = code(e.getValue());
            short count = (short) inFlight.get(offset).deliveryCount;
            StateBatch last = batches.isEmpty() ? null : batches.get(batches.size() - 1);
            if (last != null && last.lastOffset() == offset - 1 && last.deliveryState() == code
                    && last.deliveryCount() == count) {
                batches.set(batches.size() - 1, new StateBatch(last.firstOffset(), offset, code, count));
            } else {
                batches.add(new StateBatch(offset, offset, code, count));
            }
        }
        return batches;
    }

    private static byte code(RecordState state) {
        return switch (state) {
            case AVAILABLE -> StateBatch.AVAILABLE;
            case ACQUIRED -> StateBatch.ACQUIRED;
            case ACKNOWLEDGED -> StateBatch.ACKNOWLEDGED;
            case ARCHIVED -> StateBatch.ARCHIVED;
        };
    }

    /** What a release makes of an acquired record: available, or archived at the delivery limit. */
    private RecordState afterRelease(InFlight record) {
        return record.deliveryCount >= deliveryCountLimit.getAsInt() ? RecordState.ARCHIVED : RecordState.AVAILABLE;
    }

    /** The offsets at and past {@code logStartOffset} only: records deleted from the log are done. */
    public synchronized void maybeSkipTo(long logStartOffset) {
        if (logStartOffset > startOffset) {
            inFlight.headMap(logStartOffset).clear();
            startOffset = logStartOffset;
            endOffset = Math.max(endOffset, logStartOffset);
        }
    }

    /** Releases the records whose lock is due at {@code nowMs}, at once, and writes their new states after. */
    private void expireLocks(long nowMs) {
        Map<Long, RecordState> expired = null;
        for (Map.Entry<Long, InFlight> e : inFlight.entrySet()) {
            InFlight record = e.getValue();
            if (record.state == RecordState.ACQUIRED && !record.writing && record.lockDeadlineMs <= nowMs) {
                finish(record, afterRelease(record));
                if (expired == null) {
                    expired = new TreeMap<>();
                }
                expired.put(e.getKey(), record.state);
            }
        }
        if (expired != null) {
            List<StateBatch> batches = batchesOf(expired);
            // Written as an acknowledgement is: the start offset before the change, the complete records past it.
            long writtenStartOffset = startOffset;
            int completeCount = (int) inFlight.tailMap(startOffset).values().stream().filter(r -> r.state.isFinal())
                    .count();
            maybeAdvanceStartOffset();
            int released = expired.size();
            writer.write(writtenStartOffset, completeCount, batches).thenAccept(error -> {
                if (error != Errors.NONE) {
                    LOG.warn("Writing the release of {} records whose lock expired failed: {}", released, error);
                }
            });
        }
    }

    private static void finish(InFlight record, RecordState state) {
        record.state = state;
        record.memberId = null;
    }

    private void maybeAdvanceStartOffset() {
        Iterator<Map.Entry<Long, InFlight>> it = inFlight.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Long, InFlight> e = it.next();
            if (e.getKey() != startOffset || !e.getValue().state.isFinal()) {
                break;
            }
            it.remove();
            startOffset++;
        }
        if (inFlight.isEmpty()) {
            startOffset = endOffset;
        }
    }
}
