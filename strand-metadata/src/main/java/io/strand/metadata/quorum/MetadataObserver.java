package io.strand.metadata.quorum;

import io.strand.metadata.image.MetadataDelta;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.MetadataListener;
import io.strand.metadata.image.MetadataReplayException;
import io.strand.metadata.record.MetadataFormatException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A broker-only node's copy of the metadata: it follows the committed metadata log without voting,
 * as Kafka's observers do. It fetches committed entries from whichever voter leads (through a
 * {@link LeaderRequestClient}, so leader changes and voters going down are handled as for every
 * leader request), replays each batch as a voter's state machine does
 * ({@link MetadataStateMachine#replay}) and hands each new image to its listener through a
 * {@link MetadataPublisher}. When the leader's log no longer holds the index it needs (it joined
 * late, or was down while the log was purged behind a snapshot), the leader sends its whole image
 * instead, in chunks of bounded size ({@link ObserverFetches#IMAGE_CHUNK_BYTES}) that the observer
 * assembles ({@link ImageAssembly}) and then loads as a voter loads a snapshot
 * ({@link SnapshotFile.Contents#replacing}). A chunk that does not continue the image being
 * assembled (the leader changed, or moved on to a newer image) makes it start over from the first
 * chunk of the image the leader offers now. See {@link MetadataFetchFormat} for the bytes and
 * {@link ObserverFetches} for the leader's side.
 *
 * <p>Fetching: one fetch at a time. An answer that moved the fetch index (or brought a chunk of the
 * image) is followed by the next fetch at once; an answer with nothing new by one after
 * {@link #IDLE_FETCH_BACKOFF_MS}; a failed fetch (no leader, a timeout) is tried again after
 * {@link #ERROR_BACKOFF_MS}. So a committed change reaches an observer within about
 * {@code IDLE_FETCH_BACKOFF_MS} plus a round trip. Stopgap, and why there is no long poll (the
 * leader holding a fetch until something is committed): Ratis' netty server (3.1.3) waits for every
 * client request's answer on its event-loop thread ({@code NettyRpcService}'s inbound handler calls
 * the blocking {@code RaftServer.submitClientRequest}), although the state machine's
 * {@code query} returns a future. A parked fetch would hold that thread and stall every other
 * connection the thread serves (brokers' heartbeats, controller requests) for as long as it is
 * parked. A transport that answers client requests asynchronously (Ratis' gRPC one does) would
 * allow it.
 *
 * <p>{@link #caughtUp()} completes once the observer has fetched past the commit index of the first
 * answer it got (what was committed when it started, as far as the leader knew), knows the cluster
 * id, and the listener has been told that image. A copy loaded from disk does not count as caught
 * up: the observer still fetches up to that commit index first.
 *
 * <p>The copy on disk: the image, as a {@link SnapshotFile} named {@link #COPY_FILE_NAME} in the
 * metadata directory, written on the scheduler thread after an image from the leader was loaded,
 * then at most every {@link #COPY_INTERVAL_MS} while the image moves, and by {@link #close()}. On
 * start the copy, if any, is loaded and told to the listener before the first fetch, which asks for
 * the index after it: a restart fetches only what it missed (or, when the leader's log no longer
 * holds that, the leader's image). A copy that cannot be read is ignored with a warning; the
 * observer then fetches from the start.
 *
 * <p>Survives a crash: the last copy written (at most about {@code COPY_INTERVAL_MS} behind what
 * was applied, none if the node never got that far). The file is replaced whole (written aside,
 * forced, renamed), so it is the old copy or the new one, never a mix; and it holds only committed
 * entries, a prefix of every later leader's log, so a restart fetches on from it safely. Stopgap: the
 * copy is not checked against the cluster id of the voters it then follows; a node moved to another
 * cluster must have its metadata directory emptied, as for its log directories.
 *
 * <p>Threads: thread-safe. One scheduler thread ({@code strand-metadata-observer-<nodeId>}) owns the
 * fetch position, the image being assembled and the copy on disk, and applies answers; the
 * publisher's thread calls the listener; {@link #image()} and {@link #leaderId()} are volatile
 * reads. {@link #close()} stops fetching, writes the copy, then stops the publisher after it has
 * told the listener what was already applied.
 */
public final class MetadataObserver implements NodeMetadata, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MetadataObserver.class);

    /** The copy of the image in the metadata directory. */
    static final String COPY_FILE_NAME = "observer-image.snapshot";
    /** Pause after an answer with nothing new before asking again. */
    static final long IDLE_FETCH_BACKOFF_MS = 50;
    /** Pause after a failed fetch; the leader request client has already tried every voter. */
    static final long ERROR_BACKOFF_MS = 100;
    /** How long one fetch may take, leader changes included, before it is sent afresh. */
    static final long FETCH_TIMEOUT_MS = 5_000;
    /** How long one voter may stay silent before the fetch goes to the next. */
    static final long FETCH_ATTEMPT_TIMEOUT_MS = 2_000;
    /** How often, at most, the copy on disk is rewritten while the image moves. */
    static final long COPY_INTERVAL_MS = 60_000;
    private static final long CLOSE_WAIT_MS = 5_000;

    private final int nodeId;
    private final Path copyFile;
    private final Time time;
    private final LeaderRequestClient client;
    private final MetadataPublisher publisher;
    private final ScheduledExecutorService scheduler;
    private final long startMs;
    private final CompletableFuture<Void> caughtUpBarrier = new CompletableFuture<>();
    private final CompletableFuture<Void> clusterIdKnown = new CompletableFuture<>();
    private final CompletableFuture<Void> caughtUp;

    private volatile MetadataImage image = MetadataImage.EMPTY;
    private volatile int leaderId = -1;
    private volatile boolean closed;
    /** Written by the scheduler thread only: metadata batches applied from fetched entries. */
    private volatile long fetchedBatches;
    /** Written by the scheduler thread only: image chunks received. */
    private volatile long imageChunks;
    /**
     * Scheduler thread only: the first log index not fetched yet. Without a copy on disk, the
     * index after the snapshot every voter's log starts from
     * ({@link MetadataStateMachine#STARTING_POINT}): an observer starts from the same empty image.
     */
    private long nextFetchIndex = MetadataStateMachine.STARTING_POINT.getIndex() + 1;
    /** Scheduler thread only: the commit index of the first answer, -1 before. */
    private long catchUpIndex = -1;
    /** Scheduler thread only: failed fetches in a row, for the log. */
    private int failures;
    /** Scheduler thread only: the leader's image being received, null when none. */
    private ImageAssembly assembly;
    /** Scheduler thread only (and close, after it stopped): the applied offset of the copy on disk. */
    private long copyOffset = MetadataImage.EMPTY.appliedOffset();
    /** Scheduler thread only: when the copy was last written (or tried). */
    private long copyWrittenMs;

    private MetadataObserver(int nodeId, Map<Integer, InetSocketAddress> voters, Path metadataDir, Time time,
                             MetadataListener listener, QuorumTransport transport) {
        this.nodeId = nodeId;
        this.copyFile = metadataDir.resolve(COPY_FILE_NAME);
        this.time = Objects.requireNonNull(time);
        this.startMs = time.milliseconds();
        this.copyWrittenMs = startMs;
        this.publisher = new MetadataPublisher(nodeId, Objects.requireNonNull(listener));
        this.client = LeaderRequestClient.open(nodeId + "-metadata-fetch", voters, FETCH_TIMEOUT_MS,
                FETCH_ATTEMPT_TIMEOUT_MS, () -> -1, transport);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "strand-metadata-observer-" + nodeId);
            t.setDaemon(true);
            return t;
        });
        this.caughtUp = caughtUpBarrier.thenCompose(v -> clusterIdKnown)
                .thenCompose(v -> publisher.published(image.appliedOffset()));
        this.caughtUp.thenRun(() -> log.info("Metadata observer caught up: nodeId={} leaderId={} appliedOffset={}"
                + " clusterId={} startupMs={}", nodeId, leaderId, image.appliedOffset(), image.clusterId(),
                time.milliseconds() - startMs));
    }

    /**
     * Starts following the metadata log of the quorum of {@code voters} (node id → Raft address, as
     * in {@code controller.quorum.voters}) as observer {@code nodeId}, which must not be a voter,
     * keeping its copy of the image in {@code metadataDir} (created if missing). Returns at once;
     * wait on {@link #caughtUp()} before serving reads.
     */
    public static MetadataObserver start(int nodeId, Map<Integer, InetSocketAddress> voters, Path metadataDir,
                                         Time time, MetadataListener listener) {
        return start(nodeId, voters, metadataDir, time, listener, QuorumTransport.plaintext());
    }

    /** As {@link #start(int, Map, Path, Time, MetadataListener)}, over the voters' {@code transport}. */
    public static MetadataObserver start(int nodeId, Map<Integer, InetSocketAddress> voters, Path metadataDir,
                                         Time time, MetadataListener listener, QuorumTransport transport) {
        if (voters.containsKey(nodeId)) {
            throw new IllegalArgumentException("An observer is not a voter: nodeId=" + nodeId + " voters="
                    + voters.keySet());
        }
        MetadataObserver observer = new MetadataObserver(nodeId, voters, Objects.requireNonNull(metadataDir), time,
                listener, Objects.requireNonNull(transport, "transport"));
        log.info("Metadata observer started: nodeId={} voters={} transport={} dir={}", nodeId, voters, transport,
                metadataDir);
        observer.runOnScheduler(() -> {
            observer.loadCopy();
            observer.fetch();
        }, 0);
        return observer;
    }

    public int nodeId() {
        return nodeId;
    }

    @Override
    public MetadataImage image() {
        return image;
    }

    @Override
    public MetadataImage publishedImage() {
        return publisher.publishedImage();
    }

    @Override
    public CompletableFuture<Void> caughtUp() {
        return caughtUp.copy();
    }

    /** The voter that answered the last fetch, as the leader. */
    @Override
    public OptionalInt leaderId() {
        int id = leaderId;
        return id < 0 ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** Completes once the listener has returned from an image at or past {@code offset}. */
    public CompletableFuture<Void> published(long offset) {
        return publisher.published(offset);
    }

    /** Metadata batches applied from fetched entries since start (not from images); for tests. */
    long fetchedBatches() {
        return fetchedBatches;
    }

    /** Chunks of the leader's image received since start; for tests. */
    long imageChunks() {
        return imageChunks;
    }

    /** Scheduler thread: the copy on disk, if there is one, becomes the image. */
    private void loadCopy() {
        if (!Files.exists(copyFile)) {
            log.info("No metadata copy on disk, fetching from the start: nodeId={} file={}", nodeId, copyFile);
            return;
        }
        try {
            SnapshotFile.Contents contents = SnapshotFile.read(copyFile);
            MetadataDelta delta = contents.replacing(image);
            publish(delta, delta.image());
            nextFetchIndex = contents.appliedOffset() + 1;
            copyOffset = contents.appliedOffset();
            log.info("Loaded the metadata copy on disk: nodeId={} file={} appliedOffset={} topics={} brokers={}",
                    nodeId, copyFile, contents.appliedOffset(), delta.image().topics().size(),
                    delta.image().brokers().size());
        } catch (IOException | MetadataFormatException | MetadataReplayException e) {
            log.warn("Ignored the metadata copy on disk, fetching from the start: nodeId={} file={} reason={}",
                    nodeId, copyFile, e.toString());
        }
    }

    /** Scheduler thread. */
    private void fetch() {
        if (closed) {
            return;
        }
        long fetchIndex = nextFetchIndex;
        ImageAssembly partial = assembly;
        ByteBuffer request = partial == null
                ? MetadataFetchFormat.request(nodeId, fetchIndex)
                : MetadataFetchFormat.request(nodeId, fetchIndex, partial.appliedOffset(), partial.received());
        client.send(MetadataFetchFormat.API_KEY, MetadataFetchFormat.VERSION, request)
                .whenComplete((body, error) -> runOnScheduler(() -> onAnswer(fetchIndex, body, error), 0));
    }

    /** Scheduler thread: the answer to the fetch from {@code fetchIndex}, or why there is none. */
    private void onAnswer(long fetchIndex, ByteBuffer body, Throwable error) {
        if (closed) {
            return;
        }
        if (error != null) {
            if (failures++ % 50 == 0) {
                log.warn("Metadata fetch failed, retrying: nodeId={} fetchIndex={} failures={} error={}", nodeId,
                        fetchIndex, failures, error.toString());
            }
            runOnScheduler(this::fetch, ERROR_BACKOFF_MS);
            return;
        }
        failures = 0;
        boolean moved;
        try {
            moved = apply(MetadataFetchFormat.parseAnswer(body));
        } catch (RuntimeException e) {
            // A bug, not a condition to wait out; still, fetching must not stop for good.
            log.error("Could not apply a metadata fetch answer, fetching again: nodeId={} fetchIndex={}", nodeId,
                    fetchIndex, e);
            assembly = null;
            runOnScheduler(this::fetch, ERROR_BACKOFF_MS);
            return;
        }
        maybeWriteCopy(false);
        runOnScheduler(this::fetch, moved ? 0 : IDLE_FETCH_BACKOFF_MS);
    }

    /** Scheduler thread: applies an answer; true when it moved the fetch index or brought image bytes. */
    private boolean apply(MetadataFetchFormat.Answer answer) {
        leaderId = answer.leaderId();
        boolean moved;
        if (answer.isImageChunk()) {
            moved = onImageChunk(answer.imageChunk());
        } else {
            if (assembly != null) {
                log.info("Dropped the metadata image being received, the leader sent entries: nodeId={} leaderId={}"
                        + " imageOffset={}", nodeId, leaderId, assembly.appliedOffset());
                assembly = null;
            }
            for (MetadataFetchFormat.Entry entry : answer.entries()) {
                if (entry.index() >= nextFetchIndex) {
                    applyBatch(entry);
                }
            }
            moved = answer.nextIndex() > nextFetchIndex;
            nextFetchIndex = Math.max(nextFetchIndex, answer.nextIndex());
        }
        if (catchUpIndex < 0) {
            catchUpIndex = answer.commitIndex();
        }
        if (nextFetchIndex > catchUpIndex) {
            caughtUpBarrier.complete(null);
        }
        return moved;
    }

    /** Scheduler thread: one chunk of the leader's image; loads the image once it is whole. */
    private boolean onImageChunk(MetadataFetchFormat.ImageChunk chunk) {
        imageChunks++;
        if (chunk.position() == 0) {
            assembly = ImageAssembly.begin(chunk);
        } else if (assembly == null || !assembly.accept(chunk)) {
            log.info("Metadata image chunk does not continue the image being received, starting over: nodeId={}"
                    + " leaderId={} imageOffset={} position={}", nodeId, leaderId, chunk.appliedOffset(),
                    chunk.position());
            assembly = null;
            return false;
        }
        if (!assembly.complete()) {
            return true;
        }
        SnapshotFile.Contents contents = assembly.contents();
        assembly = null;
        if (contents.appliedOffset() < nextFetchIndex) {
            // Not newer than what this observer has; the leader sends an image only past the fetch index.
            log.warn("Ignored a metadata image that is not newer: nodeId={} imageOffset={} nextFetchIndex={}",
                    nodeId, contents.appliedOffset(), nextFetchIndex);
            return false;
        }
        MetadataDelta delta = contents.replacing(image);
        publish(delta, delta.image());
        nextFetchIndex = contents.appliedOffset() + 1;
        log.info("Loaded the metadata leader's image: nodeId={} leaderId={} appliedOffset={} imageBytes={} topics={}"
                + " brokers={}", nodeId, leaderId, contents.appliedOffset(), chunk.imageBytes(),
                delta.image().topics().size(), delta.image().brokers().size());
        maybeWriteCopy(true);
        return true;
    }

    /** One committed batch; one that does not parse or apply is skipped, as every voter skips it. */
    private void applyBatch(MetadataFetchFormat.Entry entry) {
        try {
            MetadataDelta delta = MetadataStateMachine.replay(image, ByteBuffer.wrap(entry.batch()));
            publish(delta, delta.apply(entry.index()));
            fetchedBatches++;
        } catch (MetadataFormatException | MetadataReplayException e) {
            log.error("Skipped metadata batch the voters rejected too: nodeId={} index={} bytes={} reason={}", nodeId,
                    entry.index(), entry.batch().length, e.getMessage());
        }
    }

    private void publish(MetadataDelta delta, MetadataImage next) {
        image = next;
        publisher.publish(delta, next);
        if (next.clusterId() != null) {
            clusterIdKnown.complete(null);
        }
    }

    /**
     * Scheduler thread (or close, once it stopped): writes the image to the copy on disk if it moved
     * since the last copy and {@code now} is asked for or {@link #COPY_INTERVAL_MS} has passed. A
     * failed write is logged and tried again an interval later; fetching goes on.
     */
    private void maybeWriteCopy(boolean now) {
        MetadataImage current = image;
        long nowMs = time.milliseconds();
        if (current.appliedOffset() <= copyOffset || (!now && nowMs - copyWrittenMs < COPY_INTERVAL_MS)) {
            return;
        }
        copyWrittenMs = nowMs;
        try {
            Files.createDirectories(copyFile.getParent());
            SnapshotFile.write(copyFile, current);
            copyOffset = current.appliedOffset();
            log.debug("Wrote the metadata copy: nodeId={} file={} appliedOffset={}", nodeId, copyFile, copyOffset);
        } catch (IOException e) {
            log.warn("Could not write the metadata copy, keeping the older one: nodeId={} file={} error={}", nodeId,
                    copyFile, e.toString());
        }
    }

    private void runOnScheduler(Runnable task, long delayMs) {
        if (closed) {
            return;
        }
        try {
            scheduler.schedule(task, delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException ignored) {
            // closing
        }
    }

    /**
     * Stops fetching, writes the copy on disk (if the scheduler thread stopped in time), then stops
     * the publisher once it has told the listener what was applied. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        client.close();
        scheduler.shutdownNow();
        boolean stopped = false;
        try {
            stopped = scheduler.awaitTermination(CLOSE_WAIT_MS, TimeUnit.MILLISECONDS);
            if (!stopped) {
                log.warn("Metadata observer thread did not stop within {} ms, not writing the copy: nodeId={}",
                        CLOSE_WAIT_MS, nodeId);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (stopped) {
            maybeWriteCopy(true);
        }
        publisher.close();
        NotControllerException closedError = new NotControllerException("Metadata observer closed: nodeId=" + nodeId);
        caughtUpBarrier.completeExceptionally(closedError);
        clusterIdKnown.completeExceptionally(closedError);
    }
}
