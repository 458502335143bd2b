package io.strand.metadata.quorum;

import io.strand.metadata.image.MetadataDelta;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.MetadataListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import org.apache.kafka.common.errors.NotControllerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each new metadata image, with the delta that made it, from the thread that applied it to
 * one {@link MetadataListener} on a thread of its own ({@code strand-metadata-publisher-<nodeId>}),
 * so applying the log never waits on what the listener does with a change (opening or deleting
 * partition logs, loading group coordinator shards).
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #publish} only enqueues and never blocks. The listener is called once per published
 *       image, in the order {@code publish} was called, one call at a time, never on the caller's
 *       thread.</li>
 *   <li>Every delta is passed on by itself: {@link MetadataDelta} cannot merge two deltas, so a
 *       publisher that falls behind does not coalesce them; it catches up one by one.</li>
 *   <li>A listener that throws is logged; the publisher goes on with the next image.</li>
 *   <li>{@link #published(long)} completes once the listener has returned from an image at or past
 *       an offset; {@link #publishedImage()} is the latest such image.</li>
 *   <li>{@link #close()} stops taking images, lets the thread tell the listener what is already
 *       queued (the publisher drains), and fails the {@code published} futures still waiting. A
 *       listener still busy after {@link #CLOSE_WAIT_MS} is not interrupted (an interrupt closes the
 *       file channels it may be writing); the thread ends after that call, the rest is dropped.</li>
 * </ul>
 *
 * <p>Threads: thread-safe; {@code publish} is meant to be called by one thread at a time (the
 * quorum's apply thread, or the Ratis start-up thread before it), so "in log order" is the order
 * of those calls. The publisher thread is the only caller of the listener and the only writer of
 * {@link #publishedImage()}.
 *
 * <p>Stopgap: the queue is unbounded. A listener stuck for long keeps every image applied since in
 * memory; it is not limited because dropping an image would lose a delta.
 */
final class MetadataPublisher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MetadataPublisher.class);

    static final long CLOSE_WAIT_MS = 5_000;

    /** A queued image, or the end of the queue (both fields null). */
    private record Update(MetadataDelta delta, MetadataImage image) {
        static final Update END = new Update(null, null);
    }

    private final int nodeId;
    private final MetadataListener listener;
    private final LinkedBlockingQueue<Update> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    /** Waiting {@link #published} futures by offset; guarded by itself. */
    private final TreeMap<Long, List<CompletableFuture<Void>>> waiters = new TreeMap<>();

    private volatile MetadataImage publishedImage = MetadataImage.EMPTY;
    private volatile boolean closed;
    /** Set when {@link #close} stopped waiting for the drain: the thread ends after its current call. */
    private volatile boolean abandoned;

    MetadataPublisher(int nodeId, MetadataListener listener) {
        this.nodeId = nodeId;
        this.listener = Objects.requireNonNull(listener);
        this.thread = new Thread(this::run, "strand-metadata-publisher-" + nodeId);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Queues {@code image}, made by the applied {@code delta}, for the listener. Ignored once closed. */
    void publish(MetadataDelta delta, MetadataImage image) {
        if (closed) {
            log.debug("Metadata publisher closed, not publishing: nodeId={} appliedOffset={}", nodeId,
                    image.appliedOffset());
            return;
        }
        queue.add(new Update(Objects.requireNonNull(delta), Objects.requireNonNull(image)));
    }

    /** The latest image the listener has returned from ({@link MetadataImage#EMPTY} before the first). */
    MetadataImage publishedImage() {
        return publishedImage;
    }

    /**
     * Completes once the listener has returned from an image whose applied offset is at least
     * {@code offset} (at once if it has); fails with {@link NotControllerException} if the publisher
     * closes first. A future completed by the publisher runs its callbacks on the publisher thread.
     */
    CompletableFuture<Void> published(long offset) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        synchronized (waiters) {
            if (publishedImage.appliedOffset() >= offset) {
                return CompletableFuture.completedFuture(null);
            }
            if (closed) {
                return CompletableFuture.failedFuture(closedError());
            }
            waiters.computeIfAbsent(offset, o -> new ArrayList<>()).add(future);
        }
        return future;
    }

    /** Publisher thread. */
    private void run() {
        try {
            while (true) {
                Update update = queue.take();
                if (update == Update.END || abandoned) {
                    return;
                }
                onUpdate(update);
            }
        } catch (InterruptedException e) {
            log.warn("Metadata publisher interrupted, images left unpublished: nodeId={} queued={}", nodeId,
                    queue.size());
            Thread.currentThread().interrupt();
        }
    }

    private void onUpdate(Update update) {
        long offset = update.image().appliedOffset();
        try {
            listener.onImage(update.delta(), update.image());
        } catch (Throwable e) {
            log.error("Metadata listener failed, publishing goes on: nodeId={} appliedOffset={}", nodeId, offset, e);
        }
        List<CompletableFuture<Void>> done = new ArrayList<>();
        synchronized (waiters) {
            publishedImage = update.image();
            Map<Long, List<CompletableFuture<Void>>> reached = waiters.headMap(offset, true);
            reached.values().forEach(done::addAll);
            reached.clear();
        }
        done.forEach(f -> f.complete(null));
    }

    /** Drains what is queued to the listener (at most {@link #CLOSE_WAIT_MS}), then stops. Idempotent. */
    @Override
    public void close() {
        synchronized (waiters) {
            if (closed) {
                return;
            }
            closed = true;
        }
        queue.add(Update.END);
        try {
            thread.join(CLOSE_WAIT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            abandoned = true;
            log.warn("Metadata listener still busy after {} ms; dropping the images queued behind it: nodeId={}"
                    + " queued={}", CLOSE_WAIT_MS, nodeId, queue.size());
        }
        List<CompletableFuture<Void>> left = new ArrayList<>();
        synchronized (waiters) {
            waiters.values().forEach(left::addAll);
            waiters.clear();
        }
        NotControllerException error = closedError();
        left.forEach(f -> f.completeExceptionally(error));
    }

    private NotControllerException closedError() {
        return new NotControllerException("Metadata publisher closed: nodeId=" + nodeId);
    }
}
