package io.strand.broker.purgatory;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.common.protocol.Errors;

/**
 * An acks=all produce whose records are appended and wait to be replicated: each partition is
 * answered when the high watermark passes its last appended offset, with the error its check then
 * gives ({@code NOT_ENOUGH_REPLICAS_AFTER_APPEND} when the ISR shrank below
 * {@code min.insync.replicas} meanwhile), with the error of a lost leadership
 * ({@code NOT_LEADER_OR_FOLLOWER}), or with {@code REQUEST_TIMED_OUT} if the request's timeout comes
 * first. Once every partition is answered the whole produce completes, exactly once.
 *
 * <p>Thread-safe: a partition's replication future may complete on any thread (a follower's fetch
 * on its event loop, a role change on the metadata thread), the timeout on the timer's. Each
 * partition's answer is given once; the last one completes the produce on the thread that gave it.
 */
public final class DelayedProduce {

    /**
     * One partition the produce waits for.
     *
     * @param replicated   completes once the high watermark passes the partition's last appended
     *                     offset; fails if this broker stops leading it
     * @param onReplicated the partition's error once replicated ({@link Errors#NONE} if it may be
     *                     acknowledged), checked when {@code replicated} completes
     * @param answer       receives the partition's error, exactly once
     */
    public record Waiting(CompletableFuture<Void> replicated, Supplier<Errors> onReplicated, Consumer<Errors> answer) {
    }

    private final List<Waiting> partitions;
    private final AtomicBoolean[] answered;
    private final AtomicInteger unanswered;
    private final CompletableFuture<Void> completion = new CompletableFuture<>();
    private volatile ScheduledFuture<?> timeout;

    public DelayedProduce(List<Waiting> partitions) {
        this.partitions = List.copyOf(partitions);
        this.answered = new AtomicBoolean[this.partitions.size()];
        for (int i = 0; i < answered.length; i++) {
            answered[i] = new AtomicBoolean();
        }
        this.unanswered = new AtomicInteger(this.partitions.size());
    }

    /**
     * Starts waiting: from now on every partition replicated is answered; after {@code timeoutMs}
     * on {@code timer} the rest time out ({@link #expire}). Returns the completion of the whole produce.
     */
    public CompletableFuture<Void> start(ScheduledExecutorService timer, long timeoutMs) {
        if (partitions.isEmpty()) {
            completion.complete(null);
            return completion;
        }
        for (int i = 0; i < partitions.size(); i++) {
            int index = i;
            Waiting waiting = partitions.get(i);
            waiting.replicated().whenComplete((ignored, error) ->
                    answer(index, error == null ? waiting.onReplicated().get() : Errors.forException(unwrap(error))));
        }
        if (timer != null && !completion.isDone()) {
            timeout = timer.schedule(this::expire, Math.max(0L, timeoutMs), TimeUnit.MILLISECONDS);
            if (completion.isDone()) {
                timeout.cancel(false);
            }
        }
        return completion;
    }

    /** The request's timeout: every partition not answered yet gets {@code REQUEST_TIMED_OUT}. */
    public void expire() {
        for (int i = 0; i < partitions.size(); i++) {
            answer(i, Errors.REQUEST_TIMED_OUT);
        }
    }

    public boolean isDone() {
        return completion.isDone();
    }

    private void answer(int index, Errors error) {
        if (!answered[index].compareAndSet(false, true)) {
            return;
        }
        partitions.get(index).answer().accept(error);
        if (unanswered.decrementAndGet() == 0) {
            ScheduledFuture<?> scheduled = timeout;
            if (scheduled != null) {
                scheduled.cancel(false);
            }
            completion.complete(null);
        }
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }
}
