package io.strand.metadata.quorum;

import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.record.MetadataRecordSerde;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The leader's side of metadata fetches ({@link MetadataFetchFormat}): answers an observer with the
 * committed state machine entries from the index it asks for, or with this node's whole image, in
 * chunks of at most {@code imageChunkBytes}, when the log no longer reaches back that far (it was
 * purged behind a snapshot), and remembers each observer's progress for DescribeQuorum.
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
 * <p>Image chunks: the image is serialized once (one {@code MetadataRecordSerde} batch) and kept,
 * the latest one only, so that every chunk of it comes from the same bytes however far the image
 * moves on meanwhile; an observer names the image and the position it has reached, and gets the
 * next chunk of that image while it is the one kept. Otherwise (another image was serialized since,
 * or another leader answers, which keeps none) it gets the first chunk of the current image and
 * starts over. The bytes kept are those of the last image sent, for as long as this node runs.
 *
 * <p>Threads: thread-safe; Ratis server threads call {@link #answer}, the quorum's callers
 * {@link #observers}. Answers are bounded by {@link #MAX_ENTRIES} and {@link #MAX_BATCH_BYTES}
 * (a single larger entry still travels alone); an image chunk by {@code imageChunkBytes}. The image
 * kept is a volatile reference to immutable bytes: two threads that serialize at once each answer
 * from their own bytes, and the later one is kept.
 */
final class ObserverFetches {

    static final int MAX_ENTRIES = 1_000;
    static final int MAX_BATCH_BYTES = 1024 * 1024;
    /** The size of the image's chunks; an image larger than this takes several answers. */
    static final int IMAGE_CHUNK_BYTES = 1024 * 1024;
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

    /** An image as the bytes its chunks are cut from. */
    private record SerializedImage(long appliedOffset, byte[] bytes) {
    }

    private final Supplier<Integer> leaderId;
    private final Supplier<CommittedLog> log;
    private final Supplier<MetadataImage> image;
    private final LongSupplier nowMs;
    private final int imageChunkBytes;
    private final Map<Integer, Observer> observers = new ConcurrentHashMap<>();
    /** The image last sent, null before the first; see the class doc. */
    private volatile SerializedImage lastImage;

    /**
     * @param leaderId this node's id, reported as the answering leader
     * @param log      the committed log; null before the Raft server runs
     * @param image    the latest applied image
     */
    ObserverFetches(Supplier<Integer> leaderId, Supplier<CommittedLog> log, Supplier<MetadataImage> image,
                    LongSupplier nowMs) {
        this(leaderId, log, image, nowMs, IMAGE_CHUNK_BYTES);
    }

    /** As above, cutting images into chunks of {@code imageChunkBytes}. */
    ObserverFetches(Supplier<Integer> leaderId, Supplier<CommittedLog> log, Supplier<MetadataImage> image,
                    LongSupplier nowMs, int imageChunkBytes) {
        if (imageChunkBytes <= 0) {
            throw new IllegalArgumentException("Image chunks must hold bytes: imageChunkBytes=" + imageChunkBytes);
        }
        this.leaderId = Objects.requireNonNull(leaderId);
        this.log = Objects.requireNonNull(log);
        this.image = Objects.requireNonNull(image);
        this.nowMs = Objects.requireNonNull(nowMs);
        this.imageChunkBytes = imageChunkBytes;
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
                return answer(commitIndex, startIndex, List.of());
            }
            return imageChunk(request, current, commitIndex);
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
        return answer(commitIndex, index, entries);
    }

    private ByteBuffer answer(long commitIndex, long nextIndex, List<MetadataFetchFormat.Entry> entries) {
        return MetadataFetchFormat.answer(MetadataFetchFormat.Answer.entries(leaderId.get(), commitIndex, nextIndex,
                entries));
    }

    /**
     * The next chunk of the image the observer assembles, if it is the one kept; else the first
     * chunk of {@code current}, serialized unless it is the one kept.
     */
    private ByteBuffer imageChunk(MetadataFetchFormat.Request request, MetadataImage current, long commitIndex) {
        SerializedImage kept = lastImage;
        boolean resumes = kept != null && request.imagePosition() > 0 && request.imageOffset() == kept.appliedOffset()
                && request.imagePosition() < kept.bytes().length && kept.appliedOffset() >= request.fetchIndex();
        SerializedImage sent = kept;
        if (!resumes && (kept == null || kept.appliedOffset() != current.appliedOffset())) {
            sent = new SerializedImage(current.appliedOffset(), MetadataRecordSerde.serializeBatch(current.toRecords()));
            lastImage = sent;
        }
        int position = resumes ? request.imagePosition() : 0;
        int length = Math.min(imageChunkBytes, sent.bytes().length - position);
        MetadataFetchFormat.ImageChunk chunk = new MetadataFetchFormat.ImageChunk(sent.appliedOffset(),
                sent.bytes().length, position, Arrays.copyOfRange(sent.bytes(), position, position + length));
        return MetadataFetchFormat.answer(new MetadataFetchFormat.Answer(leaderId.get(), commitIndex,
                sent.appliedOffset() + 1, List.of(), chunk));
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
