package io.strand.broker.network;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads requests that may block run on ({@code num.io.threads}, Kafka's request handler pool):
 * appends with their segment rolls and {@code flush.messages} fsyncs, waits on a partition's writer
 * lock, checkpoint writes. The event loops only read, parse and write; a handler that blocks here
 * holds one of these threads, never a loop, so other connections' I/O goes on.
 *
 * <p>Fairness: each connection has at most one task queued or running here at a time (its
 * {@link RequestLane}, which runs a few of its pipelined requests per turn), and the queue is first in,
 * first out, so connections take turns. A request blocked for long holds one thread; only as many
 * such requests as there are threads can hold up everyone else, which is what sizing
 * {@code num.io.threads} is for.
 *
 * <p>Thread-safe. {@link #close()} lets running requests finish for a short while, then interrupts them.
 */
public final class RequestHandlerPool implements Executor, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RequestHandlerPool.class);
    static final String THREAD_NAME_PREFIX = "strand-request-handler-";
    private static final long CLOSE_TIMEOUT_MS = 5_000;

    private final ThreadPoolExecutor executor;

    /** @param threads at least 1 ({@code num.io.threads}, validated at start-up) */
    public RequestHandlerPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads=" + threads + ", need at least 1");
        }
        AtomicInteger next = new AtomicInteger();
        executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                task -> {
                    Thread thread = new Thread(task, THREAD_NAME_PREFIX + next.getAndIncrement());
                    thread.setDaemon(true);
                    return thread;
                });
        executor.prestartAllCoreThreads();
    }

    /** Runs {@code task} on a pool thread; throws {@link java.util.concurrent.RejectedExecutionException} once closed. */
    @Override
    public void execute(Runnable task) {
        executor.execute(task);
    }

    public int threads() {
        return executor.getMaximumPoolSize();
    }

    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(CLOSE_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                LOG.warn("Request handlers still busy after {} ms; interrupting them", CLOSE_TIMEOUT_MS);
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
