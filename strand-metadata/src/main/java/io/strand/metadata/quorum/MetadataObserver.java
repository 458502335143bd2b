package io.strand.metadata.quorum;

import io.strand.metadata.image.MetadataDelta;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.MetadataListener;
import io.strand.metadata.image.MetadataReplayException;
import io.strand.metadata.record.MetadataFormatException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
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
 * id, and the listener has been told that image.
 *
 * <p>Survives a crash: nothing. Stopgap: an observer keeps no copy on disk, so each start fetches
 * the leader's whole image again and the log after it; Kafka's brokers keep the log and snapshots
 * locally.
 *
 * <p>Threads: thread-safe. One scheduler thread ({@code strand-metadata-observer-<nodeId>}) owns the
 * fetch position and the image being assembled, and applies answers; the
 * publisher's thread calls the listener; {@link #image()} and {@link #leaderId()} are volatile
 * reads. {@link #close()} stops fetching, then the publisher after it has told the listener what was
 * already applied.
 */
public final class MetadataObserver implements NodeMetadata, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MetadataObserver.class);

    /** Pause after an answer with nothing new before asking again. */
    static final long IDLE_FETCH_BACKOFF_MS = 50;
    /** Pause after a failed fetch; the leader request client has already tried every voter. */
    static final long ERROR_BACKOFF_MS = 100;
    /** How long one fetch may take, leader changes included, before it is sent afresh. */
    static final long FETCH_TIMEOUT_MS = 5_000;
    /** How long one voter may stay silent before the fetch goes to the next. */
    static final long FETCH_ATTEMPT_TIMEOUT_MS = 2_000;
    private static final long CLOSE_WAIT_MS = 5_000;

    private final int nodeId;
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
    /** Scheduler thread only: the first log index not fetched yet. */
    private long nextFetchIndex;
    /** Scheduler thread only: the commit index of the first answer, -1 before. */
    private long catchUpIndex = -1;
    /** Scheduler thread only: failed fetches in a row, for the log. */
    private int failures;
    /** Scheduler thread only: the leader's image being received, null when none. */
    private ImageAssembly assembly;

    private MetadataObserver(int nodeId, Map<Integer, InetSocketAddress> voters, Time time,
                             MetadataListener listener) {
        this.nodeId = nodeId;
        this.time = Objects.requireNonNull(time);
        this.startMs = time.milliseconds();
        this.publisher = new MetadataPublisher(nodeId, Objects.requireNonNull(listener));
        this.client = LeaderRequestClient.open(nodeId + "-metadata-fetch", voters, FETCH_TIMEOUT_MS,
                FETCH_ATTEMPT_TIMEOUT_MS);
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
     * in {@code controller.quorum.voters}) as observer {@code nodeId}, which must not be a voter.
     * Returns at once; wait on {@link #caughtUp()} before serving reads.
     */
    public static MetadataObserver start(int nodeId, Map<Integer, InetSocketAddress> voters, Time time,
                                         MetadataListener listener) {
        if (voters.containsKey(nodeId)) {
            throw new IllegalArgumentException("An observer is not a voter: nodeId=" + nodeId + " voters="
                    + voters.keySet());
        }
        MetadataObserver observer = new MetadataObserver(nodeId, voters, time, listener);
        log.info("Metadata observer started: nodeId={} voters={}", nodeId, voters);
        observer.runOnScheduler(observer::fetch, 0);
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

    /** Stops fetching, then the publisher once it has told the listener what was applied. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        client.close();
        scheduler.shutdownNow();
        try {
            if (!scheduler.awaitTermination(CLOSE_WAIT_MS, TimeUnit.MILLISECONDS)) {
                log.warn("Metadata observer thread did not stop within {} ms: nodeId={}", CLOSE_WAIT_MS, nodeId);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        publisher.close();
        NotControllerException closedError = new NotControllerException("Metadata observer closed: nodeId=" + nodeId);
        caughtUpBarrier.completeExceptionally(closedError);
        clusterIdKnown.completeExceptionally(closedError);
    }
}
