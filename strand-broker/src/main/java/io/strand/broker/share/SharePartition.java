package io.strand.broker.share;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntSupplier;
import org.apache.kafka.common.message.ShareFetchResponseData.AcquiredRecords;
import org.apache.kafka.common.protocol.Errors;

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
 * is archived. ACCEPT acknowledges, REJECT (and GAP: an acquired offset that holds no record) archives.
 * Whenever the records at the start offset are done, the start offset moves past them.
 *
 * <pre>
 *   offsets:  ... done ... | start ........ in flight ........ end | new ...
 * </pre>
 *
 * <p>Tracked per record (a map entry per in-flight offset, at most the lock limit of them). Locks
 * expire lazily: every operation first expires those due at its {@code nowMs}, so nothing runs between
 * requests and a test drives time by hand.
 *
 * <p><b>What survives a crash:</b> nothing yet. This first slice keeps the state in memory only; a new
 * leader or a restart starts the group again at {@code share.auto.offset.reset}. Durable share-group
 * state (Kafka's {@code __share_group_state}, or a Strand-internal equivalent) is the next slice.
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

    /** Read where they apply (the group's configs may change while the share-partition lives). */
    private final IntSupplier lockDurationMs;
    private final IntSupplier deliveryCountLimit;
    private final IntSupplier maxInFlight;
    private final TreeMap<Long, InFlight> inFlight = new TreeMap<>();
    private long startOffset;
    private long endOffset;

    /** One in-flight record. */
    private static final class InFlight {
        RecordState state = RecordState.AVAILABLE;
        int deliveryCount;
        String memberId;
        long lockDeadlineMs;
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
        this(startOffset, config.recordLockDurationMs(), config.deliveryCountLimit(), config.partitionMaxRecordLocks());
    }

    SharePartition(long startOffset, int lockDurationMs, int deliveryCountLimit, int maxInFlight) {
        this(startOffset, () -> lockDurationMs, () -> deliveryCountLimit, () -> maxInFlight);
    }

    /**
     * @param lockDurationMs     the group's {@code share.record.lock.duration.ms} now
     * @param deliveryCountLimit the group's {@code share.delivery.count.limit} now
     * @param maxInFlight        the group's {@code share.partition.max.record.locks} now
     */
    SharePartition(long startOffset, IntSupplier lockDurationMs, IntSupplier deliveryCountLimit,
                   IntSupplier maxInFlight) {
        this.startOffset = startOffset;
        this.endOffset = startOffset;
        this.lockDurationMs = lockDurationMs;
        this.deliveryCountLimit = deliveryCountLimit;
        this.maxInFlight = maxInFlight;
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
        expireLocks(nowMs);
        List<AcquiredRecords> acquired = new ArrayList<>();
        int count = 0;
        int maxInFlight = this.maxInFlight.getAsInt();
        long lockDeadlineMs = nowMs + lockDurationMs.getAsInt();
        for (long offset = Math.max(firstOffset, startOffset); offset <= lastOffset && count < maxRecords; offset++) {
            InFlight record = inFlight.get(offset);
            if (record == null) {
                if (offset < endOffset || inFlight.size() >= maxInFlight) {
                    if (offset < endOffset) {
                        continue; // done already
                    }
                    break;
                }
                record = new InFlight();
                inFlight.put(offset, record);
                endOffset = offset + 1;
            } else if (record.state != RecordState.AVAILABLE) {
                continue;
            }
            record.state = RecordState.ACQUIRED;
            record.deliveryCount++;
            record.memberId = memberId;
            record.lockDeadlineMs = lockDeadlineMs;
            count++;
            AcquiredRecords last = acquired.isEmpty() ? null : acquired.get(acquired.size() - 1);
            if (last != null && last.lastOffset() == offset - 1 && last.deliveryCount() == record.deliveryCount) {
                last.setLastOffset(offset);
            } else {
                acquired.add(new AcquiredRecords().setFirstOffset(offset).setLastOffset(offset)
                        .setDeliveryCount((short) record.deliveryCount));
            }
        }
        return acquired;
    }

    /**
     * Applies {@code memberId}'s acknowledgements, all or none: every offset named must be in flight,
     * acquired by this member and not past its lock, and every type known; otherwise INVALID_RECORD_STATE
     * (INVALID_REQUEST for an unknown type or a types list of the wrong length) and nothing changes.
     */
    public synchronized Errors acknowledge(String memberId, List<Acknowledgement> batches, long nowMs) {
        expireLocks(nowMs);
        for (Acknowledgement batch : batches) {
            long length = batch.lastOffset() - batch.firstOffset() + 1;
            if (length <= 0 || (batch.types().size() != 1 && batch.types().size() != length)) {
                return Errors.INVALID_REQUEST;
            }
            for (long offset = batch.firstOffset(); offset <= batch.lastOffset(); offset++) {
                byte type = batch.typeAt(offset);
                if (type < GAP || type > RENEW) {
                    return Errors.INVALID_REQUEST;
                }
                InFlight record = inFlight.get(offset);
                if (record == null || record.state != RecordState.ACQUIRED || !memberId.equals(record.memberId)) {
                    return Errors.INVALID_RECORD_STATE;
                }
            }
        }
        for (Acknowledgement batch : batches) {
            for (long offset = batch.firstOffset(); offset <= batch.lastOffset(); offset++) {
                InFlight record = inFlight.get(offset);
                switch (batch.typeAt(offset)) {
                    case ACCEPT -> finish(record, RecordState.ACKNOWLEDGED);
                    case RELEASE -> makeAvailable(record);
                    case RENEW -> record.lockDeadlineMs = nowMs + lockDurationMs.getAsInt();
                    default -> finish(record, RecordState.ARCHIVED); // REJECT, GAP
                }
            }
        }
        maybeAdvanceStartOffset();
        return Errors.NONE;
    }

    /** Makes every record {@code memberId} holds available again (its share session closed or it left). */
    public synchronized void releaseAll(String memberId, long nowMs) {
        expireLocks(nowMs);
        for (InFlight record : inFlight.values()) {
            if (record.state == RecordState.ACQUIRED && memberId.equals(record.memberId)) {
                makeAvailable(record);
            }
        }
        maybeAdvanceStartOffset();
    }

    /** The offsets at and past {@code logStartOffset} only: records deleted from the log are done. */
    public synchronized void maybeSkipTo(long logStartOffset) {
        if (logStartOffset > startOffset) {
            inFlight.headMap(logStartOffset).clear();
            startOffset = logStartOffset;
            endOffset = Math.max(endOffset, logStartOffset);
        }
    }

    private void expireLocks(long nowMs) {
        boolean expired = false;
        for (InFlight record : inFlight.values()) {
            if (record.state == RecordState.ACQUIRED && record.lockDeadlineMs <= nowMs) {
                makeAvailable(record);
                expired = true;
            }
        }
        if (expired) {
            maybeAdvanceStartOffset();
        }
    }

    private void makeAvailable(InFlight record) {
        if (record.deliveryCount >= deliveryCountLimit.getAsInt()) {
            finish(record, RecordState.ARCHIVED);
        } else {
            record.state = RecordState.AVAILABLE;
            record.memberId = null;
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
