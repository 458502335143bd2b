package io.strand.coordinator.runtime;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.CoordinatorLoadInProgressException;
import org.apache.kafka.common.errors.NotCoordinatorException;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An asynchronous runtime for coordinators whose state is a log of records (the group coordinator
 * today; the transaction and share-group coordinators next): one {@link CoordinatorShard} per
 * partition this node leads, operations that return records plus a response, appends that complete
 * when the records are committed, and responses held until then.
 *
 * <h2>An operation's path</h2>
 * <ol>
 *   <li>{@link #scheduleWriteOperation} queues the operation on the partition's thread; operations of
 *       one shard run one at a time, in the order they were scheduled.</li>
 *   <li>The operation returns a {@link CoordinatorResult}. Its records are applied at once through
 *       {@link CoordinatorShard#replay} (speculatively: the next operation sees them) and handed to
 *       {@link CoordinatorLog#append}, which returns a future; the thread moves on to the next
 *       operation, of this shard or another.</li>
 *   <li>When the append's future completes (committed: the high watermark passed the batch), the
 *       completion hops back to the shard's thread and releases, in order, the responses of every
 *       operation whose records — and whose predecessors' records — are now committed. An operation
 *       without records still waits for the appends scheduled before it, so no response ever shows
 *       state that might be lost.</li>
 * </ol>
 *
 * <h2>Transactional writes</h2>
 * {@link #scheduleTransactionalWriteOperation} writes an operation's records in a transactional batch of
 * a producer, applied through the shard's transactional replay (pending until a marker);
 * {@link #scheduleTransactionCompletion} writes that producer's commit or abort marker and applies it.
 * Both take their place in the shard's order like any operation, are applied at once and answered once
 * committed; a failed append of either reloads the shard as below.
 *
 * <h2>A failed append</h2>
 * The shard's in-memory state already contains the failed batch (and whatever later operations
 * built on it), so it must not stay. Kafka reverts to a snapshot of the last committed state kept in
 * timeline data structures; this runtime takes the simpler route, correct without them: the shard
 * stops taking operations (COORDINATOR_LOAD_IN_PROGRESS, which clients retry), waits until its other
 * appends in flight have settled, releases the responses of operations committed before the failed
 * one, fails the failed operation's response and every later one with the append's error, unloads
 * the shard and loads a fresh one from the committed log. Append failures are rare (the partition's
 * leadership moved, too few in-sync replicas, a batch too large) and the first of these unloads
 * the shard anyway. A replay that throws for a live operation is treated the same way.
 *
 * <h2>Leadership</h2>
 * A shard exists only for a partition this node leads, and for one leader epoch of it
 * ({@link #onLeadership(Map)}, from the metadata publisher's changes): becoming leader, or a newer
 * epoch, loads a fresh shard on the partition's thread and unloads any older one; losing leadership
 * unloads. A load replays the log to its end and then waits, off the thread, for those records to be
 * committed ({@link CoordinatorLog#awaitCommitted}) before the shard serves; a shard superseded or
 * unloaded meanwhile never serves, so a slow load of an old epoch cannot win over a newer event. A
 * load that fails is tried again every {@value #LOAD_RETRY_MS} ms for as long as the last leadership
 * given still names this partition at that epoch: the log may refuse a load because the replica layer
 * has not taken the same leadership yet, and no further metadata change need come to ask again.
 *
 * <h2>Threads</h2>
 * {@code threads} single-threaded executors; partition {@code p} always runs on executor
 * {@code p % threads}: its loading, operations, ticks, append completions and unloading. A shard
 * waiting for a commit does not hold its thread, so other shards on the same thread are never
 * blocked by it. Every public method is thread-safe and only enqueues work.
 *
 * <h2>Errors</h2>
 * An operation for a partition not loaded here fails with {@link NotCoordinatorException}; while it
 * loads (or reloads after a failed append), {@link CoordinatorLoadInProgressException}; an operation
 * that throws fails its response with that exception (and must not have changed the shard: compute,
 * then apply).
 *
 * @param <S> the shard type
 * @param <R> the record type
 */
public final class CoordinatorRuntime<S extends CoordinatorShard<R>, R> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CoordinatorRuntime.class);
    private static final long CLOSE_TIMEOUT_MS = 5_000;
    /** How long after a failed load the runtime tries again, if the partition is still led at that epoch. */
    static final long LOAD_RETRY_MS = 1_000;

    private enum Status {
        /** The committed log is being replayed; operations get COORDINATOR_LOAD_IN_PROGRESS. */
        LOADING,
        /** Serving operations. */
        ACTIVE,
        /** An append failed; waiting for the appends in flight before reloading. */
        FAILED,
        /** Dropped; late append completions are ignored. */
        UNLOADED
    }

    /** A response waiting for the append of sequence {@code requiredSeq} to commit. */
    private record Pending(long requiredSeq, Runnable onCommitted, Consumer<Throwable> onFailed) {
    }

    /**
     * One loaded (or loading) shard and its append bookkeeping. Appends are numbered 1, 2, … in the
     * order they are sent; the log commits them in that order, so "sequence n committed" means every
     * append up to n is. Fields other than {@code status} belong to the shard's thread.
     */
    private final class ShardContext {
        final int partition;
        /** The partition's leader epoch this shard was loaded for. */
        final int leaderEpoch;
        final S shard;
        final ScheduledExecutorService thread;
        volatile Status status = Status.LOADING;
        long lastAppendSeq;
        long committedSeq;
        long failedSeq = Long.MAX_VALUE;
        Throwable failure;
        int appendsInFlight;
        final ArrayDeque<Pending> pending = new ArrayDeque<>();

        ShardContext(int partition, int leaderEpoch) {
            this.partition = partition;
            this.leaderEpoch = leaderEpoch;
            this.shard = shardFactory.create(partition, leaderEpoch);
            this.thread = executor(partition);
        }
    }

    private final String name;
    private final Time time;
    private final CoordinatorLog<R> log;
    private final ShardFactory<S> shardFactory;
    private final ScheduledExecutorService[] threads;
    private final ConcurrentHashMap<Integer, ShardContext> contexts = new ConcurrentHashMap<>();
    /** The partitions led here and their leader epochs, as the last {@link #onLeadership(Map)} gave them. */
    private Map<Integer, Integer> led = Map.of();
    private boolean closed;

    /**
     * @param name         names the threads ({@code strand-<name>-<i>}) and the log lines
     * @param threadCount  how many threads the shards share
     * @param tickMs       how often {@link CoordinatorShard#onTick} runs on every active shard
     * @param shardFactory creates the empty shard of a partition about to be loaded
     */
    public CoordinatorRuntime(String name, int threadCount, long tickMs, Time time, CoordinatorLog<R> log,
                              IntFunction<S> shardFactory) {
        this(name, threadCount, tickMs, time, log, (partition, leaderEpoch) -> shardFactory.apply(partition));
    }

    /**
     * As the constructor above, with a factory that is also told the leader epoch the shard is
     * loaded for (the transaction coordinator's epoch, which its markers carry).
     */
    public CoordinatorRuntime(String name, int threadCount, long tickMs, Time time, CoordinatorLog<R> log,
                              ShardFactory<S> shardFactory) {
        if (threadCount < 1) {
            throw new IllegalArgumentException("threadCount=" + threadCount + " must be at least 1");
        }
        this.name = name;
        this.time = time;
        this.log = log;
        this.shardFactory = shardFactory;
        this.threads = new ScheduledExecutorService[threadCount];
        for (int i = 0; i < threadCount; i++) {
            int index = i;
            ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "strand-" + name + "-" + index);
                t.setDaemon(true);
                return t;
            });
            executor.setRemoveOnCancelPolicy(true);
            threads[i] = executor;
            executor.scheduleWithFixedDelay(() -> tick(index), tickMs, tickMs, TimeUnit.MILLISECONDS);
        }
    }

    /** Creates the empty shard of a partition about to be loaded, for one leader epoch of it. */
    @FunctionalInterface
    public interface ShardFactory<S> {
        S create(int partition, int leaderEpoch);
    }

    /**
     * As {@link #onLeadership(Map)} with every partition at leader epoch 0: for a coordinator whose
     * partitions never change leader (a single replica) and for tests.
     */
    public void onLeadership(Set<Integer> ledPartitions) {
        Map<Integer, Integer> epochs = new HashMap<>();
        ledPartitions.forEach(partition -> epochs.put(partition, 0));
        onLeadership(epochs);
    }

    /**
     * Brings the shards in line with the partitions this node now leads, partition to leader epoch.
     * A partition led at an epoch newer than its shard's (or not loaded at all) gets a fresh shard,
     * loaded on its thread, and the older shard is unloaded (its waiting responses fail with
     * NOT_COORDINATOR); a partition at its shard's epoch or an older one keeps its shard (an older
     * epoch is a stale view); a partition no longer led is unloaded. Only enqueues work: never waits
     * for a load.
     */
    public synchronized void onLeadership(Map<Integer, Integer> ledPartitionEpochs) {
        if (closed) {
            return;
        }
        led = Map.copyOf(ledPartitionEpochs);
        for (Map.Entry<Integer, Integer> led : ledPartitionEpochs.entrySet()) {
            int partition = led.getKey();
            int leaderEpoch = led.getValue();
            ShardContext current = contexts.get(partition);
            if (current != null && current.leaderEpoch >= leaderEpoch) {
                continue;
            }
            ShardContext context = new ShardContext(partition, leaderEpoch);
            contexts.put(partition, context);
            if (current != null) {
                execute(current, () -> {
                    unload(current, new NotCoordinatorException(name + " partition " + partition
                            + " has a new leader epoch " + leaderEpoch));
                    LOG.info("Unloaded {} shard of partition {} at leader epoch {}: leader epoch {} follows", name,
                            partition, current.leaderEpoch, leaderEpoch);
                });
            }
            execute(context, () -> load(context));
        }
        for (Integer partition : new ArrayList<>(contexts.keySet())) {
            if (!ledPartitionEpochs.containsKey(partition)) {
                ShardContext context = contexts.remove(partition);
                execute(context, () -> {
                    unload(context, new NotCoordinatorException(name + " partition " + partition
                            + " is no longer led by this node"));
                    LOG.info("Unloaded {} shard of partition {}", name, partition);
                });
            }
        }
    }

    /** True once {@code partition}'s shard has replayed its log and serves operations. */
    public boolean isActive(int partition) {
        ShardContext context = contexts.get(partition);
        return context != null && context.status == Status.ACTIVE;
    }

    /**
     * Runs {@code op} on the shard of {@code partition}, on its thread, writes its records and
     * completes the returned future with its response once they are committed. See the class doc
     * for the errors.
     */
    public <T> CompletableFuture<T> scheduleWriteOperation(int partition, String opName,
                                                           Function<S, CoordinatorResult<T, R>> op) {
        return schedule(partition, (context, response) -> runOperation(context, opName, null, op, response));
    }

    /**
     * As {@link #scheduleWriteOperation}, writing the operation's records in one transactional batch of
     * the producer ({@link CoordinatorLog#appendTransactional}) and applying them through
     * {@link CoordinatorShard#replay(long, long, short, Object)}: they take effect when the producer's
     * commit marker follows ({@link #scheduleTransactionCompletion}).
     */
    public <T> CompletableFuture<T> scheduleTransactionalWriteOperation(int partition, String opName, long producerId,
                                                                        short producerEpoch,
                                                                        Function<S, CoordinatorResult<T, R>> op) {
        Producer producer = new Producer(producerId, producerEpoch);
        return schedule(partition, (context, response) -> runOperation(context, opName, producer, op, response));
    }

    /**
     * Writes a commit or abort marker of the producer to {@code partition} ({@link CoordinatorLog#appendMarker})
     * and applies it ({@link CoordinatorShard#replayEndTransactionMarker}) in order with the shard's
     * operations; completes once the marker is committed, with the errors of {@link #scheduleWriteOperation}
     * or the append's (an older producer epoch, TRANSACTION_COORDINATOR_FENCED, …).
     */
    public CompletableFuture<Void> scheduleTransactionCompletion(int partition, String opName, long producerId,
                                                                 short producerEpoch, int coordinatorEpoch,
                                                                 boolean commit) {
        return schedule(partition, (context, response) -> runMarker(context, opName, producerId, producerEpoch,
                coordinatorEpoch, commit, response));
    }

    /** The producer of a transactional write. */
    private record Producer(long producerId, short producerEpoch) {
    }

    /** Queues {@code task} on the partition's thread, or fails the response at once. */
    private <T> CompletableFuture<T> schedule(int partition,
                                              java.util.function.BiConsumer<ShardContext, CompletableFuture<T>> task) {
        CompletableFuture<T> response = new CompletableFuture<>();
        ShardContext context = contexts.get(partition);
        if (context == null) {
            response.completeExceptionally(notCoordinator(partition));
            return response;
        }
        if (context.status != Status.ACTIVE) {
            response.completeExceptionally(loading(partition));
            return response;
        }
        if (!execute(context, () -> task.accept(context, response))) {
            response.completeExceptionally(notCoordinator(partition));
        }
        return response;
    }

    /**
     * Runs {@code op}, which only reads, on the shard of {@code partition}. Its response is held
     * like a write's until every append scheduled before it is committed.
     */
    public <T> CompletableFuture<T> scheduleReadOperation(int partition, String opName, Function<S, T> op) {
        return scheduleWriteOperation(partition, opName, shard -> CoordinatorResult.response(op.apply(shard)));
    }

    /**
     * Runs the read-only {@code op} on every active shard; the flag says whether some shard was
     * still loading (and so was left out).
     */
    public <T> EveryShard<T> scheduleReadOnEveryShard(String opName, Function<S, T> op) {
        List<CompletableFuture<T>> results = new ArrayList<>();
        boolean someLoading = false;
        for (Map.Entry<Integer, ShardContext> e : contexts.entrySet()) {
            if (e.getValue().status != Status.ACTIVE) {
                someLoading = true;
                continue;
            }
            results.add(scheduleReadOperation(e.getKey(), opName, op));
        }
        return new EveryShard<>(results, someLoading);
    }

    /** The per-shard results of {@link #scheduleReadOnEveryShard}. */
    public record EveryShard<T>(List<CompletableFuture<T>> results, boolean someLoading) {
    }

    /** False (after failing the response) unless {@code context} is the partition's active shard. */
    private boolean checkActive(ShardContext context, CompletableFuture<?> response) {
        ShardContext current = contexts.get(context.partition);
        if (current == null) {
            response.completeExceptionally(notCoordinator(context.partition));
            return false;
        }
        if (current != context || context.status != Status.ACTIVE) {
            // Failed and waiting to reload, or reloading: a new shard for the same partition comes.
            response.completeExceptionally(loading(context.partition));
            return false;
        }
        return true;
    }

    private <T> void runOperation(ShardContext context, String opName, Producer producer,
                                  Function<S, CoordinatorResult<T, R>> op, CompletableFuture<T> response) {
        if (!checkActive(context, response)) {
            return;
        }
        CoordinatorResult<T, R> result;
        try {
            result = op.apply(context.shard);
        } catch (ApiException e) {
            LOG.debug("Operation {} on {} partition {} failed: {}", opName, name, context.partition, e.toString());
            response.completeExceptionally(e);
            return;
        } catch (RuntimeException e) {
            LOG.error("Operation {} on {} partition {} failed", opName, name, context.partition, e);
            response.completeExceptionally(e);
            return;
        }
        write(context, opName, producer, result, response::complete, response::completeExceptionally);
    }

    /** Applies the marker at once (as an operation's records are) and appends it; answers once committed. */
    private void runMarker(ShardContext context, String opName, long producerId, short producerEpoch,
                           int coordinatorEpoch, boolean commit, CompletableFuture<Void> response) {
        if (!checkActive(context, response)) {
            return;
        }
        try {
            context.shard.replayEndTransactionMarker(CoordinatorShard.UNKNOWN_OFFSET, producerId, producerEpoch,
                    commit);
        } catch (RuntimeException e) {
            LOG.error("Applying the marker of {} on {} partition {} failed; reloading the shard", opName, name,
                    context.partition, e);
            response.completeExceptionally(e);
            onShardFailed(context, Long.MAX_VALUE, e);
            return;
        }
        long seq = sendAppend(context, () -> log.appendMarker(context.partition, producerId, producerEpoch,
                coordinatorEpoch, commit));
        await(context, new Pending(seq, () -> response.complete(null), response::completeExceptionally));
    }

    /**
     * Applies (if asked) and appends the result's records, in a transactional batch of {@code producer}
     * if not null; answers when they are committed.
     */
    private <T> void write(ShardContext context, String opName, Producer producer, CoordinatorResult<T, R> result,
                           Consumer<T> onCommitted, Consumer<Throwable> onFailed) {
        CompletableFuture<Void> appendFuture = result.appendFuture();
        Consumer<Throwable> fail = error -> {
            if (appendFuture != null) {
                appendFuture.completeExceptionally(error);
            }
            onFailed.accept(error);
        };
        List<R> records = result.records();
        if (!records.isEmpty() && result.replayRecords()) {
            try {
                for (R record : records) {
                    if (producer == null) {
                        context.shard.replay(CoordinatorShard.UNKNOWN_OFFSET, record);
                    } else {
                        context.shard.replay(CoordinatorShard.UNKNOWN_OFFSET, producer.producerId(),
                                producer.producerEpoch(), record);
                    }
                }
            } catch (RuntimeException e) {
                LOG.error("Replaying the records of {} on {} partition {} failed; reloading the shard", opName, name,
                        context.partition, e);
                fail.accept(e);
                onShardFailed(context, Long.MAX_VALUE, e);
                return;
            }
        }
        long requiredSeq = context.lastAppendSeq;
        if (!records.isEmpty()) {
            requiredSeq = sendAppend(context, () -> producer == null ? log.append(context.partition, records)
                    : log.appendTransactional(context.partition, producer.producerId(), producer.producerEpoch(),
                            records));
        }
        await(context, new Pending(requiredSeq, () -> {
            if (appendFuture != null) {
                appendFuture.complete(null);
            }
            onCommitted.accept(result.response());
        }, fail));
    }

    /** Sends one append, numbered next; its completion comes back to the shard's thread. */
    private long sendAppend(ShardContext context, java.util.function.Supplier<CompletableFuture<Long>> appender) {
        long seq = ++context.lastAppendSeq;
        context.appendsInFlight++;
        CompletableFuture<Long> append;
        try {
            append = appender.get();
        } catch (RuntimeException e) {
            append = CompletableFuture.failedFuture(e);
        }
        append.whenComplete((offset, error) -> {
            if (!execute(context, () -> onAppendDone(context, seq, error))) {
                LOG.debug("{} partition {} closed before append {} completed", name, context.partition, seq);
            }
        });
        return seq;
    }

    /** Answers {@code pending} now if everything it waits for is committed, else once it is. */
    private void await(ShardContext context, Pending pending) {
        if (context.pending.isEmpty() && pending.requiredSeq() <= context.committedSeq) {
            pending.onCommitted().run();
        } else {
            context.pending.add(pending);
        }
    }

    private void onAppendDone(ShardContext context, long seq, Throwable error) {
        if (context.status == Status.UNLOADED) {
            return;
        }
        context.appendsInFlight--;
        if (error == null) {
            context.committedSeq = Math.max(context.committedSeq, seq);
            releaseCommitted(context);
        } else {
            Throwable cause = unwrap(error);
            LOG.warn("Append {} of {} partition {} failed: {}; reloading the shard from its log", seq, name,
                    context.partition, cause.toString());
            onShardFailed(context, seq, cause);
            return;
        }
        maybeReload(context);
    }

    private void releaseCommitted(ShardContext context) {
        while (!context.pending.isEmpty()) {
            Pending head = context.pending.peek();
            if (head.requiredSeq() > context.committedSeq || head.requiredSeq() >= context.failedSeq) {
                return;
            }
            context.pending.poll();
            head.onCommitted().run();
        }
    }

    /** The shard holds state that will not be committed: stop it and reload once appends settle. */
    private void onShardFailed(ShardContext context, long failedSeq, Throwable cause) {
        if (failedSeq < context.failedSeq || context.failure == null) {
            context.failedSeq = Math.min(failedSeq, context.failedSeq);
            context.failure = cause;
        }
        context.status = Status.FAILED;
        maybeReload(context);
    }

    private void maybeReload(ShardContext context) {
        if (context.status != Status.FAILED || context.appendsInFlight > 0) {
            return;
        }
        releaseCommitted(context);
        unload(context, context.failure);
        if (contexts.replace(context.partition, context, new ShardContext(context.partition, context.leaderEpoch))) {
            ShardContext fresh = contexts.get(context.partition);
            execute(fresh, () -> load(fresh));
        }
    }

    /**
     * Replays the partition's log to its end, then waits (off the thread) until the log has committed
     * that far before the shard serves: a new leader's log may hold records its predecessor had
     * committed beyond this node's high watermark, and a shard must neither miss them nor answer from
     * records that may yet be lost. A shard replaced or unloaded meanwhile (a newer leader epoch, the
     * partition gone) never becomes active.
     */
    private void load(ShardContext context) {
        if (contexts.get(context.partition) != context || context.status != Status.LOADING) {
            return;
        }
        long startMs = time.milliseconds();
        int[] skipped = {0};
        long endOffset;
        try {
            CoordinatorLog.RecordVisitor<R> replay = CoordinatorLog.RecordVisitor.replayingInto(context.shard);
            endOffset = log.load(context.partition, new CoordinatorLog.RecordVisitor<>() {
                @Override
                public void visit(long offset, R record) {
                    skipIfFailed(offset, record, () -> replay.visit(offset, record));
                }

                @Override
                public void visitTransactional(long offset, long producerId, short producerEpoch, R record) {
                    skipIfFailed(offset, record, () -> replay.visitTransactional(offset, producerId, producerEpoch,
                            record));
                }

                @Override
                public void visitMarker(long offset, long producerId, short producerEpoch, boolean commit) {
                    skipIfFailed(offset, (commit ? "commit" : "abort") + " marker of producerId=" + producerId,
                            () -> replay.visitMarker(offset, producerId, producerEpoch, commit));
                }

                private void skipIfFailed(long offset, Object what, Runnable replayOne) {
                    try {
                        replayOne.run();
                    } catch (RuntimeException e) {
                        skipped[0]++;
                        LOG.error("Skipping the record at offset {} of {} partition {}: its replay failed: {}",
                                offset, name, context.partition, what, e);
                    }
                }
            });
        } catch (RuntimeException e) {
            onLoadFailed(context, e);
            return;
        }
        CompletableFuture<Void> committed;
        try {
            committed = log.awaitCommitted(context.partition, endOffset);
        } catch (RuntimeException e) {
            committed = CompletableFuture.failedFuture(e);
        }
        committed.whenComplete((ignored, error) -> execute(context, () -> {
            if (error != null) {
                onLoadFailed(context, unwrap(error));
            } else {
                activate(context, startMs, endOffset, skipped[0]);
            }
        }));
    }

    private void activate(ShardContext context, long startMs, long endOffset, int skipped) {
        if (contexts.get(context.partition) != context || context.status != Status.LOADING) {
            LOG.info("Discarding the load of {} partition {} at leader epoch {}: superseded", name, context.partition,
                    context.leaderEpoch);
            unload(context, notCoordinator(context.partition));
            return;
        }
        context.shard.onLoaded(time.milliseconds());
        context.status = Status.ACTIVE;
        LOG.info("Loaded {} shard of partition {} at leader epoch {} to offset {} in {} ms ({} records skipped)", name,
                context.partition, context.leaderEpoch, endOffset, time.milliseconds() - startMs, skipped);
    }

    private void onLoadFailed(ShardContext context, Throwable e) {
        if (contexts.remove(context.partition, context)) {
            if (e instanceof ApiException) {
                // Leadership moved on while loading, or has not reached the log yet: retried while still led.
                LOG.warn("Loading {} partition {} at leader epoch {} failed; trying again in {} ms while it is led "
                        + "here: {}", name, context.partition, context.leaderEpoch, LOAD_RETRY_MS, e.toString());
            } else {
                LOG.error("Loading {} partition {} at leader epoch {} failed; trying again in {} ms while it is led "
                        + "here", name, context.partition, context.leaderEpoch, LOAD_RETRY_MS, e);
            }
            try {
                context.thread.schedule(() -> retryLoad(context.partition, context.leaderEpoch), LOAD_RETRY_MS,
                        TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException closing) {
                LOG.debug("{} partition {}: closed before its load could be tried again", name, context.partition);
            }
        }
        unload(context, notCoordinator(context.partition));
    }

    /** Loads {@code partition} again if it is still led here at {@code leaderEpoch} and nothing else loaded it. */
    private synchronized void retryLoad(int partition, int leaderEpoch) {
        Integer epoch = led.get(partition);
        if (closed || epoch == null || epoch != leaderEpoch || contexts.containsKey(partition)) {
            return;
        }
        ShardContext context = new ShardContext(partition, leaderEpoch);
        contexts.put(partition, context);
        execute(context, () -> load(context));
    }

    /** Drops a shard: its waiting responses fail with {@code error}, then the shard answers what it holds. */
    private void unload(ShardContext context, Throwable error) {
        if (context.status == Status.UNLOADED) {
            return;
        }
        context.status = Status.UNLOADED;
        while (!context.pending.isEmpty()) {
            context.pending.poll().onFailed().accept(error);
        }
        try {
            context.shard.onUnloaded();
        } catch (RuntimeException e) {
            LOG.error("Unloading {} partition {} failed", name, context.partition, e);
        }
    }

    private void tick(int threadIndex) {
        long nowMs = time.milliseconds();
        for (ShardContext context : contexts.values()) {
            if (context.thread != threads[threadIndex] || context.status != Status.ACTIVE) {
                continue;
            }
            try {
                write(context, "tick", null, context.shard.onTick(nowMs), ignored -> { },
                        error -> LOG.warn("The records of a tick of {} partition {} were not written: {}", name,
                                context.partition, error.toString()));
            } catch (RuntimeException e) {
                LOG.error("Tick of {} partition {} failed", name, context.partition, e);
            }
        }
    }

    private ScheduledExecutorService executor(int partition) {
        return threads[partition % threads.length];
    }

    /** Runs {@code task} on the context's thread; false if that thread no longer takes work. */
    private boolean execute(ShardContext context, Runnable task) {
        try {
            context.thread.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    private NotCoordinatorException notCoordinator(int partition) {
        return new NotCoordinatorException("This node does not lead " + name + " partition " + partition);
    }

    private CoordinatorLoadInProgressException loading(int partition) {
        return new CoordinatorLoadInProgressException(name + " partition " + partition + " is being loaded");
    }

    private static Throwable unwrap(Throwable error) {
        while ((error instanceof CompletionException || error instanceof ExecutionException)
                && error.getCause() != null) {
            error = error.getCause();
        }
        return error;
    }

    /** Unloads every shard (waiting responses fail with NOT_COORDINATOR) and ends the threads. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        for (ScheduledExecutorService thread : threads) {
            try {
                thread.submit(() -> contexts.values().stream().filter(c -> c.thread == thread)
                        .forEach(c -> unload(c, new NotCoordinatorException(name + " is shutting down"))))
                        .get(CLOSE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                LOG.warn("Unloading the {} shards of a thread failed", name, e);
            }
            thread.shutdownNow();
        }
        for (ScheduledExecutorService thread : threads) {
            try {
                thread.awaitTermination(CLOSE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        contexts.clear();
    }
}
