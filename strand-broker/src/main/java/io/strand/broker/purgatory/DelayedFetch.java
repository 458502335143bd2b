package io.strand.broker.purgatory;

import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.TopicPartition;

/**
 * A fetch that found less than {@code min_bytes} and waits for more, at most {@code max_wait_ms}.
 *
 * <p>Every step runs on the connection's event loop: a wake-up from an append on another thread
 * hops there first. {@code attempt} re-reads and, if enough has arrived, completes the response; the
 * timeout completes it with whatever is there. The response is completed exactly once.
 */
public final class DelayedFetch {

    private final ScheduledExecutorService eventLoop;
    private final FetchPurgatory purgatory;
    private final Collection<TopicPartition> partitions;
    private final BooleanSupplier attempt;
    private final Runnable forceComplete;
    private final AtomicBoolean done = new AtomicBoolean();
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private ScheduledFuture<?> timeout;

    /**
     * @param attempt       re-reads; returns true if it completed the response
     * @param forceComplete completes the response with what can be read now
     */
    public DelayedFetch(ScheduledExecutorService eventLoop, FetchPurgatory purgatory, Collection<TopicPartition> partitions,
                 BooleanSupplier attempt, Runnable forceComplete) {
        this.eventLoop = eventLoop;
        this.purgatory = purgatory;
        this.partitions = partitions;
        this.attempt = attempt;
        this.forceComplete = forceComplete;
    }

    /** Starts waiting. Call on the event loop. */
    public void start(long maxWaitMs, CompletableFuture<?> response) {
        purgatory.watch(this, partitions);
        timeout = eventLoop.schedule(this::onTimeout, maxWaitMs, TimeUnit.MILLISECONDS);
        response.whenComplete((r, e) -> finish());
        // Data may have arrived between the first read and the watch.
        onWake();
    }

    void wake() {
        if (!done.get() && wakePending.compareAndSet(false, true)) {
            eventLoop.execute(this::onWake);
        }
    }

    private void onWake() {
        wakePending.set(false);
        if (!done.get() && attempt.getAsBoolean()) {
            finish();
        }
    }

    /**
     * Completes the fetch now with what can be read, as its timeout would, on the event loop: its
     * connection closed and no one waits for more.
     */
    public void completeNow() {
        if (!done.get()) {
            eventLoop.execute(this::onTimeout);
        }
    }

    private void onTimeout() {
        if (!done.get()) {
            forceComplete.run();
            finish();
        }
    }

    private void finish() {
        if (done.compareAndSet(false, true)) {
            purgatory.unwatch(this, partitions);
            if (timeout != null) {
                timeout.cancel(false);
            }
        }
    }
}
