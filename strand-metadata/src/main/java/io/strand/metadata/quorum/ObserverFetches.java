package io.strand.metadata.quorum;

import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.record.MetadataRecordSerde;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The leader's side of metadata fetches ({@link MetadataFetchFormat}): answers an observer with the
 * committed state machine entries from the index it asks for, or with this node's whole image when
 * the log no longer reaches back that far (it was purged behind a snapshot), and remembers each
 * observer's progress for DescribeQuorum.
 *
 * <p>Only committed entries are sent, so whichever leader answers, an observer never applies what
 * a later leader could drop: committed entries are in every later leader's log at the same index.
 * A new leader whose commit index is still behind what the observer has answers nothing new, and
 * the next index it names is never below the observer's fetch index.
 *
 * <p>Why the image is sent and not the snapshot file: the image is immutable, as committed as the
 * file (applied entries are committed ones), and newer. The log's start is read before the image,
 * and Ratis purges only behind a snapshot of entries already applied, so the image holds every
 * metadata entry before that start: an observer whose fetch index is past the image's applied
 * offset has them all and skips to the log's start instead of loading the same image again.
 *
 * <p>Threads: thread-safe; Ratis server threads call {@link #answer}, the quorum's callers
 * {@link #observers}. Answers are bounded by {@link #MAX_ENTRIES} and {@link #MAX_BATCH_BYTES}
 * (a single larger entry still travels alone); a snapshot answer is the whole image.
 */
final class ObserverFetches {

    static final int MAX_ENTRIES = 1_000;
    static final int MAX_BATCH_BYTES = 1024 * 1024;
    /** An observer not heard from for this long is no longer reported, as Kafka's leader forgets idle observers. */
    static final long OBSERVER_EXPIRY_MS = 5 * 60_000L;

    /** The leader's committed Raft log as fetches read it. */
    interface CommittedLog {
        long startIndex();

        long commitIndex();

        /** The entry at {@code index}, or null when the log does not hold it (purged, or not yet written). */
        LogRecord entry(long index) throws IOException;
    }

    /** An entry of the Raft log: a metadata batch, or null for an entry of Ratis' own (configuration, …). */
    record LogRecord(byte[] batch) {
        static final LogRecord NOT_METADATA = new LogRecord(null);
    }

    /** What the leader knows of an observer: DescribeQuorum's replica state for it. */
    record Observer(int nodeId, long fetchIndex, long lastFetchMs, long lastCaughtUpMs) {
    }

    private final Supplier<Integer> leaderId;
    private final Supplier<CommittedLog> log;
    private final Supplier<MetadataImage> image;
    private final LongSupplier nowMs;
    private final Map<Integer, Observer> observers = new ConcurrentHashMap<>();

    /**
     * @param leaderId this node's id, reported as the answering leader
     * @param log      the committed log; null before the Raft server runs
     * @param image    the latest applied image
     */
    ObserverFetches(Supplier<Integer> leaderId, Supplier<CommittedLog> log, Supplier<MetadataImage> image,
                    LongSupplier nowMs) {
        this.leaderId = Objects.requireNonNull(leaderId);
        this.log = Objects.requireNonNull(log);
        this.image = Objects.requireNonNull(image);
        this.nowMs = Objects.requireNonNull(nowMs);
    }

    /** Answers one fetch; the request data as {@link MetadataFetchFormat#request} wrote it. */
    ByteBuffer answer(ByteBuffer requestData) throws IOException {
        MetadataFetchFormat.Request request = MetadataFetchFormat.parseRequest(requestData);
        CommittedLog committed = log.get();
        if (committed == null) {
            throw new IllegalStateException("Metadata log not open yet");
        }
        long startIndex = committed.startIndex();
        long commitIndex = committed.commitIndex();
        MetadataImage current = image.get();
        remember(request, commitIndex);
        if (request.fetchIndex() < startIndex) {
            if (current.appliedOffset() < request.fetchIndex()) {
                return answer(false, commitIndex, startIndex, List.of());
            }
            byte[] batch = MetadataRecordSerde.serializeBatch(current.toRecords());
            return answer(true, commitIndex, current.appliedOffset() + 1,
                    List.of(new MetadataFetchFormat.Entry(current.appliedOffset(), batch)));
        }
        List<MetadataFetchFormat.Entry> entries = new ArrayList<>();
        long bytes = 0;
        long index = request.fetchIndex();
        while (index <= commitIndex && entries.size() < MAX_ENTRIES && bytes < MAX_BATCH_BYTES) {
            LogRecord record = committed.entry(index);
            if (record == null) {
                break;
            }
            if (record.batch() != null) {
                entries.add(new MetadataFetchFormat.Entry(index, record.batch()));
                bytes += record.batch().length;
            }
            index++;
        }
        return answer(false, commitIndex, index, entries);
    }

    private ByteBuffer answer(boolean snapshot, long commitIndex, long nextIndex, List<MetadataFetchFormat.Entry> entries) {
        return MetadataFetchFormat.answer(new MetadataFetchFormat.Answer(snapshot, leaderId.get(), commitIndex,
                nextIndex, entries));
    }

    private void remember(MetadataFetchFormat.Request request, long commitIndex) {
        long now = nowMs.getAsLong();
        boolean caughtUp = request.fetchIndex() > commitIndex;
        observers.compute(request.observerId(), (id, before) -> new Observer(id, request.fetchIndex(), now,
                caughtUp ? now : before == null ? -1L : before.lastCaughtUpMs()));
    }

    /** The observers heard from within {@link #OBSERVER_EXPIRY_MS}, by node id; forgets the others. */
    List<Observer> observers() {
        long now = nowMs.getAsLong();
        observers.values().removeIf(o -> now - o.lastFetchMs() > OBSERVER_EXPIRY_MS);
        List<Observer> list = new ArrayList<>(observers.values());
        list.sort(Comparator.comparingInt(Observer::nodeId));
        return list;
    }
}
